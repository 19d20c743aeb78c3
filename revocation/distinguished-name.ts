/**
 * X.501 names as conngate compares and prints them. Comparison is on the DER bytes (RFC 5280 issuer matching as
 * CAs produce it: the CRL issuer is a copy of the CA certificate's subject); the text form is for messages only.
 */
import { children, contentBytes, DerError, oidText, TAG, Tlv } from './der-reader';
import { printable } from '../diagnostics/untrusted-text';

const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O', '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber', '0.9.2342.19200300.100.1.25': 'DC', '1.2.840.113549.1.9.1': 'emailAddress',
};

/** Longest name text kept: it is for messages, and a CRL's issuer is anyone's bytes until its signature is checked. */
const MAX_TEXT = 512;

/**
 * "O=Example, CN=Issuing CA" from a DER Name (a SEQUENCE of SETs of attribute SEQUENCEs: two fixed levels), cut
 * to MAX_TEXT characters; every attribute is still checked.
 */
export function nameText(buf: Uint8Array, name: Tlv): string {
  if (name.tag !== TAG.SEQUENCE) throw new DerError(name.start, 'expected a Name');
  const parts: string[] = [];
  let length = 0;
  for (const rdn of children(buf, name)) {
    if (rdn.tag !== TAG.SET) throw new DerError(rdn.start, 'expected a RelativeDistinguishedName');
    for (const atv of children(buf, rdn)) {
      const [type, value] = children(buf, atv);
      if (!type || !value) throw new DerError(atv.start, 'incomplete name attribute');
      const label = SHORT_NAMES[oidText(buf, type)] ?? oidText(buf, type);
      // BMPString (0x1e) is UTF-16BE; the printable string types are ASCII/UTF-8.
      const whole = contentBytes(buf, value);
      // Checked here because Buffer.swap16 throws a RangeError (a stack trace, not a one-line refusal) on odd lengths.
      if (value.tag === 0x1e && whole.length % 2 !== 0) throw new DerError(value.start, 'BMPString of an odd number of bytes');
      if (length > MAX_TEXT) continue;
      const raw = whole.subarray(0, 2 * MAX_TEXT);
      const text = value.tag === 0x1e ? Buffer.from(raw).swap16().toString('utf16le') : raw.toString('utf8');
      parts.push(`${label}=${printable(text)}`);
      length += parts[parts.length - 1].length + 2;
    }
  }
  const text = parts.join(', ');
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}...` : text;
}
