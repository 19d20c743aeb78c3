import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { RunningEmulator } from '../../emulator';
import { ReservedStore } from '../../orchestrator/records/reserved-store';
import { LEASE_KEY, StageLease } from '../../orchestrator/records/stage-lease';
import { emulatorStore } from '../revocation/emulator-store';

/**
 * Two CI containers often share a hostname (host networking, a fixed --hostname) but never their pids. A live
 * runner's lease seen from the other container names a pid that does not exist there: that must not read as "its
 * process is gone", or both runners proceed. Within one pid namespace a dead pid still frees the lease at once.
 */
describe('stage lease: a pid is only judged in its own pid namespace', () => {
  let emulator: RunningEmulator;
  let store: ReservedStore;
  const ownNs = (() => { try { return fs.readlinkSync('/proc/self/ns/pid'); } catch { return undefined; } })();
  // A pid that existed a moment ago and is gone now.
  const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
  const put = async (lease: object) => store.write(await store.etag(), [{ key: LEASE_KEY, value: JSON.stringify(lease) }]);
  const lease = (pidns: string | undefined) => ({
    holder: randomUUID(), host: os.hostname(), pid: deadPid, ...(pidns ? { pidns } : {}),
    since: new Date().toISOString(), expiresAt: new Date(Date.now() + 120_000).toISOString(),
  });

  beforeAll(async () => {
    const s = await emulatorStore();
    emulator = s.emulator;
    store = new ReservedStore(s.client, s.kvsArn);
  });
  afterAll(async () => emulator?.close());

  it('a live lease from another container with this hostname (a pid unknown here) is not taken', async () => {
    await put(lease('pid:[1]'));
    await expect(StageLease.acquire(store, { stage: 'dev' })).rejects.toThrow(/another conngate run holds stage "dev"/);
  });

  (ownNs ? it : it.skip)('a lease from this pid namespace whose process is gone is taken at once, and records the namespace', async () => {
    await put(lease(ownNs));
    const l = await StageLease.acquire(store, { stage: 'dev' });
    expect(l.record.pidns).toBe(ownNs);
    expect(JSON.parse((await store.get(LEASE_KEY))!).pidns).toBe(ownNs);
    await l.release();
  });
});
