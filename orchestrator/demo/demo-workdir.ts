import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Makes a self-contained cdktf project folder for the demo (and the end-to-end tests): a copy of functions/ and a
 * cdktf.json whose app runs the conngate app from `projectDir` with the folder as its working directory, so it
 * reads the folder's functions/ and conngate.config.json and writes nothing into the project. Emptied first.
 */
export function prepareWorkdir(projectDir: string, workdir: string, config?: object): void {
  fs.rmSync(workdir, { recursive: true, force: true });
  fs.mkdirSync(workdir, { recursive: true });
  fs.cpSync(path.join(projectDir, 'functions'), path.join(workdir, 'functions'), { recursive: true });
  // The demo's cdktf project runs the conngate app from the project, with the workdir as its working directory
  // (so it reads the workdir's functions/ and writes nothing into the project).
  const tsxCli = require.resolve('tsx/cli', { paths: [projectDir] });
  fs.writeFileSync(path.join(workdir, 'cdktf.json'), JSON.stringify({
    language: 'typescript',
    app: `"${process.execPath}" "${tsxCli}" "${path.join(projectDir, 'main.ts')}"`,
    terraformProviders: [], terraformModules: [], context: {}, sendCrashReports: 'false',
  }, null, 2) + '\n');
  if (config) fs.writeFileSync(path.join(workdir, 'conngate.config.json'), JSON.stringify(config, null, 2) + '\n');
}
