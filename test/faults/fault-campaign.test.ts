import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../emulator';
import type { FaultConfig } from '../../emulator/faults';
import { breakCandidate } from '../../demo/demo-flow';
import { readFunctionStage, tryReadFunctionStage } from '../../orchestrator/stage/function-stages';
import { runStagePipeline } from '../../orchestrator/pipeline/pipeline';
import { loadRevocationSource } from '../../revocation/load-source';
import { syncRevocations } from '../../revocation/sync';
import { CampaignProject } from './campaign-project';
import type { ChildOrder } from './pipeline-child';
import { associatedFunction, runChild } from './run-child';
import { seededRandom } from './seeded-random';

/**
 * Fault and crash runs: deploys, promotions and syncs against the emulator with faults on (latency, throttling,
 * 5xx, ETag conflicts, failing LIVE tests), and pipelines SIGKILLed at chosen points, each followed by a clean re-run
 * on a fresh runner (every local file gone but Terraform's own state). After each re-run the invariants must hold:
 * I1 every stage's LIVE runs code with valid signed evidence for that stage; I2 every promoted stage's LIVE code was
 * verified upstream; I3 every synced store holds exactly its source's serials plus the canary (plus conngate's
 * reserved keys); and a distribution is only associated with a LIVE whose evidence verifies.
 * Seeded: CONNGATE_FAULT_SEED=<n> repeats a run's choices (the printed seed).
 */
const SEED = Number(process.env.CONNGATE_FAULT_SEED ?? 20261201);
const FAULT_RUNS = 51;
const CRASH_RUNS = 26;
const STAGES = ['dev', 'staging', 'prod', 'a1', 'a2', 'a3'];

jest.setTimeout(420_000);

type Op = { kind: 'deploy' | 'sync'; stage: string };

describe(`fault and crash runs (seed ${SEED})`, () => {
  let emulator: RunningEmulator;
  let p: CampaignProject;
  let goodCode: string;
  const rand = seededRandom(SEED);
  const pool = Array.from({ length: 300 }, (_, i) => (0x10000 + i * 7919).toString(16));
  const bigPool = Array.from({ length: 1500 }, (_, i) => (0x100000 + i * 7919).toString(16));
  /** The serials each synced stage's store must hold (besides the canary). */
  const synced = new Map<string, string[]>();
  /** Every sha that ever had valid evidence in a stage, after a clean re-run. */
  const verifiedIn = new Map<string, Set<string>>(STAGES.map((s) => [s, new Set<string>()]));
  const violations: string[] = [];
  const outcomes: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const counts = { faultRuns: 0, faultRunsFailed: 0, crashRuns: 0, killed: 0, reRuns: 0, invariantChecks: 0, byKillPoint: {} as Record<string, number> };

  const serialFile = (stage: string) => path.join(p.dir, `serials-${stage}.txt`);

  async function liveCode(stage: string): Promise<string | undefined> {
    const l = await tryReadFunctionStage(p.cf, p.spec(stage).functionName, 'LIVE');
    return l && Buffer.from(l.code).toString('utf8');
  }

  /** Sets the checkout up for an operation: a new candidate for dev, the upstream LIVE code for a promotion. */
  async function prepare(op: Op, opts: { mayBreak?: boolean } = { mayBreak: true }): Promise<void> {
    if (op.kind === 'sync') {
      const serials = pool.filter(() => rand() < 0.4);
      fs.writeFileSync(serialFile(op.stage), serials.join('\n') + '\n');
      return;
    }
    const spec = p.spec(op.stage);
    if (!spec.promotesFrom) {
      const code = `${goodCode}\n// candidate ${Math.floor(rand() * 1e9)}\n`;
      fs.writeFileSync(p.fnFile, opts.mayBreak && rand() < 0.15 ? breakCandidate(code) : code);
    } else {
      fs.writeFileSync(p.fnFile, (await liveCode(spec.promotesFrom)) ?? goodCode);
    }
  }

  async function runOp(op: Op): Promise<string> {
    if (op.kind === 'sync') {
      const o = p.context().outputs.read(op.stage) ?? p.context().outputs.require(op.stage);
      const source = await loadRevocationSource({ serialFiles: [serialFile(op.stage)] });
      await syncRevocations({ client: p.kvs, kvsArn: o.kvsArn, source, protectedKeys: [o.canarySerial!],
        snapshotDir: path.join(p.stateDir, 'revocation-snapshots'), maxDeleteShare: 1 });
      return 'synced';
    }
    const r = await runStagePipeline(p.context(), op.stage, p.applier());
    return r.outcome;
  }

  /** The stage's outputs file entry, as a fresh runner gets it from Terraform: a converging deploy, no faults. */
  async function ensureOutputs(stage: string): Promise<void> {
    if (p.context().outputs.read(stage)) return;
    const code = fs.readFileSync(p.fnFile);
    fs.writeFileSync(p.fnFile, (await liveCode(stage)) ?? goodCode);
    await runStagePipeline(p.context(), stage, p.applier()).catch(() => undefined);
    fs.writeFileSync(p.fnFile, code);
  }

  /** A fresh runner re-runs the operation with no faults; its outputs come from applying again (Terraform's state). */
  async function cleanReRun(op: Op): Promise<void> {
    emulator.setFaults({});
    p.freshRunner();
    counts.reRuns++;
    try {
      if (op.kind === 'sync') {
        await ensureOutputs(op.stage);
        if (!synced.has(op.stage)) synced.set(op.stage, []);
        await runOp(op);
        synced.set(op.stage, [...(await loadRevocationSource({ serialFiles: [serialFile(op.stage)] })).entries.keys()]);
      } else {
        await runOp(op);
      }
    } catch (e) {
      // A refusal (the gate, a candidate failing in DEVELOPMENT) is an answer, not a violation; the checks decide.
      if (!/refused|gate|DEVELOPMENT/.test((e as Error).message)) violations.push(`re-run of ${op.kind} ${op.stage} threw: ${(e as Error).message}`);
    }
  }

  async function checkInvariants(label: string): Promise<void> {
    counts.invariantChecks++;
    for (const stage of STAGES) {
      const spec = p.spec(stage);
      const live = await tryReadFunctionStage(p.cf, spec.functionName, 'LIVE');
      if (!live) continue;
      const problem = await p.liveProblem(stage);
      if (problem) violations.push(`${label}: I1 ${stage}: ${problem}`);
      else verifiedIn.get(stage)!.add(live.sha256);
      if (spec.promotesFrom && !verifiedIn.get(spec.promotesFrom)!.has(live.sha256)) {
        violations.push(`${label}: I2 ${stage} runs ${live.sha256.slice(0, 12)}, never verified in ${spec.promotesFrom}`);
      }
      const o = p.context().outputs.read(stage);
      if (o?.distributionId && await associatedFunction(p.cf, o.distributionId) && problem) {
        violations.push(`${label}: ${stage} is associated with a LIVE whose evidence does not verify`);
      }
    }
    for (const [stage, serials] of synced) {
      const o = p.context().outputs.read(stage);
      if (!o) continue;
      const want = [...new Set([...serials, o.canarySerial!])].sort();
      const have = await p.storeSerials(o.kvsArn);
      if (JSON.stringify(have) !== JSON.stringify(want)) violations.push(`${label}: I3 ${stage} store holds ${have.length} serials, source + canary is ${want.length}`);
    }
  }

  beforeAll(async () => {
    process.stdout.write(`fault and crash runs: seed ${SEED} (repeat with CONNGATE_FAULT_SEED=${SEED})\n`);
    p = await CampaignProject.create('conngate-faults', STAGES);
    emulator = await startEmulator({ port: 0 });
    p.connect(emulator.endpoint, { fastRetries: true });
    goodCode = fs.readFileSync(p.fnFile, 'utf8');
    for (const stage of ['dev', 'staging', 'prod']) {
      fs.writeFileSync(p.fnFile, goodCode);
      expect([stage, await runOp({ kind: 'deploy', stage })]).toEqual([stage, 'verified']);
    }
    await checkInvariants('setup');
  });
  afterAll(async () => {
    await emulator?.close();
    p?.remove();
  });

  it(`${FAULT_RUNS} deploys, promotions and syncs with emulator faults, each followed by a clean re-run`, async () => {
    const ops: Op[] = [{ kind: 'deploy', stage: 'dev' }, { kind: 'deploy', stage: 'staging' }, { kind: 'sync', stage: 'dev' },
      { kind: 'deploy', stage: 'prod' }, { kind: 'sync', stage: 'staging' }];
    for (let i = 0; i < FAULT_RUNS; i++) {
      const op = ops[i % ops.length];
      await prepare(op);
      // A fresh runner learns the store's ARN from Terraform (here: a converging deploy writes the outputs file).
      if (op.kind === 'sync') await ensureOutputs(op.stage);
      const faults: FaultConfig = { latencyMs: 1, throttleRate: 0.1, serverErrorRate: 0.05, concurrentWriteRate: 0.05, failLiveTestRate: 0.1, seed: Math.floor(rand() * 2 ** 31) };
      emulator.setFaults(faults);
      counts.faultRuns++;
      try {
        const outcome = await runOp(op);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      } catch (e) {
        counts.faultRunsFailed++;
        const why = `${op.kind}: ${(e as Error).message.replace(/[0-9a-f]{12,}|arn:\S+|\b[A-Z0-9]{13,}\b/g, '…').slice(0, 90)}`;
        errors[why] = (errors[why] ?? 0) + 1;
      }
      await cleanReRun(op);
      await checkInvariants(`fault run ${i} (${op.kind} ${op.stage}, fault seed ${faults.seed})`);
    }
    process.stdout.write(`fault runs: ${counts.faultRuns} (${Object.entries(outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}, ${counts.faultRunsFailed} stopped by an error), each re-run clean on a fresh runner\n`);
    for (const [why, n] of Object.entries(errors)) process.stdout.write(`  ${n} x ${why}\n`);
    expect(violations).toEqual([]);
  });

  it(`${CRASH_RUNS} pipelines and syncs SIGKILLed at chosen points, each followed by a re-run on a fresh runner`, async () => {
    const points: { name: string; op: Op; kill: NonNullable<ChildOrder['kill']>; faults?: FaultConfig }[] = [];
    const add = (n: number, make: (i: number) => (typeof points)[number]) => { for (let i = 0; i < n; i++) points.push(make(i)); };
    add(4, () => ({ name: 'before publish', op: { kind: 'deploy', stage: 'dev' }, kill: { on: 'done', match: 'DEVELOPMENT: .* cases passed' } }));
    add(4, () => ({ name: 'after publish', op: { kind: 'deploy', stage: 'dev' }, kill: { on: 'done', match: 'published to LIVE' } }));
    add(3, (i) => ({ name: 'during verification', op: { kind: 'deploy', stage: i === 1 ? 'staging' : 'dev' }, kill: { on: 'update', match: 'testing LIVE' } }));
    add(3, () => ({ name: 'during rollback', op: { kind: 'deploy', stage: 'dev' }, kill: { on: 'start', match: 'rolling LIVE back', afterRequests: 1 + Math.floor(rand() * 14) }, faults: { failLiveTestRate: 1 } }));
    add(3, (i) => ({ name: 'during association', op: { kind: 'deploy', stage: `a${i + 1}` }, kill: { on: 'start', match: 'with the function association', afterRequests: 1 + Math.floor(rand() * 16) } }));
    add(3, (i) => ({ name: 'between sync batches', op: { kind: 'sync', stage: 'dev' }, kill: { on: 'sync', match: `batch ${2 * (i + 1)}/\\d+ written` } }));
    // A kill 'after n requests' lands when the n-th AWS response since the point has arrived and before the runner
    // reads it: the same instant of the run on any machine. The ranges stay inside what each phase sends (a rollback
    // 15 requests, an association apply 17, a whole dev deploy 45; printed by a child that was not killed).
    add(6, () => ({ name: 'at a random instant', op: { kind: 'deploy', stage: 'dev' }, kill: { on: 'start', match: '.', afterRequests: 1 + Math.floor(rand() * 44) } }));
    expect(points.length).toBe(CRASH_RUNS);

    for (const [i, point] of points.entries()) {
      const { op } = point;
      if (op.kind === 'sync') {
        // Enough changes for many batches (the sync reports every tenth of them): a fresh random set of a large pool.
        fs.writeFileSync(serialFile(op.stage), bigPool.filter(() => rand() < 0.5).join('\n') + '\n');
        // The child reads the outputs file: a fresh runner gets it from a converging deploy first.
        await ensureOutputs(op.stage);
      } else {
        await prepare(op, { mayBreak: point.name === 'at a random instant' });
      }
      emulator.setFaults(point.faults ?? {});
      counts.crashRuns++;
      const child = await runChild({ dir: p.dir, endpoint: emulator.endpoint, stage: op.stage, op: op.kind, kill: point.kill, serialFile: serialFile(op.stage) });
      emulator.setFaults({});
      if (child.killed) {
        counts.killed++;
        counts.byKillPoint[point.name] = (counts.byKillPoint[point.name] ?? 0) + 1;
      } else if (point.name !== 'at a random instant') {
        // Every chosen point lies inside the run: a run that ends before it means the kill point drifted out of the flow.
        violations.push(`crash run ${i} (${point.name}) was never killed: ${child.stdout.trim()} ${child.stderr.trim()}`.slice(0, 400));
      }
      await cleanReRun(op);
      await checkInvariants(`crash run ${i} (${point.name}, ${op.kind} ${op.stage}, ${child.killed ? 'killed' : `not killed: exit ${child.code} ${child.stdout.trim()} ${child.stderr.trim()}`})`);
      if (point.name === 'during association') {
        const o = p.context().outputs.read(op.stage)!;
        const fnId = (await readFunctionStage(p.cf, p.spec(op.stage).functionName, 'LIVE')).summary.Id;
        if (await associatedFunction(p.cf, o.distributionId!) !== fnId) violations.push(`crash run ${i}: ${op.stage} is not associated after the re-run`);
      }
    }
    process.stdout.write(`crash runs: ${counts.crashRuns}, killed ${counts.killed} (${Object.entries(counts.byKillPoint).map(([k, v]) => `${k} ${v}`).join(', ')})\n`);
    process.stdout.write(`totals: ${counts.faultRuns} fault runs, ${counts.crashRuns} crash runs (${counts.killed} SIGKILLed), ${counts.reRuns} re-runs on a fresh runner, ${counts.invariantChecks} invariant checks, ${violations.length} violations (seed ${SEED})\n`);
    expect(violations).toEqual([]);
    expect(counts.killed).toBeGreaterThanOrEqual(20);
  });
});
