import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { prepareWorkdir } from '../../demo/demo-workdir';
import { PROJECT_DIR, runCli } from '../support/conngate-cli';
import { TEST_EVIDENCE_KEY } from '../support/emulator-project';

/** Operations that only read. */
const READS = /:(Get|Describe|List|Head)[A-Za-z]*$|^sts:GetCallerIdentity$/;

// `conngate plan` previews a deploy and a promotion: the emulator's saved state is byte for byte the same after it,
// every call it made was a read, and what it predicted is what the deploy then did.
describe('conngate plan', () => {
  let emu: RunningEmulator;
  let dir: string;
  let stateFile: string;
  const served: string[] = [];
  const cli = (...args: string[]) => runCli([...args, '--dir', dir, '--endpoint', emu.endpoint], { env: { CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY } });

  beforeAll(async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-plan-'));
    stateFile = path.join(tmp, 'emulator-state.json');
    emu = await startEmulator({ port: 0, stateFile, onOperation: (op) => served.push(op) });
    dir = path.join(tmp, 'project');
    prepareWorkdir(PROJECT_DIR, dir, { stages: { dev: { promotesFrom: null }, staging: { promotesFrom: 'dev' } } });
  });
  afterAll(async () => {
    await emu?.close();
    fs.rmSync(path.dirname(stateFile), { recursive: true, force: true });
  });

  const planJson = async (stage: string) => {
    const before = fs.existsSync(stateFile) ? fs.readFileSync(stateFile) : Buffer.alloc(0);
    const localStateBefore = fs.readdirSync(dir, { recursive: true }).map(String).sort();
    served.length = 0;
    const t0 = Date.now();
    const r = await cli('plan', stage, '--json');
    const ms = Date.now() - t0;
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(fs.existsSync(stateFile) ? fs.readFileSync(stateFile) : Buffer.alloc(0)).toEqual(before);
    expect(fs.readdirSync(dir, { recursive: true }).map(String).sort()).toEqual(localStateBefore);
    expect(served.filter((op) => !READS.test(op))).toEqual([]);
    return { plan: JSON.parse(r.stdout), ms };
  };

  it('before the first deploy: creates everything, publishes, associates', async () => {
    const { plan } = await planJson('dev');
    expect(plan).toMatchObject({ schema: 'conngate.run/1', command: 'plan', stage: 'dev', endpointKind: 'emulator', gate: { open: true },
      publish: { yes: true }, association: { yes: true }, terraform: { changes: true } });
    expect(plan.terraform.resources.every((r: { action: string }) => r.action === 'create')).toBe(true);
    expect(plan.terraform.resources.map((r: { address: string }) => r.address.split('.')[0])).toEqual(expect.arrayContaining(['aws_cloudfront_connection_function', 'aws_cloudfront_distribution']));
    const staging = (await planJson('staging')).plan;
    expect(staging).toMatchObject({ gate: { open: false }, publish: { yes: false }, association: { yes: false } });
  }, 120_000);

  it('after a deploy: no changes for dev, the promotion to staging opens; a changed function is an update and a publish', async () => {
    const d = await cli('deploy', 'dev', '--json');
    expect(d.code).toBe(0);
    expect(JSON.parse(d.stdout)).toMatchObject({ schema: 'conngate.run/1', command: 'deploy', stage: 'dev', outcome: 'verified', ok: true, endpointKind: 'emulator', published: true });
    const { plan, ms } = await planJson('dev');
    expect(plan).toMatchObject({ terraform: { changes: false, resources: [] }, publish: { yes: false }, association: { yes: false, reason: 'already associated' } });
    process.stderr.write(`conngate plan dev against the emulator: ${ms} ms (whole CLI process)\n`);
    const staging = (await planJson('staging')).plan;
    expect(staging).toMatchObject({ gate: { open: true }, publish: { yes: true }, association: { yes: true }, terraform: { changes: true } });

    const fnFile = path.join(dir, 'functions', 'revocation-check.js');
    fs.appendFileSync(fnFile, '\n// a change\n');
    const changed = (await planJson('dev')).plan;
    expect(changed.terraform.resources).toEqual([{ address: expect.stringMatching(/^aws_cloudfront_connection_function\./), action: 'update' }]);
    expect(changed.publish.yes).toBe(true);
  }, 300_000);

  it('refuses an unknown stage in one line, exit 2', async () => {
    const r = await cli('plan', 'nope');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^conngate: stage "nope": no such stage \(fix: use one of: dev, staging/)]);
  });
});
