import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../diagnostics/user-error';
import { makeFolder } from '../host/make-folder';

/** The file that marks a folder as made by conngate, and so safe for conngate to empty. */
export const WORKDIR_MARKER = '.conngate-workdir';

/**
 * Empties a work folder only when conngate made it: a missing or empty folder is taken (and marked), a folder with
 * the marker is emptied, and anything else is refused, so a mistyped --workdir can never wipe a user's files.
 */
export function claimWorkdir(workdir: string, flag = '--workdir'): void {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.lstatSync(workdir);
  } catch {
    stat = undefined;
  }
  if (stat && !stat.isDirectory()) {
    throw new UserError(`${flag} ${workdir}`, stat.isSymbolicLink() ? 'is a symbolic link' : 'is a file, not a folder',
      'pass a new or empty folder, e.g. --workdir .conngate/demo');
  }
  if (stat) {
    const entries = fs.readdirSync(workdir);
    if (entries.length > 0 && !entries.includes(WORKDIR_MARKER)) {
      throw new UserError(`${flag} ${workdir}`, `is a non-empty folder conngate did not create (${entries.length} entries, no ${WORKDIR_MARKER} marker); nothing was deleted`,
        `pass a new or empty folder, or delete this one yourself if an earlier conngate version made it (rm -r ${workdir})`);
    }
    for (const e of entries) fs.rmSync(path.join(workdir, e), { recursive: true, force: true });
  }
  makeFolder(workdir);
  fs.writeFileSync(path.join(workdir, WORKDIR_MARKER), 'made by conngate; conngate may empty this folder\n');
}

/**
 * Makes a self-contained cdktf project folder for the demo (and the end-to-end tests): a copy of functions/ and a
 * cdktf.json whose app runs the conngate app from `projectDir` with the folder as its working directory, so it
 * reads the folder's functions/ and conngate.config.json and writes nothing into the project. The folder is
 * claimed first (claimWorkdir): emptied only when conngate made it.
 */
export function prepareWorkdir(projectDir: string, workdir: string, config?: object): void {
  claimWorkdir(workdir);
  fs.cpSync(path.join(projectDir, 'functions'), path.join(workdir, 'functions'), { recursive: true });
  // The demo's cdktf project runs the conngate app from the project, with the workdir as its working directory
  // (so it reads the workdir's functions/ and writes nothing into the project).
  // From this repository the app is main.ts through tsx; an installed package ships the compiled dist/main.js only.
  const sourceApp = path.join(projectDir, 'main.ts');
  const app = fs.existsSync(sourceApp)
    ? `"${process.execPath}" "${require.resolve('tsx/cli', { paths: [projectDir] })}" "${sourceApp}"`
    : `"${process.execPath}" "${path.join(projectDir, 'dist', 'main.js')}"`;
  fs.writeFileSync(path.join(workdir, 'cdktf.json'), JSON.stringify({
    language: 'typescript',
    app,
    terraformProviders: [], terraformModules: [], context: {}, sendCrashReports: 'false',
  }, null, 2) + '\n');
  if (config) fs.writeFileSync(path.join(workdir, 'conngate.config.json'), JSON.stringify(config, null, 2) + '\n');
}
