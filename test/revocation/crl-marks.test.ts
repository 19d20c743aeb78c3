/**
 * CRL high-water marks kept in the store: an older CRL of the same CA is refused from any runner (no local
 * state needed), the mark moves only in the write that lands the last changes, reserved keys are never deleted
 * or counted as serials, and conngate's own reserved-key writes keep the sync's snapshot (advanceSnapshot).
 */
import { createHash, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UpdateKeysCommand } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { resetApiCalls } from '../../revocation/api-call-counter';
import { retireCaKey } from '../../revocation/ca-key-retirement';
import { loadRevocationSource } from '../../revocation/load-source';
import { isReservedKey, reservedKey } from '../../revocation/reserved-keys';
import { advanceSnapshot, readSnapshot, writeSnapshot } from '../../revocation/store-snapshot';
import { startEmulator } from '../../emulator';
import { syncRevocations, SyncOptions } from '../../revocation/sync';
import { CANARY, emulatorFixture, emulatorStore, EmulatorStore, readAll, storeEtag } from './emulator-store';
import { makeCrl, openssl, TestCa } from './openssl-pki';

const hexes = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => `9E${(from + i).toString(16).padStart(8, '0')}`);

describe('CRL high-water marks in the store', () => {
  const fx = emulatorFixture('marks-ca');

  const source = (crl: string, extra: { insecure?: boolean } = {}) => loadRevocationSource(extra.insecure
    ? { crlFiles: [crl], insecureSkipCrlVerify: true } : { crlFiles: [crl], caFiles: [fx.ca.certFile] });
  const sync = async (s: EmulatorStore, crl: string, extra: Partial<SyncOptions> & { insecure?: boolean } = {}) =>
    syncRevocations({ client: s.client, kvsArn: s.kvsArn, source: await source(crl, extra), protectedKeys: [CANARY], maxDeleteShare: 1, ...extra });
  const marksOf = async (s: EmulatorStore): Promise<Record<string, unknown>[]> =>
    [...(await readAll(s.client, s.kvsArn))].filter(([k]) => k.startsWith('conngate:crl-mark:')).map(([, v]) => JSON.parse(v));

  it('refuses a replayed older CRL from a second runner with no snapshot or state, and applies it only with allowOlderCrl', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    const older = makeCrl(fx.ca, hexes(3), { crlNumber: '05', thisUpdateHoursAgo: 5 });
    const newer = makeCrl(fx.ca, hexes(8), { crlNumber: '06', thisUpdateHoursAgo: 1 });
    // Runner 1 (with its snapshot folder) applies the newer CRL.
    const r1 = await sync(s, newer, { snapshotDir: path.join(fx.dir, 'runner-1') });
    expect(r1).toMatchObject({ puts: 8, marksWritten: 1 });
    expect(await marksOf(s)).toEqual([expect.objectContaining({ crlNumber: '06', issuer: 'O=Conngate Test, CN=marks-ca' })]);
    // Runner 2: a fresh machine, no snapshot, replays the older (still unexpired) CRL.
    const before = await storeEtag(s.client, s.kvsArn);
    await expect(sync(s, older)).rejects.toThrow(/older CRL refused: the store already holds a newer CRL of "O=Conngate Test, CN=marks-ca" \(CRL number 06, .*this one has CRL number 05.*\(fix: .*--allow-older-crl/);
    await expect(sync(s, older, { dryRun: true })).rejects.toThrow(/older CRL refused/);
    expect(await storeEtag(s.client, s.kvsArn)).toBe(before);
    // Runner 1's snapshot is current: the refusal holds on its word too, and nothing is written.
    await expect(sync(s, older, { snapshotDir: path.join(fx.dir, 'runner-1') })).rejects.toThrow(/older CRL refused/);
    expect(await storeEtag(s.client, s.kvsArn)).toBe(before);
    // A deliberate roll-back moves the mark back with the serials.
    const r = await sync(s, older, { allowOlderCrl: true });
    expect(r).toMatchObject({ deletes: 5, marksWritten: 1 });
    expect(await marksOf(s)).toEqual([expect.objectContaining({ crlNumber: '05' })]);
  });

  it('also refuses an older CRL that has no higher number, by thisUpdate', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    await sync(s, makeCrl(fx.ca, hexes(2), { crlNumber: '07', thisUpdateHoursAgo: 1 }));
    await expect(sync(s, makeCrl(fx.ca, hexes(2), { crlNumber: '07', thisUpdateHoursAgo: 3 }))).rejects.toThrow(/older CRL refused/);
  });

  it('re-applying the same CRL writes nothing, and a newer one with the same serials moves only the mark', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    const crl = makeCrl(fx.ca, hexes(4), { crlNumber: '10' });
    await sync(s, crl);
    resetApiCalls(s.calls);
    expect(await sync(s, crl)).toMatchObject({ puts: 0, deletes: 0, batches: 0, marksWritten: 0 });
    expect(s.calls.byCommand.UpdateKeys).toBeUndefined();
    const r = await sync(s, makeCrl(fx.ca, hexes(4), { crlNumber: '11' }));
    expect(r).toMatchObject({ puts: 0, deletes: 0, batches: 1, marksWritten: 1 });
    expect(await marksOf(s)).toEqual([expect.objectContaining({ crlNumber: '11' })]);
  });

  it('moves the mark only in the write that lands the last changes: an interrupted sync leaves the old mark', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    await sync(s, makeCrl(fx.ca, hexes(10), { crlNumber: '20' }));
    const big = makeCrl(fx.ca, hexes(480, 1000), { crlNumber: '21' }); // 480 puts + 10 deletes + mark: 10 batches
    const abort = new AbortController();
    await expect(sync(s, big, {
      signal: abort.signal, onProgress: (l) => { if (l.startsWith('batch 9/10')) abort.abort(); },
    })).rejects.toThrow(/sync interrupted after 9 batches/);
    const mid = await readAll(s.client, s.kvsArn);
    expect(await marksOf(s)).toEqual([expect.objectContaining({ crlNumber: '20' })]);
    for (const k of hexes(10)) expect(mid.has(k.toLowerCase())).toBe(true); // old revocations still there
    await sync(s, big);
    expect(await marksOf(s)).toEqual([expect.objectContaining({ crlNumber: '21' })]);
  });

  it('under throttling, server errors and concurrent writers on every kind of call, ends exact with the new mark', async () => {
    const faulty = await startEmulator({ port: 0 });
    try {
      const s = await emulatorStore({ emulator: faulty });
      const snapshotDir = path.join(fx.dir, 'snap-faults');
      await sync(s, makeCrl(fx.ca, hexes(300), { crlNumber: '60' }), { snapshotDir });
      faulty.setFaults({ throttleRate: 0.2, serverErrorRate: 0.2, concurrentWriteRate: 0.2, seed: 3 });
      const next = makeCrl(fx.ca, [...hexes(250, 50), ...hexes(100, 5000)], { crlNumber: '61' });
      const r = await sync(s, next, { snapshotDir, maxConflicts: 100 });
      faulty.setFaults({});
      expect(r.conflicts).toBeGreaterThan(0);
      const store = await readAll(s.client, s.kvsArn);
      const want = [...hexes(250, 50), ...hexes(100, 5000)].map((h) => h.toLowerCase());
      expect([...store.keys()].filter((k) => !isReservedKey(k)).sort()).toEqual([...want, CANARY].sort());
      expect(await marksOf(s)).toEqual([expect.objectContaining({ crlNumber: '61' })]);
      await expect(sync(s, makeCrl(fx.ca, hexes(3), { crlNumber: '60' }))).rejects.toThrow(/older CRL refused/);
    } finally {
      await faulty.close();
    }
  });

  it('an unverified CRL (--insecure-skip-crl-verify) is held to the mark but never moves it', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    const warnings: string[] = [];
    await sync(s, makeCrl(fx.ca, hexes(2), { crlNumber: '30' }));
    const forged = makeCrl(fx.ca, hexes(2), { crlNumber: 'ffffffff' });
    const src = await loadRevocationSource({ crlFiles: [forged], insecureSkipCrlVerify: true, onWarning: (l) => warnings.push(l) });
    expect(warnings).toEqual([expect.stringMatching(/^WARNING: --insecure-skip-crl-verify: the signatures of 1 CRL\(s\) were NOT verified/)]);
    const r = await syncRevocations({ client: s.client, kvsArn: s.kvsArn, source: src, protectedKeys: [CANARY] });
    expect(r.marksWritten).toBe(0);
    expect(await marksOf(s)).toEqual([expect.objectContaining({ crlNumber: '30' })]);
    await expect(sync(s, makeCrl(fx.ca, hexes(2), { crlNumber: '29', thisUpdateHoursAgo: 2 }), { insecure: true })).rejects.toThrow(/older CRL refused/);
  });

  it('never deletes or counts reserved keys, and keeps its snapshot across conngate\'s own reserved-key writes', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    const snapshotDir = path.join(fx.dir, 'snap-reserved');
    await sync(s, makeCrl(fx.ca, hexes(20), { crlNumber: '40' }), { snapshotDir });
    // Another part of conngate (a stage lease) writes its reserved key, then advances the snapshot.
    const lease = reservedKey('lease', 'dev');
    const from = await storeEtag(s.client, s.kvsArn);
    const out = await s.client.send(new UpdateKeysCommand({ KvsARN: s.kvsArn, IfMatch: from, Puts: [{ Key: lease, Value: '{"holder":"ci-1"}' }] }));
    advanceSnapshot(snapshotDir, s.kvsArn, from, out.ETag!, { puts: [{ key: lease, value: '{"holder":"ci-1"}' }], deletes: [] });
    resetApiCalls(s.calls);
    const r = await sync(s, makeCrl(fx.ca, hexes(21), { crlNumber: '41' }), { snapshotDir });
    expect(r).toMatchObject({ readMode: 'snapshot', puts: 1, deletes: 0, conflicts: 0, storeKeysBefore: 21, storeKeysAfter: 22 });
    expect(s.calls.byCommand).toEqual({ UpdateKeys: 1 }); // the snapshot survived the lease write
    const store = await readAll(s.client, s.kvsArn);
    expect(store.get(lease)).toBe('{"holder":"ci-1"}');
    expect([...store.keys()].filter(isReservedKey).sort()).toEqual([expect.stringMatching(/^conngate:crl-mark:/), lease].sort());
    // Even an empty source with --allow-mass-delete leaves the reserved keys.
    await syncRevocations({ client: s.client, kvsArn: s.kvsArn, source: { entries: new Map(), inputs: ['none'] }, protectedKeys: [CANARY], allowMassDelete: true });
    expect([...(await readAll(s.client, s.kvsArn)).keys()].filter((k) => !isReservedKey(k))).toEqual([CANARY]);
    expect((await readAll(s.client, s.kvsArn)).has(lease)).toBe(true);
  });

  it('advanceSnapshot moves only a snapshot at fromEtag, and only over reserved keys', () => {
    const d = path.join(fx.dir, 'advance');
    writeSnapshot(d, { kvsArn: 'arn:x', etag: 'E1', entries: new Map([['01', '1']]) });
    advanceSnapshot(d, 'arn:x', 'E0', 'E9', { puts: [{ key: 'conngate:lease:dev', value: 'x' }], deletes: [] });
    expect(readSnapshot(d, 'arn:x')).toMatchObject({ etag: 'E1', entries: new Map([['01', '1']]) });
    advanceSnapshot(d, 'arn:x', 'E1', 'E2', { puts: [{ key: 'conngate:lease:dev', value: 'x' }], deletes: [] });
    expect(readSnapshot(d, 'arn:x')).toMatchObject({ etag: 'E2', entries: new Map([['01', '1'], ['conngate:lease:dev', 'x']]) });
    advanceSnapshot(d, 'arn:x', 'E2', 'E3', { puts: [], deletes: ['conngate:lease:dev'] });
    expect(readSnapshot(d, 'arn:x')).toMatchObject({ etag: 'E3', entries: new Map([['01', '1']]) });
    expect(() => advanceSnapshot(d, 'arn:x', 'E3', 'E4', { puts: [{ key: '02', value: '1' }], deletes: [] })).toThrow(/not a reserved key/);
    expect(readSnapshot(d, 'arn:x')!.etag).toBe('E3');
    advanceSnapshot(path.join(fx.dir, 'no-such-dir'), 'arn:x', 'E3', 'E4', { puts: [], deletes: [] }); // nothing to move: no error
  });

  it('refuses a damaged mark unless allowOlderCrl', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    const crl = makeCrl(fx.ca, hexes(2), { crlNumber: '50' });
    await sync(s, crl);
    const [markKey] = [...(await readAll(s.client, s.kvsArn)).keys()].filter((k) => k.startsWith('conngate:crl-mark:'));
    await s.client.send(new UpdateKeysCommand({ KvsARN: s.kvsArn, IfMatch: await storeEtag(s.client, s.kvsArn), Puts: [{ Key: markKey, Value: 'garbage' }] }));
    await expect(sync(s, crl)).rejects.toThrow(/high-water mark for .* is unreadable/);
    await expect(sync(s, crl, { allowOlderCrl: true })).resolves.toMatchObject({ marksWritten: 1 });
  });

  it('a CA name of multi-byte text, a 20-octet CRL number and a retirement still fit the mark in one store value', async () => {
    // Six attributes of 60 three-byte characters: 1,080 bytes of name, within every attribute's 64-character bound.
    const dir = path.join(fx.dir, 'long-name');
    fs.mkdirSync(dir);
    const word = '漢'.repeat(60);
    openssl(['req', '-x509', '-utf8', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
      '-subj', `/O=${word}/OU=${word}/OU=${word}/OU=${word}/OU=${word}/CN=${word}`, '-days', '30'], dir);
    const ca: TestCa = { dir, name: 'long', certFile: path.join(dir, 'ca.pem'), keyFile: path.join(dir, 'ca.key') };
    const s = await emulatorStore({ emulator: fx.emu });
    const crl = makeCrl(ca, hexes(2), { crlNumber: `7f${'e'.repeat(38)}` });
    const r = await syncRevocations({ client: s.client, kvsArn: s.kvsArn, source: await loadRevocationSource({ crlFiles: [crl], caFiles: [ca.certFile] }), protectedKeys: [CANARY] });
    expect(r).toMatchObject({ puts: 2, marksWritten: 1 });
    const caKey = createHash('sha256').update(new X509Certificate(fs.readFileSync(ca.certFile)).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
    await retireCaKey({ client: s.client, kvsArn: s.kvsArn, caKey });
    const [mark] = [...(await readAll(s.client, s.kvsArn))].filter(([k]) => k.startsWith('conngate:crl-mark:')).map(([, v]) => v);
    expect(Buffer.byteLength(mark)).toBeLessThanOrEqual(1024);
    expect(JSON.parse(mark)).toMatchObject({ issuer: expect.stringMatching(/^O=漢{60}, OU=漢+$/), crlNumber: `7f${'e'.repeat(38)}`, caKey, retired: expect.any(String) });
  });
});
