/**
 * A small DER reader for the parts of CRLs and certificates conngate reads itself. CRLs are untrusted input of
 * 100,000+ entries: a general ASN.1 library builds an object per node (and @peculiar/x509's asn1js refuses
 * more than 10,000 nodes, about 1,250 CRL entries), while this reader only returns offsets into the bytes it was
 * given. It never recurses on the input: the caller walks the levels it knows, so depth is fixed by the code.
 * Every length is checked against its parent; indefinite lengths, non-minimal lengths and trailing bytes are
 * refused, as DER requires.
 */

import { printable } from '../diagnostics/untrusted-text';

/** A decoding failure; `offset` is where in the input it happened. */
export class DerError extends Error {
  constructor(readonly offset: number, what: string) {
    super(`${what} at byte ${offset}`);
    this.name = 'DerError';
  }
}

/** One TLV: its tag byte, where its content starts and ends, and where the whole element starts and ends. */
export interface Tlv {
  tag: number;
  /** first byte of the tag */
  start: number;
  /** first content byte */
  contentStart: number;
  /** one past the last content byte (= one past the element) */
  end: number;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Reads the TLV at `pos`, which must end at or before `limit`. Multi-byte (high) tag numbers are refused. */
export function readTlv(buf: Uint8Array, pos: number, limit: number): Tlv {
  if (pos >= limit) throw new DerError(pos, 'unexpected end of data');
  const tag = buf[pos];
  if ((tag & 0x1f) === 0x1f) throw new DerError(pos, 'high tag numbers are not used in CRLs');
  if (pos + 1 >= limit) throw new DerError(pos + 1, 'unexpected end of data (no length)');
  let len = buf[pos + 1];
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new DerError(pos + 1, 'indefinite length (BER, not DER)');
    if (n > 4) throw new DerError(pos + 1, `length of ${n} bytes is too large`);
    if (p + n > limit) throw new DerError(p, 'unexpected end of data (truncated length)');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i];
    if (buf[p] === 0 || len < 0x80) throw new DerError(pos + 1, 'non-minimal length encoding');
    p += n;
  }
  if (p + len > limit) throw new DerError(p, `element of ${len} bytes runs past the end of its container`);
  return { tag, start: pos, contentStart: p, end: p + len };
}

/** Reads a TLV and checks its tag. */
export function expectTlv(buf: Uint8Array, pos: number, limit: number, tag: number, what: string): Tlv {
  const t = readTlv(buf, pos, limit);
  if (t.tag !== tag) throw new DerError(pos, `${what}: expected tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)}`);
  return t;
}

/**
 * Most children any element conngate reads with children() has (names, extensions, algorithm identifiers; the
 * revoked list is walked one entry at a time instead). Before its signature is checked a CRL is anyone's bytes:
 * 64 MB of tiny extensions in one entry cost 29 s and 1.7 GB as an array of millions of nodes.
 */
export const MAX_CHILDREN = 1000;

/** The children of a constructed element, in order (one level only); more than `max` is refused. */
export function children(buf: Uint8Array, parent: Tlv, max = MAX_CHILDREN): Tlv[] {
  const out: Tlv[] = [];
  let p = parent.contentStart;
  while (p < parent.end) {
    if (out.length === max) throw new DerError(p, `more than ${max} elements in one ASN.1 element`);
    const t = readTlv(buf, p, parent.end);
    out.push(t);
    p = t.end;
  }
  return out;
}

/** A DER OBJECT IDENTIFIER's content as dotted text ("2.5.29.20"). */
export function oidText(buf: Uint8Array, t: Tlv): string {
  if (t.tag !== TAG.OID || t.end === t.contentStart) throw new DerError(t.start, 'expected an OBJECT IDENTIFIER');
  // Real OIDs are a few dozen bytes; a 60 MB one would become an array of millions of numbers.
  if (t.end - t.contentStart > 128) throw new DerError(t.start, 'OBJECT IDENTIFIER longer than 128 bytes');
  const parts: number[] = [];
  let v = 0;
  for (let i = t.contentStart; i < t.end; i++) {
    if (v === 0 && buf[i] === 0x80) throw new DerError(i, 'non-minimal OID component');
    v = v * 128 + (buf[i] & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) throw new DerError(i, 'OID component too large');
    if (!(buf[i] & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  if (buf[t.end - 1] & 0x80) throw new DerError(t.end - 1, 'truncated OID');
  return parts.join('.');
}

/**
 * An INTEGER's magnitude as lowercase hex without leading zero bytes ("00" for zero): exactly the canonical
 * serial form. Negative integers (which RFC 5280 forbids for serials, though some CAs issued them) keep their
 * two's-complement bytes, as OpenSSL and CloudFront print them.
 */
export function integerHex(buf: Uint8Array, t: Tlv): string {
  return integerMagnitude(buf, t).toString('hex');
}

/** An INTEGER's bytes without leading zero bytes (one 00 byte for zero), as a view (no copy). */
export function integerMagnitude(buf: Uint8Array, t: Tlv): Buffer {
  if (t.tag !== TAG.INTEGER) throw new DerError(t.start, 'expected an INTEGER');
  if (t.end === t.contentStart) throw new DerError(t.start, 'empty INTEGER');
  let i = t.contentStart;
  while (i < t.end - 1 && buf[i] === 0) i++;
  return Buffer.from(buf.buffer, buf.byteOffset + i, t.end - i);
}

/** The content of an element as a Buffer view (no copy). */
export function contentBytes(buf: Uint8Array, t: Tlv): Buffer {
  return Buffer.from(buf.buffer, buf.byteOffset + t.contentStart, t.end - t.contentStart);
}

/** The whole element (tag, length and content) as a Buffer view (no copy). */
export function elementBytes(buf: Uint8Array, t: Tlv): Buffer {
  return Buffer.from(buf.buffer, buf.byteOffset + t.start, t.end - t.start);
}

/** UTCTime (two-digit years per RFC 5280: 50-99 = 19xx) or GeneralizedTime, both in their DER "Z" form. */
export function readTime(buf: Uint8Array, t: Tlv): Date {
  // A DER time is 13 or 15 bytes; only a bounded prefix of anything longer is decoded (for the message).
  const s = Buffer.from(contentBytes(buf, t).subarray(0, 32)).toString('latin1') + (t.end - t.contentStart > 32 ? '...' : '');
  let m: RegExpExecArray | null;
  let year: number;
  if (t.tag === TAG.UTC_TIME && (m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s))) {
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (t.tag === TAG.GENERALIZED_TIME && (m = /^(\d\d\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s))) {
    year = Number(m[1]);
  } else {
    throw new DerError(t.start, `not a DER time ("${printable(s.slice(0, 20))}")`);
  }
  const d = new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  // Date.UTC rolls 24:00, minute 60 and second 60 over into the next unit; DER times have no such values.
  const inRange = Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 60;
  if (!inRange || Number.isNaN(d.getTime()) || d.getUTCMonth() !== Number(m[2]) - 1) throw new DerError(t.start, `invalid date "${s}"`);
  return d;
}
