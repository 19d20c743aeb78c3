/**
 * The one key form of a certificate serial, shared with functions/revocation-check.js: lowercase hex, no
 * separators, no leading zero bytes, whole bytes. CloudFront hands the function "00:9e:2a:..." (colons, the DER
 * sign byte kept) while OpenSSL prints "9E2A..." — a check that compared the two spellings could be bypassed.
 */

/**
 * Reduces any common spelling of a serial to its canonical key, or `undefined` when it is not a hex serial.
 * Steps (fixed by the cross-part contract): trim; drop an optional "0x"/"0X"; remove ':' ' ' '-'; require 1+ hex
 * digits; lowercase; strip leading '0' characters; empty -> "00"; odd length -> prefix one "0".
 */
export function canonicalSerial(raw: string): string | undefined {
  let s = raw.trim();
  if (s.startsWith('0x') || s.startsWith('0X')) s = s.slice(2);
  s = s.replace(/[: -]/g, '');
  if (!/^[0-9a-fA-F]+$/.test(s)) return undefined;
  s = s.toLowerCase().replace(/^0+/, '');
  if (s === '') return '00';
  return s.length % 2 === 1 ? `0${s}` : s;
}

/** The colon form CloudFront shows in `serialNumber` (keeps a leading 00 byte when the high bit is set). */
export function colonSerial(canonical: string): string {
  const bytes: string[] = canonical.match(/../g) ?? [];
  if (bytes.length > 0 && parseInt(bytes[0], 16) >= 0x80) bytes.unshift('00');
  return bytes.join(':');
}

/** The canary revoked serial every stage keeps in its store unless it sets its own (canonical form). */
export const DEFAULT_CANARY_SERIAL = '0badc0de0badc0de';
