/**
 * Until its signature is checked a CRL is anyone's bytes (a plain-http distribution point, a file someone
 * dropped), so what parsing it costs must not depend on how the bytes are nested. 64 MB of tiny extensions in one
 * entry took 29 s and 1.7 GB (one array node per extension); a 60 MB OID, time or name attribute became a
 * 60 MB string or array, and a name became a 60 MB "one-line" error. Each is now refused, or cut, early; and
 * with a CA given, the signature is checked before the entries are walked at all.
 */
import { createPrivateKey, sign } from 'node:crypto';
import * as fs from 'node:fs';
import * as signatures from '../../revocation/crl-signature';
import { parseCrlBytes } from '../../revocation/crl-source';
import { loadRevocationSource } from '../../revocation/load-source';
import { MAX_CHILDREN } from '../../revocation/der-reader';
import { pemBlocks } from '../../revocation/pem-blocks';
import { UserError } from '../../diagnostics/user-error';
import { caSubjectDer, int, oid, seq, tlv, utcTime } from './crl-der-builder';
import { makeCa, makeCrl, tempDir } from './openssl-pki';

const ALG = seq(oid('2a8648ce3d040302'));
const T = utcTime(new Date(Date.now() - 3600_000));
const cn = (value: Buffer): Buffer => seq(tlv(0x31, seq(oid('550403'), tlv(0x0c, value))));

function crl(parts: { issuer?: Buffer; time?: Buffer; revoked?: Buffer; alg?: Buffer }): Buffer {
  const alg = parts.alg ?? ALG;
  return seq(seq(int('01'), alg, parts.issuer ?? cn(Buffer.from('x')), parts.time ?? T, ...(parts.revoked ? [parts.revoked] : [])), alg,
    tlv(0x03, Buffer.from([0, 1])));
}

function refusedWith(bytes: Buffer): string {
  try {
    parseCrlBytes(bytes, 'hostile.crl');
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('accepted');
}

/** `n` extensions with distinct OIDs (1.2.i), each a few bytes. */
function extensions(n: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const v: number[] = [];
    let x = i;
    do { v.unshift(x & 0x7f); x = Math.floor(x / 128); } while (x > 0);
    for (let j = 0; j < v.length - 1; j++) v[j] |= 0x80;
    parts.push(seq(tlv(0x06, Buffer.from([0x2a, ...v])), tlv(0x04, Buffer.from([0x05, 0x00]))));
  }
  return tlv(0x30, Buffer.concat(parts));
}

describe('work done on a CRL before its signature is checked', () => {
  it(`refuses an element with more than ${MAX_CHILDREN} children (200,000 extensions in one entry)`, () => {
    const revoked = seq(seq(int('01'), T, extensions(200_000)));
    expect(refusedWith(crl({ revoked }))).toMatch(/^hostile\.crl: not a CRL \(more than 1000 elements in one ASN\.1 element at byte \d+\)/);
  });

  it('still reads an entry with a realistic number of extensions', () => {
    const revoked = seq(seq(int('01'), T, extensions(20)));
    expect(parseCrlBytes(crl({ revoked }), 'ok.crl')[0].serials).toEqual(['01']);
  });

  it('refuses a 1 MB OBJECT IDENTIFIER and a 1 MB time without decoding them whole', () => {
    const hugeOid = tlv(0x06, Buffer.concat([Buffer.alloc(1_000_000, 0x81), Buffer.from([0x01])]));
    expect(refusedWith(crl({ alg: seq(hugeOid) }))).toMatch(/OBJECT IDENTIFIER longer than 128 bytes/);
    const message = refusedWith(crl({ time: tlv(0x17, Buffer.alloc(1_000_000, 0x31)) }));
    expect(message).toMatch(/not a DER time \("1{20}"\)/);
    expect(message.length).toBeLessThan(300);
  });

  it('cuts the text of a 1 MB issuer name (messages stay short), while the name is still compared whole', () => {
    const parsed = parseCrlBytes(crl({ issuer: cn(Buffer.alloc(1_000_000, 0x41)) }), 'long-name.crl')[0];
    expect(parsed.issuer.length).toBeLessThanOrEqual(515);
    expect(parsed.issuer).toMatch(/^CN=A+\.\.\.$/);
    expect(parsed.issuerDer.length).toBeGreaterThan(1_000_000);
  });

  it('reads a PEM file of 200,000 tiny blocks in one pass (their line numbers were counted from the top, per block)', () => {
    const text = '-----BEGIN X509 CRL-----\n-----END X509 CRL-----\n'.repeat(199_999) + '-----BEGIN X509 CRL-----\nA=A\n-----END X509 CRL-----\n';
    const started = performance.now();
    // Linear, this is well under a second; counting from the top it took minutes (40,000 blocks: 46 s).
    expect(() => pemBlocks(text)).toThrow(/PEM block "X509 CRL" \(line 399999\) is not valid base64/);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('stops a file of one valid CRL repeated 20,000 times at its second copy, before verifying or walking the rest', async () => {
    const dir = tempDir();
    try {
      const ca = makeCa(dir, 'repeat-ca');
      const one = fs.readFileSync(makeCrl(ca, ['01', '02']), 'utf8');
      const file = `${dir}/repeated.pem`;
      fs.writeFileSync(file, one.repeat(20_000));
      const verified = jest.spyOn(signatures, 'crlSignedBy');
      try {
        await expect(loadRevocationSource({ crlFiles: [file], caFiles: [ca.certFile] }))
          .rejects.toThrow(/repeated\.pem#2: a second CRL of "O=Conngate Test, CN=repeat-ca" with the same scope and CA key as .*repeated\.pem#1/);
        expect(verified).toHaveBeenCalledTimes(1);
      } finally {
        verified.mockRestore();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks the signature before walking the entries: a forged CRL is refused for its signature, not its entries', async () => {
    const dir = tempDir();
    try {
      const ca = makeCa(dir, 'walk-ca');
      const impostor = makeCa(dir, 'walk-impostor', { subject: '/O=Conngate Test/CN=walk-ca' });
      // 20,000 entries, the last one broken: a walk would have to read them all to find out.
      const entries = Array.from({ length: 20_000 }, (_, i) => seq(int((0x100000 + i).toString(16)), T));
      const tbs = seq(int('01'), ALG, caSubjectDer(ca), T, utcTime(new Date(Date.now() + 86_400_000)), seq(...entries, tlv(0x04, Buffer.from('x'))));
      const signature = sign('sha256', tbs, { key: createPrivateKey(fs.readFileSync(impostor.keyFile)), dsaEncoding: 'der' });
      const file = `${dir}/forged.crl`;
      fs.writeFileSync(file, seq(tbs, ALG, tlv(0x03, Buffer.concat([Buffer.from([0]), signature]))));
      await expect(loadRevocationSource({ crlFiles: [file], caFiles: [ca.certFile] })).rejects.toThrow(/forged\.crl: signature does not verify against/);
      // Unverified (the caller's choice), the same bytes are walked and the broken entry is found.
      await expect(loadRevocationSource({ crlFiles: [file], insecureSkipCrlVerify: true })).rejects.toThrow(/revoked entry 20001 is not a SEQUENCE/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
