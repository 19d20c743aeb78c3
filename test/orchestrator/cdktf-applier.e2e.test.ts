import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { prepareWorkdir } from '../../demo/demo-workdir';
import { PROJECT_DIR, runCli } from '../support/conngate-cli';
import { TEST_EVIDENCE_KEY } from '../support/emulator-project';

jest.setTimeout(300_000);

// `conngate deploy --applier cdktf` drives the cdktf CLI exactly as for AWS; only the cdktf command is replaced
// (CONNGATE_CDKTF), by a stand-in that applies to the emulator instead of calling Terraform against AWS.
describe('conngate deploy through the cdktf applier', () => {
  let emulator: RunningEmulator;
  let dir: string;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-cdktf-applier-'));
    prepareWorkdir(PROJECT_DIR, dir);
  });
  afterAll(async () => {
    await emulator?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('first deploy: cdktf deploy without the association, publish, then cdktf deploy with it', async () => {
    const log = path.join(dir, 'cdktf-calls.jsonl');
    const tsx = require.resolve('tsx/cli');
    const r = await runCli(['deploy', 'dev', '--dir', dir, '--applier', 'cdktf'], {
      env: {
        CONNGATE_ENDPOINT: emulator.endpoint, CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY, FAKE_CDKTF_LOG: log,
        CONNGATE_CDKTF: `${process.execPath} ${tsx} ${path.join(PROJECT_DIR, 'test', 'support', 'fake-cdktf.ts')}`,
      },
    });
    expect(`${r.code}\n${r.stdout}\n${r.stderr}`).toMatch(/^0\n/);
    expect(r.stdout).toMatch(/✔ dev: verified/);
    const calls = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; unassociated: string });
    const deploys = calls.filter((c) => c.argv[0] === 'deploy');
    expect(deploys).toHaveLength(2);
    for (const d of deploys) expect(d.argv).toEqual(expect.arrayContaining(['deploy', 'dev', '--auto-approve', '--outputs-file']));
    expect(deploys.map((d) => d.unassociated)).toEqual(['dev', '']);
    expect(calls.filter((c) => c.argv[0] !== 'deploy')).toEqual([]); // no extra synth: cdktf deploy synthesizes
    const outputs = JSON.parse(fs.readFileSync(path.join(dir, '.conngate', 'outputs.json'), 'utf8'));
    expect(outputs.dev).toMatchObject({ function_name: 'conngate-dev-revocation-check', function_associated: true });
  });

  it('a failing cdktf command stops the run before anything is tested or published', async () => {
    const r = await runCli(['deploy', 'dev', '--dir', dir, '--applier', 'cdktf'], {
      env: { CONNGATE_ENDPOINT: emulator.endpoint, CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY, CONNGATE_CDKTF: `${process.execPath} -e process.exit(3)` },
    });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/exited with code 3 \(fix: read the Terraform output above/);
  });
});
