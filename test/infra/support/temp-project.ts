import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const FIXTURE_FUNCTION = path.join(REPO_ROOT, 'test', 'infra', 'fixtures', 'allow-all.js');

/** A throwaway project folder with a copy of the fixture function and, optionally, a conngate.config.json. */
export function makeTempProject(config?: unknown, opts: { cdktfJson?: boolean } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-infra-'));
  fs.mkdirSync(path.join(dir, 'functions'));
  fs.copyFileSync(FIXTURE_FUNCTION, path.join(dir, 'functions', 'revocation-check.js'));
  if (config !== undefined) fs.writeFileSync(path.join(dir, 'conngate.config.json'), JSON.stringify(config, null, 2));
  if (opts.cdktfJson) {
    // The app is this repository's main.ts run by its tsx, with the temp folder as the working directory.
    const tsx = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    fs.writeFileSync(path.join(dir, 'cdktf.json'), JSON.stringify({
      language: 'typescript',
      app: `"${process.execPath}" "${tsx}" "${path.join(REPO_ROOT, 'main.ts')}"`,
      projectId: '6b0f4f2e-4f5e-4c1e-9d7a-2c6f6f2b9a11',
      sendCrashReports: 'false',
      terraformProviders: [],
      terraformModules: [],
    }, null, 2));
  }
  return dir;
}

/** Config putting the three default stages on the three backend kinds. */
export const THREE_BACKENDS_CONFIG = {
  stages: {
    dev: {},
    staging: { backend: { type: 's3', bucket: 'acme-tfstate', region: 'eu-west-1' } },
    prod: { backend: { type: 'cloud', organization: 'acme', workspace: 'conngate-prod' }, mtls: { trustStore: { trustStoreId: 'ts-prod-123' } } },
  },
};
