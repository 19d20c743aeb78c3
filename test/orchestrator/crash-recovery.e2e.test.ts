import * as fs from 'node:fs';
import * as path from 'node:path';
import { UpdateConnectionFunctionCommand } from '@aws-sdk/client-cloudfront';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { candidateSha256 } from '../../orchestrator/candidate';
import { readLedger } from '../../orchestrator/evidence';
import { publishAndWait, readFunctionStage } from '../../orchestrator/function-stages';
import { runStagePipeline, type StageRunReport } from '../../orchestrator/pipeline';
import { silentProgress, type Progress } from '../../orchestrator/progress';
import type { FaultConfig } from '../../emulator/faults';
import { CampaignProject } from '../faults/campaign-project';
import { associatedFunction, runChild } from '../faults/run-child';

jest.setTimeout(300_000);

/**
 * The failures of the pipeline as reported, each reproduced against the emulator: a kill right after publishing,
 * errors while verifying LIVE, a failed first deploy, and what a re-run does about each.
 */
describe('crashes and errors after publish: a re-run always leaves LIVE verified', () => {
  let emulator: RunningEmulator;
  let p: CampaignProject;
  let goodCode: string;

  /**
   * Progress that switches emulator faults as steps start: each entry fires once, in order, when a step whose text
   * matches starts, and sets the faults from then on.
   */
  const faultsOnSteps = (on: [RegExp, FaultConfig][]): Progress => {
    const pending = [...on];
    return {
      ...silentProgress,
      start: (text) => {
        if (pending.length && pending[0][0].test(text)) emulator.setFaults(pending.shift()![1]);
      },
    };
  };
  const deploy = (progress?: Progress): Promise<StageRunReport> => runStagePipeline(p.context({ progress }), 'dev', p.applier());

  beforeAll(async () => {
    p = await CampaignProject.create('conngate-crash');
    emulator = await startEmulator({ port: 0 });
    p.connect(emulator.endpoint);
    goodCode = fs.readFileSync(p.fnFile, 'utf8');
  });
  afterAll(async () => {
    await emulator?.close();
    p?.remove();
  });
  beforeEach(() => emulator.setFaults({}));

  it('a failed first deploy is never associated, not even by the re-run; it is once LIVE passes', async () => {
    emulator.setFaults({ failLiveTestRate: 1 });
    const first = await deploy();
    expect(first.outcome).toBe('failed');
    expect(first.message).toMatch(/cases failed in LIVE.*nothing to roll back to/);
    const o = p.context().outputs.read('dev')!;
    expect(await associatedFunction(p.cf, o.distributionId!)).toBeUndefined();
    expect(await p.liveProblem('dev')).toMatch(/says the suite failed/);

    // The re-run (LIVE still failing) must not apply the association before LIVE passed.
    p.freshRunner();
    const again = await deploy();
    expect(again.outcome).not.toBe('verified');
    expect(again.steps.find((s) => s.name === 'apply')?.detail).toBeDefined();
    expect(await associatedFunction(p.cf, o.distributionId!)).toBeUndefined();

    emulator.setFaults({});
    const ok = await deploy();
    expect(ok.outcome).toBe('verified');
    expect(await associatedFunction(p.cf, o.distributionId!)).toBe(o.functionId);
    expect(await p.liveProblem('dev')).toBeUndefined();
  });

  it('SIGKILL right after "published to LIVE": the re-run on a fresh runner with LIVE failing rolls back to the verified code', async () => {
    const a = candidateSha256(goodCode);
    expect(await p.liveSha('dev')).toBe(a);
    fs.writeFileSync(p.fnFile, goodCode + '\n// candidate B\n');
    const b = candidateSha256(fs.readFileSync(p.fnFile));
    const child = await runChild({ dir: p.dir, endpoint: emulator.endpoint, stage: 'dev', op: 'deploy', kill: { on: 'done', match: 'published to LIVE' } });
    expect(child.killed).toBe(true);
    expect(await p.liveSha('dev')).toBe(b);
    expect(await p.liveProblem('dev')).toMatch(/speaks for .* but LIVE runs/);

    // A fresh machine: none of the killed runner's files. LIVE tests fail for B (on at the start and again when B
    // is published once more), and pass for A (off while rolling back).
    p.freshRunner();
    const failing = { failLiveTestRate: 1 };
    emulator.setFaults(failing);
    const r = await deploy(faultsOnSteps([[/rolling LIVE back/, {}], [/publishing/, failing], [/rolling LIVE back/, {}]]));
    emulator.setFaults({});
    expect(r.recovery).toMatch(new RegExp(`LIVE ran unverified ${b.slice(0, 12)}.*cases failed in LIVE.*restored the last verified code ${a.slice(0, 12)}`));
    expect(r.outcome).toBe('rolled-back');
    expect(await p.liveSha('dev')).toBe(a);
    expect(await p.liveProblem('dev')).toBeUndefined();
  }, 300_000);

  it.each([
    ['a 5xx', { serverErrorRate: 1 }, /LIVE verification could not complete \(ServiceUnavailable/],
    ['throttling', { throttleRate: 1 }, /LIVE verification could not complete \(Throttling/],
    ['an ETag conflict', { concurrentWriteRate: 1 }, /LIVE verification could not complete \(.*LIVE ETag of .* changed while its suite ran/],
  ] as const)('%s while verifying LIVE goes verify -> rollback -> evidence, and says what happened', async (_what, fault, message) => {
    // Start from a verified LIVE (the previous test left the good code there).
    fs.writeFileSync(p.fnFile, goodCode);
    expect((await deploy()).outcome).toBe('verified');
    const before = await p.liveSha('dev');
    fs.writeFileSync(p.fnFile, `${goodCode}\n// ${_what}\n`);
    const ledger = path.join(p.stateDir, 'ledger.jsonl');
    const r = await deploy(faultsOnSteps([[/testing LIVE/, fault as FaultConfig], [/rolling LIVE back/, {}]]));
    emulator.setFaults({});
    expect(r.published).toBe(true);
    expect(r.outcome).toBe('rolled-back');
    expect(r.message).toMatch(message);
    expect(r.message).toMatch(/LIVE was rolled back to [0-9a-f]{12}/);
    expect(r.message).not.toMatch(/nothing was published/);
    expect(readLedger(ledger).at(-1)).toMatchObject({ event: 'rolled-back', stage: 'dev' });
    expect(await p.liveSha('dev')).toBe(before);
    expect(await p.liveProblem('dev')).toBeUndefined();
  });

  it('a publish that fails with an unknown outcome (5xx after retries) is checked, never left unverified', async () => {
    fs.writeFileSync(p.fnFile, goodCode);
    expect((await deploy()).outcome).toBe('verified');
    const before = await p.liveSha('dev');
    fs.writeFileSync(p.fnFile, `${goodCode}\n// publish fails\n`);
    const r = await deploy(faultsOnSteps([[/publishing/, { serverErrorRate: 1 }], [/rolling LIVE back/, {}]]));
    emulator.setFaults({});
    expect(r.outcome).toBe('failed');
    expect(r.message).toMatch(new RegExp(`publishing did not complete \\(ServiceUnavailable.*LIVE still runs the verified ${before!.slice(0, 12)} \\(restored code re-checked in LIVE, evidence recorded\\)`));
    expect(await p.liveSha('dev')).toBe(before);
    expect(await p.liveProblem('dev')).toBeUndefined();
  });

  it('LIVE changed outside the pipeline (no valid evidence): the next run tests it and rolls it back when it fails', async () => {
    fs.writeFileSync(p.fnFile, goodCode);
    expect((await deploy()).outcome).toBe('verified');
    const verified = await p.liveSha('dev');
    // Someone publishes other code straight through the API (what a kill after publish also leaves behind).
    const id = p.context().outputs.read('dev')!.functionId;
    const dev = await readFunctionStage(p.cf, id, 'DEVELOPMENT');
    const upd = await p.cf.send(new UpdateConnectionFunctionCommand({ Id: id, IfMatch: dev.etag, ConnectionFunctionConfig: dev.summary.ConnectionFunctionConfig,
      ConnectionFunctionCode: Buffer.from(goodCode.replace(/await kvs\.exists\(serial\)/, 'false')) }));
    await publishAndWait(p.cf, id, upd.ETag!, { intervalMs: 20 });
    expect(await p.liveSha('dev')).not.toBe(verified);
    p.freshRunner();
    const r = await deploy();
    expect(r.recovery).toMatch(/LIVE ran unverified [0-9a-f]{12} \(the evidence speaks for .*cases failed in LIVE.*restored the last verified code/);
    expect(r.outcome).toBe('verified');
    expect(await p.liveSha('dev')).toBe(verified);
    expect(await p.liveProblem('dev')).toBeUndefined();
  });
});
