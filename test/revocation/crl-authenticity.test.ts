/**
 * What makes a CRL count: the issuing CA's signature, its name, its key usage, a full and direct CRL, a sane
 * encoding. Each test changes one property of an otherwise valid CRL (real openssl CAs; CRLs from openssl or,
 * for what openssl will not write, built byte by byte and signed with the CA's real key).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../diagnostics/user-error';
import { parseCrlBytes, readCrlFile } from '../../revocation/crl-source';
import { loadRevocationSource } from '../../revocation/load-source';
import { buildCrl, ext, OID_CERTIFICATE_ISSUER, seq, tlv } from './crl-der-builder';
import { makeCa, makeCrl, tempDir, TestCa } from './openssl-pki';

describe('CRL authenticity and hostile encodings', () => {
  let dir: string;
  let ca: TestCa;
  beforeAll(() => {
    dir = tempDir();
    ca = makeCa(dir, 'issuing', { addext: ['keyUsage=critical,keyCertSign,cRLSign'] });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, bytes: Buffer): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, bytes);
    return f;
  };
  const load = (crl: string, caFile = ca.certFile) => loadRevocationSource({ crlFiles: [crl], caFiles: [caFile] });

  it('accepts a CRL built here and signed by the CA (the builder itself is sound)', async () => {
    const set = await load(write('ok.crl', buildCrl(ca, [{ serialHex: '00c0ffee' }, { serialHex: '05' }])));
    expect([...set.entries.keys()].sort()).toEqual(['05', 'c0ffee']);
    expect(set.marks).toEqual([expect.objectContaining({ crlNumber: '01', issuer: 'O=Conngate Test, CN=issuing' })]);
  });

  it('verifies RSA-signed CRLs too', async () => {
    const rsa = makeCa(dir, 'rsa-ca', { keyType: 'rsa' });
    const set = await load(makeCrl(rsa, ['0A0B']), rsa.certFile);
    expect([...set.entries.keys()]).toEqual(['0a0b']);
  });

  it('refuses a CA certificate whose key usage does not allow cRLSign', async () => {
    const noCrlSign = makeCa(dir, 'no-crl-sign', { addext: ['keyUsage=critical,keyCertSign,digitalSignature'] });
    await expect(load(makeCrl(noCrlSign, ['01']), noCrlSign.certFile)).rejects.toThrow(/does not allow cRLSign in its key usage/);
  });

  it('refuses a CA with the right name but another key (a forged CRL)', async () => {
    const impostor = makeCa(dir, 'impostor', { subject: '/O=Conngate Test/CN=issuing' });
    await expect(load(makeCrl(impostor, ['01']))).rejects.toThrow(/signature does not verify against/);
  });

  it('refuses a CRL whose issuer name differs from the CA subject even when the key is the same', async () => {
    const renamed = makeCa(dir, 'renamed', { keyFile: ca.keyFile, subject: '/O=Conngate Test/CN=renamed' });
    await expect(load(makeCrl(renamed, ['01']))).rejects.toThrow(/CRL issuer "O=Conngate Test, CN=renamed" is not the subject of any --ca certificate/);
  });

  it('refuses an indirect CRL entry (certificateIssuer) and an unknown critical extension', async () => {
    const otherName = seq(tlv(0xa4, seq(tlv(0x31, seq(tlv(0x06, Buffer.from('550403', 'hex')), tlv(0x0c, Buffer.from('someone else')))))));
    const indirect = buildCrl(ca, [{ serialHex: '01' }, { serialHex: '02', extensions: [ext(OID_CERTIFICATE_ISSUER, true, otherName)] }]);
    await expect(load(write('indirect.crl', indirect))).rejects.toThrow(/refused: an indirect CRL \(entry 2 names another certificateIssuer\)/);
    const unknownCritical = buildCrl(ca, [{ serialHex: '01' }], { extraCrlExtensions: [ext('2a0304', true, tlv(0x05, Buffer.alloc(0)))] });
    await expect(load(write('critical.crl', unknownCritical))).rejects.toThrow(/refused: an unknown critical CRL extension 1\.2\.3\.4/);
    const unknownEntryCritical = buildCrl(ca, [{ serialHex: '01', extensions: [ext('2a0305', true, tlv(0x05, Buffer.alloc(0)))] }]);
    await expect(load(write('entry-critical.crl', unknownEntryCritical))).rejects.toThrow(/unknown critical extension 1\.2\.3\.5 in entry 1/);
    const unknownNonCritical = buildCrl(ca, [{ serialHex: '01' }], { extraCrlExtensions: [ext('2a0306', false, tlv(0x05, Buffer.alloc(0)))] });
    await expect(load(write('noncritical.crl', unknownNonCritical))).resolves.toBeDefined();
  });

  it('refuses a CRL issued in the future (a wrong clock)', async () => {
    const future = buildCrl(ca, [{ serialHex: '01' }], { thisUpdate: new Date(Date.now() + 3 * 3600_000), nextUpdate: new Date(Date.now() + 48 * 3600_000) });
    await expect(load(write('future.crl', future))).rejects.toThrow(/CRL issued in the future/);
  });

  it.each([
    ['trailing garbage after a valid CRL', () => buildCrl(ca, [{ serialHex: '01' }], { trailer: Buffer.from([0x00, 0x00]) }), /2 bytes of trailing data/],
    ['an indefinite length (BER)', () => Buffer.from([0x30, 0x80, 0x00, 0x00]), /indefinite length/],
    ['a length far past the end', () => Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x00]), /truncated or corrupt CRL \(element of 2147483647 bytes runs past/],
    ['a 5-byte length', () => Buffer.from([0x30, 0x85, 1, 0, 0, 0, 0, 0]), /length of 5 bytes is too large/],
    ['a non-minimal length', () => Buffer.from([0x30, 0x81, 0x03, 0x02, 0x01, 0x00]), /non-minimal length/],
    ['100,000 nested SEQUENCEs', () => {
      const levels = 100_000;
      const b = Buffer.alloc(2 + 5 * levels);
      b[b.length - 2] = 0x05; // NULL at the core
      for (let i = levels - 1, inner = 2; i >= 0; i--, inner += 5) b.set([0x30, 0x83, inner >> 16, (inner >> 8) & 0xff, inner & 0xff], i * 5);
      return b;
    }, /not a CRL/],
  ])('refuses %s with a one-line error, no stack overflow', (_name, bytes, pattern) => {
    let err: unknown;
    try {
      parseCrlBytes(bytes(), 'hostile.crl');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(pattern);
    expect((err as Error).message).not.toContain('\n');
  });

  it('refuses a serial list bigger than the entries it claims (entry length overruns the list)', () => {
    const good = buildCrl(ca, [{ serialHex: '01' }, { serialHex: '02' }]);
    const i = good.indexOf(Buffer.from([0x02, 0x01, 0x02])); // second entry's serial INTEGER
    const bad = Buffer.from(good);
    bad[i + 1] = 0x40; // its length now runs past its entry
    expect(() => parseCrlBytes(bad, 'overrun.crl')).toThrow(/^overrun\.crl: truncated or corrupt CRL/);
  });

  it('refuses a --ca that is not a certificate, in one line', async () => {
    const crl = makeCrl(ca, ['01']);
    await expect(load(crl, crl)).rejects.toThrow(/: not a certificate \(no CERTIFICATE block\) \(fix: pass a certificate in PEM or DER to --ca\)$/);
    await expect(load(crl, write('junk.der', Buffer.from('hello')))).rejects.toThrow(/junk\.der: not a certificate \(.* at byte \d+\) \(fix: /);
    await expect(load(crl, path.join(dir, 'missing.pem'))).rejects.toThrow(/missing\.pem: cannot read CA certificate \(ENOENT\)/);
  });

  it('reads a CRL with no revoked certificates', async () => {
    const empty = readCrlFile(write('empty-list.crl', buildCrl(ca, [])));
    expect(empty[0].serials).toEqual([]);
  });
});
