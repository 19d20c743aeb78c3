/**
 * A snapshot is trusted while its ETag is the store's. One that does not hold the store's content (edited, damaged,
 * or restored from a poisoned CI cache after someone deleted a revoked serial from the store) made the sync write
 * nothing, or write only the new changes, and leave the deleted serial out for good; the check, reading the same
 * snapshot, said OK. Now the store's own ItemCount (Describe, and every UpdateKeys answer) is compared with the
 * snapshot, and the check lists the store unless told to trust a snapshot.
 */
import * as path from 'node:path';
import { UpdateKeysCommand } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { loadRevocationSource } from '../../revocation/load-source';
import { readSnapshot, writeSnapshot } from '../../revocation/store-snapshot';
import { syncRevocations } from '../../revocation/sync';
import { CANARY, emulatorFixture, emulatorStore, EmulatorStore, readAll, storeEtag } from './emulator-store';
import { cli } from './in-process-cli';
import { makeCrl } from './openssl-pki';

describe('a snapshot that lies about the store', () => {
  const fx = emulatorFixture('snap-ca');

  /** Syncs A..D, then deletes `gone` behind the sync's back and rewrites the snapshot to claim it is still there. */
  async function tampered(snapshotDir: string, gone: string, addJunk?: string): Promise<{ s: EmulatorStore; crl: string }> {
    const s = await emulatorStore({ emulator: fx.emu });
    const crl = makeCrl(fx.ca, ['0A', '0B', '0C', '0D'], { crlNumber: '01' });
    const source = await loadRevocationSource({ crlFiles: [crl], caFiles: [fx.ca.certFile] });
    await syncRevocations({ client: s.client, kvsArn: s.kvsArn, source, protectedKeys: [CANARY], snapshotDir });
    const claimed = readSnapshot(snapshotDir, s.kvsArn)!;
    await s.client.send(new UpdateKeysCommand({
      KvsARN: s.kvsArn, IfMatch: claimed.etag, Deletes: [{ Key: gone }], ...(addJunk ? { Puts: [{ Key: addJunk, Value: '1' }] } : {}),
    }));
    writeSnapshot(snapshotDir, { kvsArn: s.kvsArn, etag: await storeEtag(s.client, s.kvsArn), entries: claimed.entries });
    return { s, crl };
  }

  it('re-puts the deleted serial when nothing else changed (Describe\'s count disagrees)', async () => {
    const snapshotDir = path.join(fx.dir, 'snap-1');
    const { s, crl } = await tampered(snapshotDir, '0b');
    const source = await loadRevocationSource({ crlFiles: [crl], caFiles: [fx.ca.certFile] });
    const r = await syncRevocations({ client: s.client, kvsArn: s.kvsArn, source, protectedKeys: [CANARY], snapshotDir });
    expect(r).toMatchObject({ puts: 1, readMode: 'listed' });
    expect((await readAll(s.client, s.kvsArn)).has('0b')).toBe(true);
  });

  it('re-puts the deleted serial when a newer CRL adds one (the UpdateKeys answer\'s count disagrees)', async () => {
    const snapshotDir = path.join(fx.dir, 'snap-2');
    const { s } = await tampered(snapshotDir, '0b');
    const newer = makeCrl(fx.ca, ['0A', '0B', '0C', '0D', '0E'], { crlNumber: '02' });
    const source = await loadRevocationSource({ crlFiles: [newer], caFiles: [fx.ca.certFile] });
    const r = await syncRevocations({ client: s.client, kvsArn: s.kvsArn, source, protectedKeys: [CANARY], snapshotDir });
    const all = await readAll(s.client, s.kvsArn);
    expect(['0a', '0b', '0c', '0d', '0e'].filter((k) => !all.has(k))).toEqual([]);
    expect(r.readMode).toBe('listed');
    // What the sync saved is the store's content now.
    expect(new Map(readSnapshot(snapshotDir, s.kvsArn)!.entries)).toEqual(all);
  });

  it('check lists the store by default (CLI) and finds the serial missing, even when the count was kept', async () => {
    const state = path.join(fx.dir, 'cli', '.conngate');
    const snapshotDir = path.join(state, 'revocation-snapshots'); // where the CLI looks by default
    const { s, crl } = await tampered(snapshotDir, '0b', '0f'); // count kept: one serial out, one junk key in
    const args = ['revocations', 'check', 'dev', '--crl', crl, '--ca', fx.ca.certFile, '--kvs-arn', s.kvsArn, '--endpoint', fx.emu.endpoint,
      '--outputs', path.join(state, 'outputs.json'), '--json'];
    const listed = await cli(args);
    expect(listed.code).toBe(1);
    expect(JSON.parse(listed.out)).toMatchObject({ ok: false, readMode: 'listed', missing: { count: 1, sample: ['0b'] } });
    // Trusting the snapshot is a choice, and it is the choice the lie beats.
    const trusting = await cli([...args, '--snapshot-dir', snapshotDir]);
    expect(JSON.parse(trusting.out)).toMatchObject({ readMode: 'snapshot', missing: { count: 0 } });
  });
});
