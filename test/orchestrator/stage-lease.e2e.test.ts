import * as fs from 'node:fs';
import * as path from 'node:path';
import { readLedger } from '../../orchestrator/evidence/evidence';
import { OutputsStore } from '../../orchestrator/stage/outputs-store';
import { runStagePipeline } from '../../orchestrator/pipeline/pipeline';
import { ReservedStore } from '../../orchestrator/records/reserved-store';
import { LEASE_KEY, StageLease } from '../../orchestrator/records/stage-lease';
import { NothingPublished } from '../../orchestrator/stage/step-error';
import { TemplateApplier } from '../faults/campaign-project';
import { campaignOnEmulator } from '../faults/campaign-emulator';

jest.setTimeout(300_000);

/** The stage lease in the stage's KeyValueStore: what keeps two runners on different machines apart. */
describe('stage lease across machines', () => {
  const env = campaignOnEmulator('conngate-lease');
  let goodCode: string;
  const store = () => new ReservedStore(env.p.kvs, env.p.context().outputs.read('dev')!.kvsArn);
  const putLease = async (lease: object) => {
    const s = store();
    await s.write(await s.etag(), [{ key: LEASE_KEY, value: JSON.stringify(lease) }]);
  };

  beforeAll(async () => {
    goodCode = fs.readFileSync(env.p.fnFile, 'utf8');
    expect((await runStagePipeline(env.p.context(), 'dev', env.p.applier())).outcome).toBe('verified');
  });

  it('two CI runners (separate disks, one Terraform state) deploy one stage at once: exactly one proceeds', async () => {
    fs.writeFileSync(env.p.fnFile, goodCode + '\n// two runners\n');
    // Runner B has its own state folder (no shared lock file), sharing only Terraform's state, as two CI machines do.
    const otherState = path.join(env.p.dir, '.conngate-runner-b');
    fs.mkdirSync(otherState, { recursive: true });
    fs.symlinkSync(path.join(env.p.stateDir, 'local-state'), path.join(otherState, 'local-state'));
    const ctxB = { ...env.p.context(), stateDir: otherState, outputs: new OutputsStore(path.join(otherState, 'outputs.json')) };
    const applierB = new TemplateApplier({ templatesDir: env.p.templatesDir, dir: env.p.dir, stateDir: otherState, cf: env.p.cf, kvs: env.p.kvs, stages: env.p.stages });
    env.emulator.setFaults({ latencyMs: 5 });
    const results = await Promise.allSettled([
      runStagePipeline(env.p.context(), 'dev', env.p.applier()),
      runStagePipeline(ctxB, 'dev', applierB),
    ]);
    env.emulator.setFaults({});
    const won = results.filter((r) => r.status === 'fulfilled' && r.value.outcome === 'verified');
    const refused = results.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as Error).message);
    expect(won).toHaveLength(1);
    expect(refused).toEqual([expect.stringMatching(/^lock: another conngate run holds stage "dev" \(runner [0-9a-f]{8}, pid \d+ on .*lease until/)]);
    expect(await env.p.liveProblem('dev')).toBeUndefined();
    // The winner released its lease.
    expect(await StageLease.read(store())).toBeUndefined();
  });

  it('a lease from a dead runner on another machine expires; a live one refuses until --force-unlock, which is logged', async () => {
    await putLease({ holder: 'deadbeef-0000', host: 'ci-runner-7', pid: 4242, since: '2026-01-01T00:00:00Z', expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect((await runStagePipeline(env.p.context(), 'dev', env.p.applier())).outcome).toBe('verified');

    await putLease({ holder: 'cafebabe-0000', host: 'ci-runner-8', pid: 4343, since: '2026-01-01T00:00:00Z', expiresAt: new Date(Date.now() + 600_000).toISOString() });
    await expect(runStagePipeline(env.p.context(), 'dev', env.p.applier())).rejects.toThrow(/another conngate run holds stage "dev" \(runner cafebabe, pid 4343 on ci-runner-8.*--force-unlock/);
    const r = await runStagePipeline({ ...env.p.context(), forceUnlock: true }, 'dev', env.p.applier());
    expect(r.outcome).toBe('verified');
    const ledger = readLedger(path.join(env.p.stateDir, 'ledger.jsonl'));
    expect(ledger.find((l) => l.event === 'force-unlock')?.detail).toMatch(/--force-unlock broke the lease of runner cafebabe \(pid 4343 on ci-runner-8/);
  });

  it('a run that lost its lease (taken over while it applied) publishes nothing', async () => {
    fs.writeFileSync(env.p.fnFile, goodCode + '\n// lost lease\n');
    const before = await env.p.liveSha('dev');
    // Another runner takes the lease over while this one applies (e.g. after --force-unlock on another machine).
    const inner = env.p.applier();
    const applier = {
      kind: inner.kind,
      apply: async (stage: string, opts: { associate: boolean }) => {
        const o = await inner.apply(stage, opts);
        await putLease({ holder: 'feedface-0000', host: 'ci-runner-9', pid: 1, since: 'now', expiresAt: new Date(Date.now() + 600_000).toISOString() });
        return o;
      },
    };
    await expect(runStagePipeline(env.p.context(), 'dev', applier)).rejects.toThrow(/the lease on stage "dev" was lost at \S+Z \(runner feedface \(pid 1 on ci-runner-9\) took it over\): nothing was published/);
    expect(await env.p.liveSha('dev')).toBe(before);
    // The other runner's lease was left alone.
    expect((await StageLease.read(store()))?.holder).toBe('feedface-0000');
    await putLease({ holder: 'feedface-0000', host: 'ci-runner-9', pid: 1, since: 'now', expiresAt: new Date(Date.now() - 1000).toISOString() });
  });

  /** An applier that does `after` once the stage is applied, while the run holds its lease. */
  const applyThen = (after: () => Promise<void>) => {
    const inner = env.p.applier();
    return { kind: inner.kind, apply: async (stage: string, opts: { associate: boolean }) => {
      const o = await inner.apply(stage, opts);
      await after();
      return o;
    } };
  };

  it('a renewal that fails in the middle of a run stops it before publishing, saying so; nothing is published', async () => {
    fs.writeFileSync(env.p.fnFile, goodCode + '\n// renewal fails\n');
    const before = await env.p.liveSha('dev');
    // The store rejects every write for 2.5 s after the apply: the lease (renewed every second) misses a renewal.
    const applier = applyThen(async () => {
      env.emulator.setFaults({ failOperations: ['UpdateKeys'] });
      await new Promise((r) => setTimeout(r, 2500));
      env.emulator.setFaults({});
    });
    const err = await runStagePipeline({ ...env.p.context(), leaseTtlMs: 3000 }, 'dev', applier).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(NothingPublished);
    expect((err as Error).message).toMatch(/^lock: the lease on stage "dev" was lost at \S+Z \(renewal failed: .*\): nothing was published/);
    expect(await env.p.liveSha('dev')).toBe(before);
    const last = readLedger(path.join(env.p.stateDir, 'ledger.jsonl')).at(-1)!;
    // DEVELOPMENT was tested (the check stops the publish, not the tests), and the lease is given up.
    expect(last).toMatchObject({ event: 'failed', detail: expect.stringMatching(/renewal failed/), development: expect.objectContaining({ failed: 0 }) });
    expect(await StageLease.read(store())).toBeUndefined();
  });

  it('a lease whose expiry passed in the middle of a run (no renewal came) stops it before publishing', async () => {
    fs.writeFileSync(env.p.fnFile, goodCode + '\n// lease expired\n');
    const before = await env.p.liveSha('dev');
    // The record still names this run, but its expiry is behind this runner's clock: another runner may take it now.
    const applier = applyThen(async () => {
      const mine = (await StageLease.read(store()))!;
      await putLease({ ...mine, expiresAt: new Date(Date.now() - 1000).toISOString() });
    });
    const err = await runStagePipeline(env.p.context(), 'dev', applier).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(NothingPublished);
    expect((err as Error).message).toMatch(/the lease on stage "dev" was lost at \S+Z \(it expired at \S+Z by this runner's clock before it was renewed\): nothing was published/);
    expect(await env.p.liveSha('dev')).toBe(before);
  });
});
