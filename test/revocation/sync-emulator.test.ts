import * as path from 'node:path';
import { resetApiCalls } from '../../revocation/api-call-counter';
import { canonicalSerial } from '../../revocation/canonical-serial';
import { REVOKED_VALUE, RevokedSet } from '../../revocation/revoked-set';
import { startEmulator } from '../../emulator';
import { syncRevocations, SyncOptions } from '../../revocation/sync';
import { CANARY, emulatorFixture, emulatorStore, EmulatorStore, putDirect, readAll, storeEtag } from './emulator-store';

const serials = (n: number, from = 0, prefix = '9e'): string[] =>
  Array.from({ length: n }, (_, i) => canonicalSerial(`${prefix}${(from + i).toString(16).padStart(14, '0')}`)!);
const source = (keys: string[]): RevokedSet => ({ entries: new Map(keys.map((k) => [k, REVOKED_VALUE])), inputs: ['test source'] });
const expected = (keys: string[]): Map<string, string> =>
  new Map([...keys, CANARY].sort().map((k) => [k, REVOKED_VALUE]));
const sorted = (m: Map<string, string>): Map<string, string> => new Map([...m].sort(([a], [b]) => (a < b ? -1 : 1)));

describe('revocation sync into the emulator', () => {
  const fx = emulatorFixture();

  const sync = (s: EmulatorStore, keys: string[], extra: Partial<SyncOptions> = {}) =>
    syncRevocations({ client: s.client, kvsArn: s.kvsArn, source: source(keys), protectedKeys: [CANARY], ...extra });

  it('loads a source, then writes a delta with only its UpdateKeys calls when the snapshot is current', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    const snapshotDir = path.join(fx.dir, 'snap-delta');
    const first = serials(300);
    const r1 = await sync(s, first, { snapshotDir });
    expect(r1).toMatchObject({ puts: 300, deletes: 0, batches: 6, readMode: 'listed', storeKeysAfter: 301 });
    expect(s.calls.byCommand).toEqual({ DescribeKeyValueStore: 1, ListKeys: 1, UpdateKeys: 6 });
    expect(sorted(await readAll(s.client, s.kvsArn))).toEqual(expected(first));

    // 20 un-revoked, 30 newly revoked: one batch of 50 and not one read.
    const second = [...first.slice(20), ...serials(30, 1000)];
    resetApiCalls(s.calls);
    const r2 = await sync(s, second, { snapshotDir });
    expect(r2).toMatchObject({ puts: 30, deletes: 20, batches: 1, readMode: 'snapshot', unchanged: 280 });
    expect(s.calls.byCommand).toEqual({ UpdateKeys: 1 });
    expect(r2.etag).toBe(await storeEtag(s.client, s.kvsArn));
    expect(sorted(await readAll(s.client, s.kvsArn))).toEqual(expected(second));

    // Nothing to do: one Describe confirms the snapshot.
    resetApiCalls(s.calls);
    const r3 = await sync(s, second, { snapshotDir });
    expect(r3).toMatchObject({ puts: 0, deletes: 0, batches: 0, readMode: 'snapshot' });
    expect(s.calls.byCommand).toEqual({ DescribeKeyValueStore: 1 });

    // Without a snapshot the same work lists the store first, and is just as exact.
    resetApiCalls(s.calls);
    const third = [...second.slice(5), ...serials(5, 2000)];
    await sync(s, third);
    expect(s.calls.byCommand).toEqual({ DescribeKeyValueStore: 1, ListKeys: 7, UpdateKeys: 1 });
    expect(sorted(await readAll(s.client, s.kvsArn))).toEqual(expected(third));
  });

  it('falls back to listing when another writer changed the store after the snapshot', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    const snapshotDir = path.join(fx.dir, 'snap-stale');
    const keys = serials(200);
    await sync(s, keys, { snapshotDir });
    await putDirect(s.client, s.kvsArn, ['aa01', 'aa02']); // not in the source: must go
    resetApiCalls(s.calls);
    const next = [...keys, ...serials(10, 500)];
    const r = await sync(s, next, { snapshotDir });
    expect(r).toMatchObject({ conflicts: 1, readMode: 'listed', plannedPuts: 10, plannedDeletes: 2 });
    expect(s.calls.byCommand).toEqual({ UpdateKeys: 2, DescribeKeyValueStore: 1, ListKeys: 5 });
    expect(sorted(await readAll(s.client, s.kvsArn))).toEqual(expected(next));
  });

  it('never deletes the canary, even when the source omits it', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    await sync(s, ['01']);
    const r = await sync(s, ['02'], { allowMassDelete: true });
    expect(r.deletes).toBe(1);
    expect(sorted(await readAll(s.client, s.kvsArn))).toEqual(expected(['02']));
  });

  it('survives injected Conflicts with an exact end state', async () => {
    const faulty = await startEmulator({ port: 0 });
    try {
      const s = await emulatorStore({ emulator: faulty });
      faulty.setFaults({ concurrentWriteRate: 0.3, seed: 11 });
      const first = serials(600);
      const r1 = await sync(s, first, { snapshotDir: path.join(fx.dir, 'snap-conflict'), maxConflicts: 50 });
      expect(r1.conflicts).toBeGreaterThan(0);
      const second = [...first.slice(30), ...serials(70, 5000)];
      const r2 = await sync(s, second, { snapshotDir: path.join(fx.dir, 'snap-conflict'), maxConflicts: 50 });
      expect(r1.conflicts + r2.conflicts).toBeGreaterThan(1);
      faulty.setFaults({});
      expect(sorted(await readAll(s.client, s.kvsArn))).toEqual(expected(second));
    } finally {
      await faulty.close();
    }
  });

  it('gives up after maxConflicts with the store still consistent', async () => {
    const faulty = await startEmulator({ port: 0 });
    try {
      const s = await emulatorStore({ emulator: faulty });
      faulty.setFaults({ concurrentWriteRate: 1 });
      await expect(sync(s, serials(10), { maxConflicts: 3 })).rejects.toThrow(/the store kept changing under the sync \(4 conflicts\)/);
      expect(s.calls.byCommand.UpdateKeys).toBe(4);
      faulty.setFaults({});
      expect(sorted(await readAll(s.client, s.kvsArn))).toEqual(expected([]));
    } finally {
      await faulty.close();
    }
  });

  it('an interrupted sync leaves whole batches applied and a re-run converges', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    const snapshotDir = path.join(fx.dir, 'snap-abort');
    const old = serials(100, 0, '11');
    await sync(s, old, { snapshotDir });
    const target = [...old.slice(10), ...serials(490, 0, '9e')]; // 490 puts then 10 deletes: 10 batches
    const abort = new AbortController();
    await expect(sync(s, target, {
      snapshotDir, signal: abort.signal, allowMassDelete: true,
      onProgress: (l) => { if (l.startsWith('batch 3/10')) abort.abort(); },
    })).rejects.toThrow(/sync interrupted after 3 batches.*run the same sync again/);
    const mid = await readAll(s.client, s.kvsArn);
    expect(mid.size).toBe(1 + 100 + 150); // canary, all old keys, the first three batches of new ones
    for (const k of old) expect(mid.has(k)).toBe(true);
    resetApiCalls(s.calls);
    const r = await sync(s, target, { snapshotDir, allowMassDelete: true });
    expect(r).toMatchObject({ puts: 340, deletes: 10, readMode: 'snapshot' });
    expect(s.calls.byCommand).toEqual({ UpdateKeys: 7 });
    expect(sorted(await readAll(s.client, s.kvsArn))).toEqual(expected(target));
  });

  it('refuses mass deletes and an empty source, changing nothing', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    const keys = serials(100);
    await sync(s, keys);
    const before = await storeEtag(s.client, s.kvsArn);
    await expect(sync(s, keys.slice(0, 85))).rejects.toThrow(/refusing to delete 15 of 101 keys \(14\.9%\), over the 10% limit.*--allow-mass-delete/);
    await expect(sync(s, [])).rejects.toThrow(/the source lists no revoked serials.*--allow-mass-delete/);
    expect(await storeEtag(s.client, s.kvsArn)).toBe(before);
    await expect(sync(s, keys.slice(0, 85), { maxDeleteShare: 0.2 })).resolves.toMatchObject({ deletes: 15 });
    await expect(sync(s, [], { allowMassDelete: true })).resolves.toMatchObject({ deletes: 85, storeKeysAfter: 1 });
    expect(sorted(await readAll(s.client, s.kvsArn))).toEqual(expected([]));
  });

  it('refuses a source that would not fit the store limits before writing anything', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    const before = await storeEtag(s.client, s.kvsArn);
    await expect(sync(s, ['01', 'ab'.repeat(300)])).rejects.toThrow(/is 600 bytes as a key, over the KeyValueStore limit of 512/);
    expect(await storeEtag(s.client, s.kvsArn)).toBe(before);
  });

  it('dry run reports the difference and writes nothing', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    await sync(s, serials(60));
    const before = await storeEtag(s.client, s.kvsArn);
    resetApiCalls(s.calls);
    const r = await sync(s, [...serials(58), ...serials(3, 900)], { dryRun: true, snapshotDir: path.join(fx.dir, 'snap-dry') });
    expect(r).toMatchObject({ dryRun: true, plannedPuts: 3, plannedDeletes: 2, puts: 0, deletes: 0, unchanged: 58 });
    expect(r.sampleDeletes).toEqual(serials(2, 58));
    expect(s.calls.byCommand.UpdateKeys).toBeUndefined();
    expect(await storeEtag(s.client, s.kvsArn)).toBe(before);
  });
});
