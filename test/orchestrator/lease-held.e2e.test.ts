import type { RunningEmulator } from '../../emulator';
import { ReservedStore } from '../../orchestrator/records/reserved-store';
import { LEASE_KEY, StageLease } from '../../orchestrator/records/stage-lease';
import { NothingPublished, StepError } from '../../orchestrator/stage/step-error';
import { emulatorStore } from '../revocation/emulator-store';

/** What the run's check before each write (assertHeld) refuses: a lease past its expiry, a failed renewal, an unreadable lease. */
describe('stage lease: held means holder and expiry, and a failed renewal is never silent', () => {
  let emulator: RunningEmulator;
  let store: ReservedStore;
  const put = async (record: object) => store.write(await store.etag(), [{ key: LEASE_KEY, value: JSON.stringify(record) }]);
  const refusal = async (lease: StageLease) => lease.assertHeld().then(() => undefined, (e: unknown) => e as Error);

  beforeAll(async () => {
    const s = await emulatorStore();
    emulator = s.emulator;
    store = new ReservedStore(s.client, s.kvsArn);
  });
  afterEach(async () => {
    emulator.setFaults({});
    await store.write(await store.etag(), [], [LEASE_KEY]).catch(() => undefined);
  });
  afterAll(async () => emulator?.close());

  it('a lease still naming this run but past its expiry is not held, and stays lost once found so', async () => {
    const lease = await StageLease.acquire(store, { stage: 'dev' });
    await expect(lease.assertHeld()).resolves.toBeUndefined();
    // As after a stall (a suspended runner, a blocked event loop) longer than the lease's life: no renewal came.
    const expiredAt = new Date(Date.now() - 1000).toISOString();
    await put({ ...lease.record, expiresAt: expiredAt });
    const e = await refusal(lease);
    expect(e).toBeInstanceOf(NothingPublished);
    expect(e!.message).toBe(`lock: the lease on stage "dev" was lost at ${expiredAt} (it expired at ${expiredAt} by this runner's clock before it was renewed): nothing was published`
      + ' (fix: check `conngate status`, then re-run (when another run holds the stage, after it is done))');
    // Before a write other than a publish (the rollback target, evidence, a rollback), the refusal names that write
    // and does not claim nothing was published.
    const other = await lease.assertHeld('the passed evidence for abc').then(() => undefined, (x: unknown) => x as Error);
    expect(other).toBeInstanceOf(StepError);
    expect(other).not.toBeInstanceOf(NothingPublished);
    expect(other!.message).toMatch(/^lock: the lease on stage "dev" was lost at \S+ \(it expired .*\): the passed evidence for abc was not written/);
    // A later write of a fresh expiry (e.g. a renewal that raced) does not make the run's lease trusted again.
    await put({ ...lease.record, expiresAt: new Date(Date.now() + 60_000).toISOString() });
    expect(await refusal(lease)).toBeInstanceOf(NothingPublished);
    await lease.release();
    expect(await StageLease.read(store)).toBeUndefined();
  });

  it('a renewal that fails (the store rejects every write) marks the lease lost, with when and why', async () => {
    const lease = await StageLease.acquire(store, { stage: 'dev', ttlMs: 6000 });
    const acquiredAt = Date.now();
    emulator.setFaults({ failOperations: ['UpdateKeys'] });
    // The first renewal comes after 2 s; well before the lease's own expiry (6 s) the check must refuse.
    let e: Error | undefined;
    while (!e && Date.now() - acquiredAt < 5000) {
      e = await refusal(lease);
      if (!e) await new Promise((r) => setTimeout(r, 100));
    }
    expect(Date.now() - acquiredAt).toBeLessThan(6000);
    expect(e).toBeInstanceOf(NothingPublished);
    expect(e!.message).toMatch(/^lock: the lease on stage "dev" was lost at \S+Z \(renewal failed: .*\): nothing was published/);
    // The lease record itself still names this run (the write never landed); the check refused on the failure alone.
    expect((await StageLease.read(store))?.holder).toBe(lease.record.holder);
    emulator.setFaults({});
    expect(await refusal(lease)).toBeInstanceOf(NothingPublished);
    await lease.release();
    expect(await StageLease.read(store)).toBeUndefined();
  });

  it('a renewal whose every write meets a concurrent writer (four conflicts) marks the lease lost too', async () => {
    const lease = await StageLease.acquire(store, { stage: 'dev', ttlMs: 3000 });
    const acquiredAt = Date.now();
    emulator.setFaults({ concurrentWriteRate: 1 });
    let e: Error | undefined;
    while (!e && Date.now() - acquiredAt < 2800) {
      e = await refusal(lease);
      if (!e) await new Promise((r) => setTimeout(r, 100));
    }
    emulator.setFaults({});
    expect(e).toBeInstanceOf(NothingPublished);
    expect(e!.message).toMatch(/\(renewal failed: the store changed under each of 4 attempts to write the lease\): nothing was published/);
    await lease.release();
  });

  it('a lease that cannot be read is not vouched for: the check refuses instead of letting the write go ahead', async () => {
    const lease = await StageLease.acquire(store, { stage: 'dev' });
    emulator.setFaults({ failOperations: ['GetKey'] });
    const e = await refusal(lease);
    expect(e).toBeInstanceOf(NothingPublished);
    expect(e!.message).toMatch(/the lease on stage "dev" was lost at \S+Z \(it could not be read: .*\): nothing was published/);
    emulator.setFaults({});
    await lease.release();
  });

  it('a lease record written with line breaks and escapes is shown escaped in the refusal', async () => {
    const lease = await StageLease.acquire(store, { stage: 'dev' });
    await put({ holder: 'feedface-0000', host: 'ci\nconngate: all good \u001b[2K', pid: 7, since: 'now', expiresAt: new Date(Date.now() + 60_000).toISOString() });
    const e = await refusal(lease);
    expect(e).toBeInstanceOf(NothingPublished);
    expect(e!.message.split('\n')).toHaveLength(1);
    expect(e!.message).toContain('runner feedface (pid 7 on ci\\u000aconngate: all good \\u001b[2K) took it over');
  });
});
