import * as fs from 'node:fs';
import * as path from 'node:path';
import { UpdateConnectionFunctionCommand } from '@aws-sdk/client-cloudfront';
import { candidateSha256 } from '../../orchestrator/stage/candidate';
import { readEvidenceTags, readLedger } from '../../orchestrator/evidence/evidence';
import { HEAD_KEY, parseHead } from '../../orchestrator/evidence/evidence-head';
import { ReservedStore } from '../../orchestrator/records/reserved-store';
import { publishAndWait, readFunctionStage, restoreAndPublish } from '../../orchestrator/stage/function-stages';
import { runStagePipeline, type StageRunReport } from '../../orchestrator/pipeline/pipeline';
import { silentProgress, type Progress } from '../../orchestrator/reports/progress';
import type { FaultConfig } from '../../emulator/faults';
import { campaignOnEmulator } from '../faults/campaign-emulator';
import { associatedFunction, runChild } from '../faults/run-child';

jest.setTimeout(300_000);

/**
 * The failures of the pipeline as reported, each reproduced against the emulator: a kill right after publishing,
 * errors while verifying LIVE, a failed first deploy, and what a re-run does about each.
 */
describe('crashes and errors after publish: a re-run always leaves LIVE verified', () => {
  const env = campaignOnEmulator('conngate-crash');
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
        if (pending.length && pending[0][0].test(text)) env.emulator.setFaults(pending.shift()![1]);
      },
    };
  };
  const deploy = (progress?: Progress): Promise<StageRunReport> => runStagePipeline(env.p.context({ progress }), 'dev', env.p.applier());

  beforeAll(async () => {
    goodCode = fs.readFileSync(env.p.fnFile, 'utf8');
  });
  beforeEach(() => env.emulator.setFaults({}));

  it('a failed first deploy is never associated, not even by the re-run; it is once LIVE passes', async () => {
    env.emulator.setFaults({ failLiveTestRate: 1 });
    const first = await deploy();
    expect(first.outcome).toBe('failed');
    expect(first.message).toMatch(/cases failed in LIVE.*nothing to roll back to/);
    const o = env.p.context().outputs.read('dev')!;
    expect(await associatedFunction(env.p.cf, o.distributionId!)).toBeUndefined();
    expect(await env.p.liveProblem('dev')).toMatch(/says the suite failed/);

    // The re-run (LIVE still failing) must not apply the association before LIVE passed.
    env.p.freshRunner();
    const again = await deploy();
    expect(again.outcome).not.toBe('verified');
    expect(again.steps.find((s) => s.name === 'apply')?.detail).toBeDefined();
    expect(again.steps.find((s) => s.name === 'apply')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^applied: function /) });
    expect(await associatedFunction(env.p.cf, o.distributionId!)).toBeUndefined();

    env.emulator.setFaults({});
    const ok = await deploy();
    expect(ok.outcome).toBe('verified');
    expect(await associatedFunction(env.p.cf, o.distributionId!)).toBe(o.functionId);
    expect(await env.p.liveProblem('dev')).toBeUndefined();
  });

  it('SIGKILL right after "published to LIVE": the re-run on a fresh runner with LIVE failing rolls back to the verified code', async () => {
    const a = candidateSha256(goodCode);
    expect(await env.p.liveSha('dev')).toBe(a);
    fs.writeFileSync(env.p.fnFile, goodCode + '\n// candidate B\n');
    const b = candidateSha256(fs.readFileSync(env.p.fnFile));
    const child = await runChild({ dir: env.p.dir, endpoint: env.emulator.endpoint, stage: 'dev', op: 'deploy', kill: { on: 'done', match: 'published to LIVE' } });
    expect(child.killed).toBe(true);
    expect(await env.p.liveSha('dev')).toBe(b);
    expect(await env.p.liveProblem('dev')).toMatch(/speaks for .* but LIVE runs/);

    // A fresh machine: none of the killed runner's files. LIVE tests fail for B (on at the start and again when B
    // is published once more), and pass for A (off while rolling back).
    env.p.freshRunner();
    const failing = { failLiveTestRate: 1 };
    env.emulator.setFaults(failing);
    const r = await deploy(faultsOnSteps([[/rolling LIVE back/, {}], [/publishing/, failing], [/rolling LIVE back/, {}]]));
    env.emulator.setFaults({});
    expect(r.recovery).toMatch(new RegExp(`LIVE ran unverified ${b.slice(0, 12)}.*cases failed in LIVE.*restored the last verified code ${a.slice(0, 12)}`));
    expect(r.outcome).toBe('rolled-back');
    expect(await env.p.liveSha('dev')).toBe(a);
    expect(await env.p.liveProblem('dev')).toBeUndefined();
  }, 300_000);

  it('SIGKILL between the evidence head\'s write and the tags\' write: the tags are not the newest record, and the re-run tests LIVE again', async () => {
    fs.writeFileSync(env.p.fnFile, goodCode);
    expect((await deploy()).outcome).toBe('verified');
    fs.writeFileSync(env.p.fnFile, `${goodCode}\n// candidate E\n`);
    const e = candidateSha256(fs.readFileSync(env.p.fnFile));
    // The evidence step checks the lease, reads the tags, the store's ETag, the head and the rollback target, then
    // writes the store (the 6th response) and only then the tags.
    const child = await runChild({ dir: env.p.dir, endpoint: env.emulator.endpoint, stage: 'dev', op: 'deploy', kill: { on: 'start', match: 'signing the evidence', afterRequests: 6 } });
    expect(child.killed).toBe(true);
    const out = env.p.context().outputs.read('dev')!;
    const head = parseHead(await new ReservedStore(env.p.kvs, out.kvsArn).get(HEAD_KEY))!;
    const tags = await readEvidenceTags(env.p.cf, out.functionArn);
    expect(head.seq).toBe(Number(tags.seq) + 1);
    expect(await env.p.liveSha('dev')).toBe(e);
    expect(await env.p.liveProblem('dev')).toMatch(new RegExp(`it is record ${tags.seq}, not the stage's newest \\(record ${head.seq}`));
    env.p.freshRunner();
    const r = await deploy();
    expect(r.recovery).toMatch(/not the stage's newest.*passed the suite and is now recorded as verified/);
    expect(r.outcome).toBe('verified');
    expect(await env.p.liveSha('dev')).toBe(e);
    expect(await env.p.liveProblem('dev')).toBeUndefined();
    fs.writeFileSync(env.p.fnFile, goodCode);
  });

  it.each([
    ['a 5xx', { serverErrorRate: 1 }, /LIVE verification could not complete \(ServiceUnavailable/],
    ['throttling', { throttleRate: 1 }, /LIVE verification could not complete \(Throttling/],
    ['an ETag conflict', { concurrentWriteRate: 1 }, /LIVE verification could not complete \(.*LIVE ETag of .* changed while its suite ran/],
  ] as const)('%s while verifying LIVE goes verify -> rollback -> evidence, and says what happened', async (_what, fault, message) => {
    // Start from a verified LIVE (the previous test left the good code there).
    fs.writeFileSync(env.p.fnFile, goodCode);
    expect((await deploy()).outcome).toBe('verified');
    const before = await env.p.liveSha('dev');
    fs.writeFileSync(env.p.fnFile, `${goodCode}\n// ${_what}\n`);
    const ledger = path.join(env.p.stateDir, 'ledger.jsonl');
    const r = await deploy(faultsOnSteps([[/testing LIVE/, fault as FaultConfig], [/rolling LIVE back/, {}]]));
    env.emulator.setFaults({});
    expect(r.published).toBe(true);
    expect(r.outcome).toBe('rolled-back');
    expect(r.message).toMatch(message);
    expect(r.message).toMatch(/LIVE was rolled back to [0-9a-f]{12}/);
    expect(r.message).not.toMatch(/nothing was published/);
    expect(readLedger(ledger).at(-1)).toMatchObject({ event: 'rolled-back', stage: 'dev' });
    expect(await env.p.liveSha('dev')).toBe(before);
    expect(await env.p.liveProblem('dev')).toBeUndefined();
  });

  it('a publish that fails with an unknown outcome (5xx after retries) is checked, never left unverified', async () => {
    fs.writeFileSync(env.p.fnFile, goodCode);
    expect((await deploy()).outcome).toBe('verified');
    const before = await env.p.liveSha('dev');
    fs.writeFileSync(env.p.fnFile, `${goodCode}\n// publish fails\n`);
    const r = await deploy(faultsOnSteps([[/publishing/, { serverErrorRate: 1 }], [/rolling LIVE back/, {}]]));
    env.emulator.setFaults({});
    expect(r.outcome).toBe('failed');
    expect(r.message).toMatch(new RegExp(`publishing did not complete \\(ServiceUnavailable.*LIVE still runs the verified ${before!.slice(0, 12)} \\(restored code re-checked in LIVE, evidence recorded\\)`));
    expect(await env.p.liveSha('dev')).toBe(before);
    expect(await env.p.liveProblem('dev')).toBeUndefined();
  });

  it('LIVE changed outside the pipeline (no valid evidence): the next run tests it and rolls it back when it fails', async () => {
    fs.writeFileSync(env.p.fnFile, goodCode);
    expect((await deploy()).outcome).toBe('verified');
    const verified = await env.p.liveSha('dev');
    // Someone publishes other code straight through the API (what a kill after publish also leaves behind).
    const id = env.p.context().outputs.read('dev')!.functionId;
    const dev = await readFunctionStage(env.p.cf, id, 'DEVELOPMENT');
    const upd = await env.p.cf.send(new UpdateConnectionFunctionCommand({ Id: id, IfMatch: dev.etag, ConnectionFunctionConfig: dev.summary.ConnectionFunctionConfig,
      ConnectionFunctionCode: Buffer.from(goodCode.replace(/await kvs\.exists\(serial\)/, 'false')) }));
    await publishAndWait(env.p.cf, id, upd.ETag!, { intervalMs: 20 });
    expect(await env.p.liveSha('dev')).not.toBe(verified);
    env.p.freshRunner();
    const r = await deploy();
    expect(r.recovery).toMatch(/LIVE ran unverified [0-9a-f]{12} \(the evidence speaks for .*cases failed in LIVE.*restored the last verified code/);
    expect(r.outcome).toBe('verified');
    expect(await env.p.liveSha('dev')).toBe(verified);
    expect(await env.p.liveProblem('dev')).toBeUndefined();
  });

  it('a publish by someone else while LIVE is verified is reported, never rolled back over', async () => {
    fs.writeFileSync(env.p.fnFile, goodCode);
    expect((await deploy()).outcome).toBe('verified');
    const fnId = env.p.context().outputs.read('dev')!.functionId;
    // Another writer (outside this run's lease) publishes its own code as soon as this run's LIVE tests begin.
    const other = new TextEncoder().encode(`${goodCode}\n// published by another writer\n`);
    let armed = true;
    const stack = env.p.cf.middlewareStack as unknown as { add(mw: unknown, o: unknown): void; remove(name: string): boolean };
    stack.add((next: (a: { input: { Stage?: string } }) => Promise<unknown>, context: { commandName?: string }) => async (args: { input: { Stage?: string } }) => {
      const out = await next(args);
      if (armed && context.commandName === 'TestConnectionFunctionCommand' && args.input.Stage === 'LIVE') {
        armed = false;
        await restoreAndPublish(env.p.cf, fnId, other);
      }
      return out;
    }, { step: 'initialize', name: 'anotherWriter' });
    fs.writeFileSync(env.p.fnFile, `${goodCode}\n// a candidate that fails in LIVE\n`);
    let r: StageRunReport;
    try {
      r = await deploy(faultsOnSteps([[/testing LIVE/, { failLiveTestRate: 1 }], [/rolling LIVE back/, {}]]));
    } finally {
      stack.remove('anotherWriter');
      env.emulator.setFaults({});
    }
    expect(armed).toBe(false);
    expect(r.outcome).toBe('failed');
    expect(r.message).toMatch(/cases failed in LIVE.*LIVE holds [0-9a-f]{12}, which neither this run nor its rollback target put there.*not rolled back over/);
    // The other writer's code stays LIVE: this run did not publish over it.
    expect(await env.p.liveSha('dev')).toBe(candidateSha256(other));
    // The next run finds it without evidence, tests it and records it (it passes the suite).
    env.p.freshRunner();
    fs.writeFileSync(env.p.fnFile, goodCode);
    await deploy();
    expect(await env.p.liveProblem('dev')).toBeUndefined();
  });
});
