/**
 * The lint step before a stage's pipeline: `deploy`, `verify` and `promote` print the stage function's findings on
 * stderr before anything is applied or published, and a warning does not stop them (docs/lint.md).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { prepareWorkdir } from '../../demo/demo-workdir';
import { PROJECT_DIR, runCli } from '../support/conngate-cli';
import { TEST_EVIDENCE_KEY } from '../support/emulator-project';

jest.setTimeout(300_000);

describe('lint before a stage pipeline', () => {
  let emu: RunningEmulator;
  let dir: string;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-pipeline-lint-'));
    prepareWorkdir(PROJECT_DIR, dir, { stages: { dev: { promotesFrom: null }, staging: { promotesFrom: 'dev' } } });
    // A helper the handler never calls: a lint warning, no effect on any case.
    fs.appendFileSync(path.join(dir, 'functions', 'revocation-check.js'), '\nfunction unusedHelper(x) { console.log("value", x); }\n');
  });
  afterAll(async () => {
    await emu?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const cli = (...args: string[]) => runCli([...args, '--dir', dir, '--endpoint', emu.endpoint], { env: { CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY } });

  it.each([['deploy', 'dev'], ['verify', 'dev'], ['promote', 'dev', 'staging']])('%s prints the findings first and goes on', async (...args) => {
    const r = await cli(...args);
    expect(`${r.code}\n${r.stderr}`).toMatch(/^0\n/);
    expect(r.stderr).toMatch(/revocation-check\.js:\d+:\d+ warning runtime-builtin console\.log takes one argument/);
    expect(r.stderr).toContain('conngate lint: 0 error(s), 1 warning(s)');
    // Before the run: the finding and its summary are the first lines, ahead of the pipeline's first line.
    const lines = r.stderr.split('\n');
    expect(lines[0]).toMatch(/warning runtime-builtin/);
    expect(lines[1]).toMatch(/^conngate lint: /);
    expect(lines[2]).toMatch(/^▶ /);
  });
});
