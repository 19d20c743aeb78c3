/**
 * Real CA sizes: a 100,000-entry CRL made by `openssl ca -gencrl` (reason codes on every entry, as CAs write
 * them) is read in PEM and DER to exactly the serials openssl lists, verified, synced through the CLI into the
 * emulator, checked, and then every synced serial is denied by functions/revocation-check.js in the local
 * runtime. A 1,000,000-entry CRL cannot fit a 5 MB store and is refused with the arithmetic before any write.
 * Fixtures are made once per run in a temporary folder (50 MB for the largest), never committed.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunningEmulator, startEmulator } from '../../emulator';
import { canonicalSerial, colonSerial } from '../../revocation/canonical-serial';
import { readCrlFile } from '../../revocation/crl-source';
import { loadRevocationSource } from '../../revocation/load-source';
import { isReservedKey } from '../../revocation/reserved-keys';
import { buildConnectionObject, compileConnectionFunction, MapKvsBackend, runConnectionFunction } from '../../runtime';
import { CANARY, emulatorStore, EmulatorStore, readAll, storeEtag } from './emulator-store';
import { bulkSerials, issueCert, makeCa, makeCrl, openssl, tempDir, TestCa } from './openssl-pki';
import { cli } from './in-process-cli';

jest.setTimeout(600_000);

const FUNCTION = path.join(__dirname, '..', '..', 'functions', 'revocation-check.js');
const N = 100_000;


describe('CRLs of real CA sizes', () => {
  let dir: string;
  let ca: TestCa;
  let pem: string;
  let der: string;
  let emu: RunningEmulator;
  let store: EmulatorStore;
  const serials = bulkSerials(N);
  beforeAll(async () => {
    dir = tempDir('conngate-large-crl-');
    ca = makeCa(dir, 'large-ca', { addext: ['keyUsage=critical,keyCertSign,cRLSign'] });
    pem = makeCrl(ca, serials);
    der = path.join(dir, 'large.der');
    openssl(['crl', '-in', pem, '-outform', 'DER', '-out', der], dir);
    emu = await startEmulator({ port: 0 });
    store = await emulatorStore({ emulator: emu });
  });
  afterAll(async () => {
    await emu.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads a 100,000-entry CRL, PEM and DER, to exactly the serials openssl lists', async () => {
    const text = execFileSync('openssl', ['crl', '-in', der, '-inform', 'DER', '-noout', '-text'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const fromOpenssl = [...text.matchAll(/Serial Number: ([0-9A-F]+)/g)].map((m) => canonicalSerial(m[1])!).sort();
    expect(fromOpenssl).toHaveLength(N);
    for (const file of [pem, der]) {
      const [crl] = readCrlFile(file);
      expect(crl.serials.length).toBe(N);
      expect([...crl.serials].sort()).toEqual(fromOpenssl);
    }
    const set = await loadRevocationSource({ crlFiles: [pem], caFiles: [ca.certFile] });
    expect(set.entries.size).toBe(N);
    expect(set.crls).toEqual([expect.objectContaining({ revoked: N, verifiedBy: ca.certFile, crlNumber: '01' })]);
  });

  it('syncs it through the CLI, check passes, and the connection function denies every synced serial', async () => {
    const outputs = path.join(dir, '.conngate', 'outputs.json');
    const base = ['--kvs-arn', store.kvsArn, '--endpoint', emu.endpoint, '--outputs', outputs, '--crl', der, '--ca', ca.certFile];
    const sync = await cli(['revocations', 'sync', 'dev', ...base]);
    expect(sync.err.split('\n').filter((l) => l.startsWith('conngate:'))).toEqual([]);
    expect(sync.code).toBe(0);
    expect(sync.out).toMatch(/put 100000 and deleted 0 keys in 2001 batches .*1 CRL mark moved/);
    // The check lists the store (its own witness, not the sync's snapshot): 2,000 ListKeys.
    const check = await cli(['revocations', 'check', 'dev', ...base, '--json']);
    expect(check.code).toBe(0);
    const report = JSON.parse(check.out);
    expect(report).toMatchObject({ ok: true, missing: { count: 0 }, extras: { count: 0 }, canaryPresent: true, sourceSerials: N, readMode: 'listed' });

    // The store as the function sees it: read back through the SDK, then every serial through the runtime.
    const content = await readAll(store.client, store.kvsArn);
    expect([...content.keys()].filter((k) => !isReservedKey(k)).length).toBe(N + 1);
    // 33 bytes per 16-byte serial (32 hex characters and the value "1"): 3.3 MB of the 5 MB.
    const reservedBytes = [...content].filter(([k]) => isReservedKey(k)).reduce((n, [k, v]) => n + k.length + v.length, 0);
    expect(report.store.bytes).toBe(N * 33 + CANARY.length + 1 + reservedBytes);
    const kvs = new MapKvsBackend(content);
    const fn = compileConnectionFunction(fs.readFileSync(FUNCTION, 'utf8'), FUNCTION);
    const template = buildConnectionObject(issueCert(ca, '0101', 'template-leaf').pem);
    const decide = async (canonical: string): Promise<string> => {
      const conn = structuredClone(template);
      conn.clientCertificate!.certificates.leaf.serialNumber = colonSerial(canonical); // CloudFront's spelling: 00:9e:...
      return (await runConnectionFunction(fn, conn, { kvs })).decision;
    };
    const denied: string[] = [];
    const other: string[] = [];
    const CHUNK = 200;
    for (let i = 0; i < N; i += CHUNK) {
      const keys = serials.slice(i, i + CHUNK).map((s) => canonicalSerial(s)!);
      const decisions = await Promise.all(keys.map(decide));
      decisions.forEach((d, j) => (d === 'deny' ? denied : other).push(keys[j]));
    }
    expect(other).toEqual([]);
    expect(denied).toHaveLength(N);
    // Near misses (one past the last serial, a different high byte) are allowed.
    for (const s of bulkSerials(3, 0x9f).map((x) => canonicalSerial(x)!)) expect(await decide(s)).toBe('allow');
    expect(await decide(canonicalSerial(`9E${N.toString(16).toUpperCase().padStart(30, '0')}`)!)).toBe('allow');
  });

  it('refuses a 1,000,000-entry CRL with the store-size arithmetic before anything is written', async () => {
    const huge = makeCrl(ca, bulkSerials(1_000_000, 0xa0), { format: 'der', crlNumber: '02' });
    const before = await storeEtag(store.client, store.kvsArn);
    const r = await cli(['revocations', 'sync', 'dev', '--kvs-arn', store.kvsArn, '--endpoint', emu.endpoint,
      '--outputs', path.join(dir, '.conngate', 'outputs.json'), '--crl', huge, '--ca', ca.certFile]);
    expect(r.code).toBe(2);
    const lines = r.err.split('\n').filter((l) => l.startsWith('conngate:'));
    expect(lines).toEqual([expect.stringMatching(
      /: the CRL revokes 1,000,000 certificates: 33,000,000 bytes as KeyValueStore keys and values \(33\.0 bytes per serial\), over the store's 5,242,880 bytes, which hold at most 158,875 serials of this size; nothing was written \(fix: /)]);
    expect(await storeEtag(store.client, store.kvsArn)).toBe(before);
  });
});
