import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkCrlFresh, parseCrlBytes, readCrlFile } from '../../revocation/crl-source';
import { formatKvsImport, parseKvsImport } from '../../revocation/kvs-import-format';
import { loadRevocationSource } from '../../revocation/load-source';
import { parseSerialList } from '../../revocation/serial-list-source';
import { makeCa, makeCrl, tempDir, TestCa } from './openssl-pki';

describe('revocation sources', () => {
  let dir: string;
  let ca: TestCa;
  let otherCa: TestCa;
  beforeAll(() => {
    dir = tempDir();
    ca = makeCa(dir, 'issuing-ca');
    otherCa = makeCa(dir, 'other-ca');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('parses a PEM and a DER CRL made by openssl, high-bit and short serials canonical', () => {
    const serials = ['9E2AAF0102030405060708090A0B0C0D0E0F1011', '05', '00FF', '7F00000000000001'];
    for (const format of ['pem', 'der'] as const) {
      const [crl] = readCrlFile(makeCrl(ca, serials, { format }));
      expect(crl.issuer).toContain('CN=issuing-ca');
      expect(crl.serials.sort()).toEqual(['05', '7f00000000000001', '9e2aaf0102030405060708090a0b0c0d0e0f1011', 'ff']);
      expect(crl.nextUpdate!.getTime()).toBeGreaterThan(Date.now());
    }
  });

  it('reads several CRLs from one PEM file and merges CRLs of several CAs', async () => {
    const a = makeCrl(ca, ['01', '02']);
    const b = makeCrl(otherCa, ['02', '03']);
    const both = path.join(dir, 'both.pem');
    fs.writeFileSync(both, fs.readFileSync(a, 'utf8') + fs.readFileSync(b, 'utf8'));
    expect(readCrlFile(both).map((c) => c.where)).toEqual([`${both}#1`, `${both}#2`]);
    const set = await loadRevocationSource({ crlFiles: [a, b], caFiles: [ca.certFile, otherCa.certFile] });
    expect([...set.entries.keys()].sort()).toEqual(['01', '02', '03']);
  });

  it('verifies the signature against --ca and refuses a CRL from another CA', async () => {
    const crl = makeCrl(otherCa, ['01']);
    await expect(loadRevocationSource({ crlFiles: [crl], caFiles: [ca.certFile] })).rejects.toThrow(
      new RegExp(`^${crl}: CRL issuer "O=Conngate Test, CN=other-ca" is not the subject of any --ca certificate \\("O=Conngate Test, CN=issuing-ca"\\).*\\(fix: `));
    await expect(loadRevocationSource({ crlFiles: [crl], caFiles: [otherCa.certFile] })).resolves.toBeDefined();
  });

  it('refuses a CRL whose bytes were tampered with', async () => {
    const der = fs.readFileSync(makeCrl(ca, ['0a0b0c'], { format: 'der' }));
    const i = der.indexOf(Buffer.from([0x0a, 0x0b, 0x0c]));
    der[i + 2] = 0x0d; // revoke a different serial than the CA signed
    const bad = path.join(dir, 'tampered.crl');
    fs.writeFileSync(bad, der);
    await expect(loadRevocationSource({ crlFiles: [bad], caFiles: [ca.certFile] })).rejects.toThrow(/signature does not verify/);
  });

  it('refuses a stale CRL unless allowStale', async () => {
    const stale = makeCrl(ca, ['01'], { nextUpdateHours: -1 });
    await expect(loadRevocationSource({ crlFiles: [stale], caFiles: [ca.certFile] })).rejects.toThrow(/stale CRL: nextUpdate .* has passed.*--allow-stale/);
    await expect(loadRevocationSource({ crlFiles: [stale], caFiles: [ca.certFile], allowStale: true })).resolves.toBeDefined();
    const [fresh] = readCrlFile(makeCrl(ca, ['01']));
    expect(() => checkCrlFresh(fresh, new Date(Date.now() + 48 * 3600_000))).toThrow(/stale/);
  });

  it('names bad CRL inputs in one line: not a CRL, truncated, empty, missing', () => {
    expect(() => parseCrlBytes(fs.readFileSync(ca.certFile), 'ca.pem')).toThrow(/^ca\.pem: not a CRL \(found PEM CERTIFICATE\) \(fix: /);
    expect(() => parseCrlBytes(Buffer.from('hello\n'), 'x.crl')).toThrow(/^x\.crl: not a CRL/);
    const der = fs.readFileSync(makeCrl(ca, ['01', '02', '03'], { format: 'der' }));
    expect(() => parseCrlBytes(der.subarray(0, der.length - 30), 'cut.crl')).toThrow(/^cut\.crl: truncated or corrupt CRL/);
    const pem = fs.readFileSync(makeCrl(ca, ['01']), 'utf8');
    expect(() => parseCrlBytes(Buffer.from(pem.slice(0, pem.length / 2)), 'cut.pem')).toThrow(/^cut\.pem: PEM block without a matching END line/);
    expect(() => parseCrlBytes(Buffer.alloc(0), 'empty.crl')).toThrow(/^empty\.crl: empty file/);
    expect(() => readCrlFile(path.join(dir, 'nope.crl'))).toThrow(/cannot read CRL file \(ENOENT\)/);
    expect(() => parseCrlBytes(fs.readFileSync(ca.certFile), 'ca.pem')).toThrow(/^[^\n]*$/);
  });

  it('reads serial lists in every common spelling and points at a bad line', () => {
    const text = [
      '# revoked by hand', '00:9E:2A:AF:01', '9e2aaf01', '0x9E2AAF01', '9E 2A AF 01', '9e-2a-af-01',
      'serial=9E2AAF01', 'Serial Number: 9E2AAF01', '', '  0A  # trailing comment', '000a', '7f\r',
    ].join('\n');
    const set = parseSerialList(text, 'list.txt');
    expect([...set.entries.keys()].sort()).toEqual(['0a', '7f', '9e2aaf01']);
    expect(() => parseSerialList('01\n02\nnot-a-serial\n', 'list.txt')).toThrow(
      /^list\.txt:3: "not-a-serial" is not a certificate serial \(fix: /);
    expect(() => parseSerialList('01\n12345678901234567890z', 'l')).toThrow(/^l:2: /);
  });

  it('round-trips the KeyValueStore import JSON and canonicalises its keys', () => {
    const set = parseKvsImport(JSON.stringify({ data: [{ key: '00:9E:2A', value: '1' }, { key: 'FF', value: 'x' }] }), 'in.json');
    expect([...set.entries]).toEqual([['9e2a', '1'], ['ff', 'x']]);
    const out = formatKvsImport(set.entries);
    expect(JSON.parse(out)).toEqual({ data: [{ key: '9e2a', value: '1' }, { key: 'ff', value: 'x' }] });
    expect(() => parseKvsImport('{"data":[{"key":"zz","value":"1"}]}', 'in.json')).toThrow(/^in\.json data\[0\]: key "zz" is not a certificate serial/);
    expect(() => parseKvsImport('{"items":[]}', 'in.json')).toThrow(/^in\.json: no "data" array/);
    expect(() => parseKvsImport('{', 'in.json')).toThrow(/^in\.json: not valid JSON/);
  });

  it('requires an input and refuses --ca without CRLs', async () => {
    await expect(loadRevocationSource({})).rejects.toThrow(/no input given/);
    const list = path.join(dir, 'l.txt');
    fs.writeFileSync(list, '01\n');
    await expect(loadRevocationSource({ serialFiles: [list], caFiles: [ca.certFile] })).rejects.toThrow(/^--ca: /);
  });
});
