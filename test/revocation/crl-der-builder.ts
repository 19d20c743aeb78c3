/**
 * Builds CRLs byte by byte for the cases openssl will not write (an entry naming another certificateIssuer,
 * unknown critical extensions, hostile encodings), signed with a test CA's real key so that only the property
 * under test is wrong.
 */
import { createPrivateKey, sign, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import type { TestCa } from './openssl-pki';

/** DER TLV with a definite, minimal length. */
export function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, content]);
}

export const seq = (...parts: Buffer[]): Buffer => tlv(0x30, Buffer.concat(parts));
export const oid = (hex: string): Buffer => tlv(0x06, Buffer.from(hex, 'hex'));
export const int = (hex: string): Buffer => tlv(0x02, Buffer.from(hex, 'hex'));
export const utcTime = (d: Date): Buffer => tlv(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z', 'latin1'));
export const octets = (b: Buffer): Buffer => tlv(0x04, b);
export const ext = (oidHex: string, critical: boolean, value: Buffer): Buffer =>
  seq(oid(oidHex), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), octets(value));

/** ecdsa-with-SHA256 (1.2.840.10045.4.3.2) */
const ECDSA_SHA256 = seq(oid('2a8648ce3d040302'));
/** cRLNumber (2.5.29.20) */
export const OID_CRL_NUMBER = '551d14';
/** certificateIssuer (2.5.29.29) */
export const OID_CERTIFICATE_ISSUER = '551d1d';

export interface BuiltEntry {
  serialHex: string;
  extensions?: Buffer[];
}

export interface BuildOptions {
  thisUpdate?: Date;
  nextUpdate?: Date;
  crlNumberHex?: string;
  extraCrlExtensions?: Buffer[];
  /** appended after the CRL (trailing garbage) */
  trailer?: Buffer;
}

/** The CA's subject Name, DER, as the CRL issuer. */
export function caSubjectDer(ca: TestCa): Buffer {
  const cert = new X509Certificate(fs.readFileSync(ca.certFile));
  // Walk Certificate > TBSCertificate > [version, serial, sigAlg, issuer, validity, subject].
  const der = cert.raw;
  const read = (p: number): { start: number; cs: number; end: number } => {
    let len = der[p + 1];
    let cs = p + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + der[cs + i];
      cs += n;
    }
    return { start: p, cs, end: cs + len };
  };
  const tbs = read(read(0).cs);
  let p = tbs.cs;
  const fields: { start: number; end: number }[] = [];
  while (p < tbs.end) {
    const f = read(p);
    fields.push(f);
    p = f.end;
  }
  const off = der[tbs.cs] === 0xa0 ? 1 : 0;
  const subject = fields[off + 4];
  return der.subarray(subject.start, subject.end);
}

/** A CRL signed by `ca` (P-256 key) with the given entries and extensions. */
export function buildCrl(ca: TestCa, entries: BuiltEntry[], opts: BuildOptions = {}): Buffer {
  const now = Date.now();
  const revoked = entries.length === 0 ? [] : [seq(...entries.map((e) => seq(int(e.serialHex), utcTime(new Date(now - 86_400_000)),
    ...(e.extensions?.length ? [seq(...e.extensions)] : []))))];
  const crlExts = [ext(OID_CRL_NUMBER, false, int(opts.crlNumberHex ?? '01')), ...(opts.extraCrlExtensions ?? [])];
  const tbs = seq(
    int('01'), ECDSA_SHA256, caSubjectDer(ca),
    utcTime(opts.thisUpdate ?? new Date(now - 3600_000)), utcTime(opts.nextUpdate ?? new Date(now + 86_400_000)),
    ...revoked, tlv(0xa0, seq(...crlExts)),
  );
  const key = createPrivateKey(fs.readFileSync(ca.keyFile));
  const signature = sign('sha256', tbs, { key, dsaEncoding: 'der' });
  const crl = seq(tbs, ECDSA_SHA256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return opts.trailer ? Buffer.concat([crl, opts.trailer]) : crl;
}
