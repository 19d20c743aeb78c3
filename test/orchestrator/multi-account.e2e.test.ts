import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ListConnectionFunctionsCommand } from '@aws-sdk/client-cloudfront';
import { createCloudFrontClient, createKvsClient } from '../../aws/clients';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { candidateSha256 } from '../../orchestrator/stage/candidate';
import { prepareWorkdir } from '../../demo/demo-workdir';
import { readLedger } from '../../orchestrator/evidence/evidence';
import { EvidenceKeyring, hmacSigner } from '../../orchestrator/signing/evidence-signing';
import { OutputsStore } from '../../orchestrator/stage/outputs-store';
import { approvalKey, approvalStore, recordApproval } from '../../orchestrator/policies/promotion-approval';
import type { StageSpec } from '../../orchestrator/stage/stage-spec';
import { PROJECT_DIR, runCli } from '../support/conngate-cli';
import { TEST_EVIDENCE_KEY } from '../support/emulator-project';

jest.setTimeout(600_000);

/** dev and prod each in an emulator of its own account (111… and 222…), in a project whose stages reach them; `prod` adds to prod's stage config. */
async function twoAccounts(prefix: string, prod: Record<string, unknown> = {}): Promise<{ dev: RunningEmulator; prod: RunningEmulator; dir: string }> {
  const dev = await startEmulator({ port: 0, accountId: '111111111111' });
  const prodAccount = await startEmulator({ port: 0, accountId: '222222222222' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  prepareWorkdir(PROJECT_DIR, dir, { stages: {
    dev: { promotesFrom: null, aws: { endpoint: dev.endpoint } },
    prod: { promotesFrom: 'dev', aws: { endpoint: prodAccount.endpoint }, ...prod },
  } });
  return { dev, prod: prodAccount, dir };
}

async function closeAccounts(dev: RunningEmulator | undefined, prod: RunningEmulator | undefined, dir: string | undefined): Promise<void> {
  await dev?.close();
  await prod?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

// dev and prod in different accounts (one emulator each, with its own account id): each stage is applied and
// verified in its own account, and prod's gate reads dev's LIVE and evidence in dev's account.
describe('stages in different accounts', () => {
  let devAccount: RunningEmulator;
  let prodAccount: RunningEmulator;
  let dir: string;
  beforeAll(async () => {
    ({ dev: devAccount, prod: prodAccount, dir } = await twoAccounts('conngate-accounts'));
  });
  afterAll(async () => closeAccounts(devAccount, prodAccount, dir));

  const cli = (...args: string[]) => {
    const env: Record<string, string> = { CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY, CONNGATE_ENDPOINT: '' };
    return runCli([...args, '--dir', dir], { env });
  };
  const functionsIn = async (e: RunningEmulator) => ((await createCloudFrontClient({ endpoint: e.endpoint, region: 'us-east-1' })
    .send(new ListConnectionFunctionsCommand({}))).ConnectionFunctions ?? []).map((f) => f.Name);

  it('deploys each stage into its own account and opens prod\'s gate with dev\'s account', async () => {
    const dev = await cli('deploy', 'dev');
    expect(`${dev.code}\n${dev.stdout}\n${dev.stderr}`).toMatch(/^0\n/);
    const prod = await cli('promote', 'dev', 'prod');
    expect(`${prod.code}\n${prod.stdout}\n${prod.stderr}`).toMatch(/^0\n/);
    expect(`${prod.stdout}\n${prod.stderr}`).toMatch(/gate open: dev runs/);

    const outputs = new OutputsStore(path.join(dir, '.conngate', 'outputs.json'));
    expect(outputs.read('dev')!.functionArn).toContain(':111111111111:');
    expect(outputs.read('prod')!.functionArn).toContain(':222222222222:');
    // Nothing of one stage in the other's account.
    expect(await functionsIn(devAccount)).toEqual(['conngate-dev-revocation-check']);
    expect(await functionsIn(prodAccount)).toEqual(['conngate-prod-revocation-check']);
  });

  it('keeps prod\'s gate closed when dev\'s account does not run the candidate', async () => {
    // Same code in the prod account under dev's name proves nothing: the gate must look in dev's account.
    fs.appendFileSync(path.join(dir, 'functions', 'revocation-check.js'), '\n// a new candidate, never deployed to dev\n');
    const prod = await cli('deploy', 'prod');
    expect(prod.code).not.toBe(0);
    expect(`${prod.stdout}\n${prod.stderr}`).toMatch(/refused: dev runs [0-9a-f]+ in LIVE but this candidate is/);
  });
});

// prod, in its own account, requires a signed approval: the approval is written by `conngate approve` in prod's
// account and read there by prod's gate. One in dev's account (where the gate does not look) opens nothing.
describe('approvals into a stage in another account', () => {
  let devAccount: RunningEmulator;
  let prodAccount: RunningEmulator;
  let dir: string;
  beforeAll(async () => {
    ({ dev: devAccount, prod: prodAccount, dir } = await twoAccounts('conngate-approve-accounts', { promotion: { requireApproval: true } }));
  });
  afterAll(async () => closeAccounts(devAccount, prodAccount, dir));
  const cli = (...args: string[]) => runCli([...args, '--dir', dir], { env: { CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY, CONNGATE_ENDPOINT: '' } });
  const out = (r: { code: number; stdout: string; stderr: string }) => `${r.code}\n${r.stdout}\n${r.stderr}`;
  const fnFile = () => path.join(dir, 'functions', 'revocation-check.js');
  const storeIn = async (e: RunningEmulator, stage: string) => {
    const t = { endpoint: e.endpoint, region: 'us-east-1' };
    return (await approvalStore(createCloudFrontClient(t), createKvsClient(t), { name: stage, storeName: `conngate-${stage}-revoked-serials` } as StageSpec))!;
  };

  it('a first deploy has no store to approve in: approve says so (exit 1), the gate names the override, which is recorded', async () => {
    expect(out(await cli('deploy', 'dev'))).toMatch(/^0\n/);
    const refused = await cli('promote', 'dev', 'prod');
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toMatch(/approval: prod has no KeyValueStore yet to hold one \(its first deploy needs --override-policy/);
    const approve = await cli('approve', 'prod', '--candidate', candidateSha256(fs.readFileSync(fnFile())), '--approver', 'alice');
    expect(approve.code).toBe(1);
    expect(approve.stderr.trim()).toMatch(/^conngate: approve prod: stage "prod" has no KeyValueStore yet to record the approval in .*\(fix: .*--override-policy/);
    expect(approve.stderr.trim().split('\n')).toHaveLength(1);
    expect(out(await cli('promote', 'dev', 'prod', '--override-policy', '--reason', 'first deploy of prod'))).toMatch(/^0\n/);
    const override = readLedger(path.join(dir, '.conngate', 'ledger.jsonl')).filter((e) => e.event === 'policy-override');
    expect(override).toEqual([expect.objectContaining({ stage: 'prod', detail: expect.stringMatching(/\(first deploy of prod\).*approval: prod has no KeyValueStore yet/) })]);
  });

  it('promote is refused without an approval, and with one in dev\'s account; `conngate approve` writes it in prod\'s account and opens the gate', async () => {
    fs.appendFileSync(fnFile(), '\n// a candidate that needs approval into prod\n');
    const candidate = candidateSha256(fs.readFileSync(fnFile()));
    expect(out(await cli('deploy', 'dev'))).toMatch(/^0\n/);
    const refused = await cli('promote', 'dev', 'prod');
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toMatch(new RegExp(`approval: no approval of ${candidate.slice(0, 12)} into prod`));

    // A validly signed approval of this very candidate, but in dev's account: prod's gate never reads it.
    const devStore = await storeIn(devAccount, 'dev');
    await recordApproval(devStore, new EvidenceKeyring(hmacSigner(TEST_EVIDENCE_KEY)), { stage: 'prod', candidateSha256: candidate, approver: 'mallory', time: new Date().toISOString() });
    expect((await cli('promote', 'dev', 'prod')).code).toBe(1);

    const approve = await cli('approve', 'prod', '--candidate', candidate, '--approver', 'alice@example.com');
    expect(out(approve)).toMatch(/^0\n/);
    expect(approve.stdout).toMatch(/alice@example.com approved [0-9a-f]{12} into prod .*recorded in prod's KeyValueStore in account 222222222222/);
    const prodStore = await storeIn(prodAccount, 'prod');
    expect(prodStore.kvsArn).toContain(':222222222222:');
    expect(JSON.parse((await prodStore.get(approvalKey('prod')))!)).toMatchObject({ approver: 'alice@example.com', candidateSha256: candidate });

    const status = JSON.parse((await cli('status', '--json')).stdout) as { stages: { stage: string; gate: { open: boolean } }[] };
    expect(status.stages.find((s) => s.stage === 'prod')!.gate.open).toBe(true);
    const opened = await cli('promote', 'dev', 'prod');
    expect(out(opened)).toMatch(/^0\n/);
    expect(opened.stdout + opened.stderr).toMatch(/gate open: dev runs/);
  });
});

// prod's stage config names a role in prod's account: the orchestrator assumes it (STS AssumeRole at the emulator
// standing for that account), as the stack's provider does, and every prod request is signed with the role's session.
describe('a stage that assumes a role in its own account', () => {
  let devAccount: RunningEmulator;
  let prodAccount: RunningEmulator;
  let dir: string;
  const make = (roleArn: string) => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-role-'));
    prepareWorkdir(PROJECT_DIR, dir, { stages: {
      dev: { promotesFrom: null, aws: { endpoint: devAccount.endpoint } },
      prod: { promotesFrom: 'dev', aws: { endpoint: prodAccount.endpoint, roleArn } },
    } });
  };
  beforeEach(async () => {
    devAccount = await startEmulator({ port: 0, accountId: '111111111111' });
    prodAccount = await startEmulator({ port: 0, accountId: '222222222222' });
  });
  afterEach(async () => {
    await devAccount?.close();
    await prodAccount?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const cli = (...args: string[]) => runCli([...args, '--dir', dir], { env: { CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY, CONNGATE_ENDPOINT: '' } });
  const functionsIn = async (e: RunningEmulator) => ((await createCloudFrontClient({ endpoint: e.endpoint, region: 'us-east-1' })
    .send(new ListConnectionFunctionsCommand({}))).ConnectionFunctions ?? []).map((f) => f.Name);

  it('deploys and verifies prod with the assumed role\'s session, and status reads each stage in its account', async () => {
    make('arn:aws:iam::222222222222:role/conngate-deploy');
    const dev = await cli('deploy', 'dev');
    expect(`${dev.code}\n${dev.stdout}\n${dev.stderr}`).toMatch(/^0\n/);
    const prod = await cli('promote', 'dev', 'prod');
    expect(`${prod.code}\n${prod.stdout}\n${prod.stderr}`).toMatch(/^0\n/);
    // Every CloudFront and KeyValueStore request that reached prod's account was signed with an issued session
    // (ASIA...), none with the ambient credentials; dev's account never saw a session key.
    const prodKeys = Object.keys(prodAccount.requestsByAccessKey());
    expect(prodKeys.length).toBeGreaterThan(0);
    expect(prodKeys.filter((k) => !/^ASIA[0-9A-F]{16}$/.test(k))).toEqual([]);
    expect(Object.keys(devAccount.requestsByAccessKey()).filter((k) => k.startsWith('ASIA'))).toEqual([]);

    const status = await cli('status', '--json');
    expect(status.code).toBe(0);
    const json = JSON.parse(status.stdout) as { account: string; stages: { stage: string; endpoint: string; account: string; verified: boolean }[] };
    expect(json.stages.map((s) => [s.stage, s.endpoint, s.account, s.verified])).toEqual([
      ['dev', devAccount.endpoint, '111111111111', true], ['prod', prodAccount.endpoint, '222222222222', true]]);
    const table = await cli('status');
    expect(table.stdout).toContain(`prod is read with its own access: endpoint ${prodAccount.endpoint}, account 222222222222, role arn:aws:iam::222222222222:role/conngate-deploy`);
  });

  it('stops with the role named when prod\'s account does not let it be assumed, and changes nothing there', async () => {
    make('arn:aws:iam::333333333333:role/conngate-deploy');
    expect((await cli('deploy', 'dev')).code).toBe(0);
    const prod = await cli('promote', 'dev', 'prod');
    expect(prod.code).not.toBe(0);
    expect(prod.stderr).toMatch(/could not assume arn:aws:iam::333333333333:role\/conngate-deploy: .*not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::333333333333:role\/conngate-deploy/);
    expect(prod.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
    expect(await functionsIn(prodAccount)).toEqual([]);
  });
});
