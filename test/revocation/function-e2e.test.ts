/**
 * End to end: CRLs made by openssl are synced into the emulator through the real KeyValueStore client, then
 * connection objects built from the very certificates run through functions/revocation-check.js with the store
 * contents read back through the SDK: revoked certificates are denied, the others allowed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetKeyCommand } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { RunningEmulator, startEmulator } from '../../emulator';
import { loadRevocationSource } from '../../revocation/load-source';
import { isReservedKey } from '../../revocation/reserved-keys';
import { syncRevocations } from '../../revocation/sync';
import { buildConnectionObject, compileConnectionFunction, KvsBackend, MapKvsBackend, runConnectionFunction } from '../../runtime';
import { CANARY, emulatorStore, EmulatorStore, readAll } from './emulator-store';
import { IssuedCert, issueCert, makeCa, makeCrl, tempDir, TestCa } from './openssl-pki';

const FUNCTION = path.join(__dirname, '..', '..', 'functions', 'revocation-check.js');

/** Reads each key with GetKey as the function asks for it: the live store, through the SDK. */
function liveBackend(s: EmulatorStore): KvsBackend {
  return {
    async get(key: string) {
      try {
        return (await s.client.send(new GetKeyCommand({ KvsARN: s.kvsArn, Key: key }))).Value;
      } catch (e) {
        if ((e as { name?: string }).name === 'ResourceNotFoundException') return undefined;
        throw e;
      }
    },
  };
}

describe('revocation sync end to end through the connection function', () => {
  let emu: RunningEmulator;
  let dir: string;
  let caA: TestCa;
  let caB: TestCa;
  const certs: Record<string, IssuedCert> = {};

  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    dir = tempDir();
    caA = makeCa(dir, 'issuing-a');
    caB = makeCa(dir, 'issuing-b');
    // Serials with the high bit set (DER and CloudFront keep a leading 00), 20-byte, 1-byte and short ones.
    const plan: [TestCa, string, string][] = [
      [caA, 'revoked-20byte-highbit', '9E2AAF0102030405060708090A0B0C0D0E0F1011'],
      [caA, 'revoked-1byte-highbit', '80'],
      [caA, 'good-16byte-highbit', 'C0FFEE00C0FFEE00C0FFEE00C0FFEE00'],
      [caA, 'good-1byte', '05'],
      [caB, 'revoked-low', '0123456789ABCDEF'],
      [caB, 'good-near-miss', '9E2AAF0102030405060708090A0B0C0D0E0F1012'],
      [caB, 'revoked-later', 'F00D'],
    ];
    for (const [ca, cn, serial] of plan) certs[cn] = issueCert(ca, serial, cn);
  });
  afterAll(async () => {
    await emu.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const decide = async (cert: IssuedCert, kvs: KvsBackend): Promise<string> => {
    const fn = compileConnectionFunction(fs.readFileSync(FUNCTION, 'utf8'), FUNCTION);
    const r = await runConnectionFunction(fn, buildConnectionObject(cert.pem), { kvs });
    return r.decision;
  };

  it('denies exactly the revoked certificates after each sync', async () => {
    const s = await emulatorStore({ emulator: emu });
    const crlA = makeCrl(caA, [certs['revoked-20byte-highbit'].serialHex, certs['revoked-1byte-highbit'].serialHex]);
    const crlB = makeCrl(caB, [certs['revoked-low'].serialHex], { format: 'der' });
    const source = await loadRevocationSource({ crlFiles: [crlA, crlB], caFiles: [caA.certFile, caB.certFile] });
    await syncRevocations({ client: s.client, kvsArn: s.kvsArn, source, protectedKeys: [CANARY] });

    // The connection object carries the CloudFront spelling of the serial, leading 00 and colons included.
    expect((buildConnectionObject(certs['revoked-20byte-highbit'].pem).clientCertificate!.certificates.leaf.serialNumber))
      .toBe('00:9e:2a:af:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11');

    const readBack = new MapKvsBackend(await readAll(s.client, s.kvsArn));
    const want: Record<string, string> = {
      'revoked-20byte-highbit': 'deny', 'revoked-1byte-highbit': 'deny', 'revoked-low': 'deny',
      'good-16byte-highbit': 'allow', 'good-1byte': 'allow', 'good-near-miss': 'allow', 'revoked-later': 'allow',
    };
    for (const [cn, decision] of Object.entries(want)) {
      expect([cn, await decide(certs[cn], readBack)]).toEqual([cn, decision]);
      expect([cn, await decide(certs[cn], liveBackend(s))]).toEqual([cn, decision]);
    }

    // A new CRL from CA B revokes one more and un-revokes one: the decisions follow.
    const crlB2 = makeCrl(caB, [certs['revoked-later'].serialHex]);
    const next = await loadRevocationSource({ crlFiles: [crlA, crlB2], caFiles: [caA.certFile, caB.certFile] });
    // One delete in a 4-key store is 25%: over the default 10% share, so this small store raises it.
    const r = await syncRevocations({ client: s.client, kvsArn: s.kvsArn, source: next, protectedKeys: [CANARY], maxDeleteShare: 0.5 });
    expect(r).toMatchObject({ puts: 1, deletes: 1 });
    const after = new MapKvsBackend(await readAll(s.client, s.kvsArn));
    expect(await decide(certs['revoked-later'], after)).toBe('deny');
    expect(await decide(certs['revoked-low'], after)).toBe('allow');
    expect(await decide(certs['revoked-20byte-highbit'], after)).toBe('deny');
    expect(after.entries.has(CANARY)).toBe(true);
  });

  it('keeps denying revoked certificates through a sync that meets injected Conflicts', async () => {
    const faulty = await startEmulator({ port: 0 });
    try {
      const s = await emulatorStore({ emulator: faulty });
      faulty.setFaults({ concurrentWriteRate: 0.5, seed: 5 });
      const serials = Array.from({ length: 150 }, (_, i) => `7E${i.toString(16).padStart(6, '0')}`);
      const crl = makeCrl(caA, [certs['revoked-20byte-highbit'].serialHex, ...serials]);
      const source = await loadRevocationSource({ crlFiles: [crl], caFiles: [caA.certFile] });
      const r = await syncRevocations({ client: s.client, kvsArn: s.kvsArn, source, protectedKeys: [CANARY], maxConflicts: 40 });
      expect(r.conflicts).toBeGreaterThan(0);
      faulty.setFaults({});
      const store = await readAll(s.client, s.kvsArn);
      const [mark, ...more] = [...store.keys()].filter(isReservedKey);
      expect([mark, more]).toEqual([expect.stringMatching(/^conngate:crl-mark:[0-9a-f]{32}$/), []]);
      expect([...store.keys()].filter((k) => !isReservedKey(k)).sort()).toEqual([...source.entries.keys(), CANARY].sort());
      expect(await decide(certs['revoked-20byte-highbit'], new MapKvsBackend(store))).toBe('deny');
      expect(await decide(certs['good-16byte-highbit'], new MapKvsBackend(store))).toBe('allow');
    } finally {
      await faulty.close();
    }
  });
});
