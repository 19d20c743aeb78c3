/**
 * The canonical serial of the cross-part contract (lowercase hex, no separators, no leading zero bytes, whole
 * bytes) and the other spellings suites use to prove a function accepts every one of them.
 */
export function canonicalSerial(serial: string): string | undefined {
  let s = serial.trim();
  if (/^0x/i.test(s)) s = s.slice(2);
  s = s.replace(/[: -]/g, '');
  if (!/^[0-9a-fA-F]+$/.test(s)) return undefined;
  s = s.toLowerCase().replace(/^0+/, '');
  if (s === '') return '00';
  return s.length % 2 === 1 ? `0${s}` : s;
}

/** Spellings of a serial found in the wild. */
export type SerialSpelling = 'colon' | 'colon-upper' | 'plain' | 'plain-upper' | 'der' | 'der-upper' | 'hex-prefix';

/** Writes a canonical serial in the requested spelling; `der` adds the 00 byte a high-bit serial has in DER. */
export function spellSerial(canonical: string, spelling: SerialSpelling = 'colon'): string {
  const der = parseInt(canonical.slice(0, 2), 16) >= 0x80 ? `00${canonical}` : canonical;
  const colons = (h: string) => (h.match(/../g) ?? []).join(':');
  switch (spelling) {
    case 'colon': return colons(der);
    case 'colon-upper': return colons(der).toUpperCase();
    case 'plain': return canonical;
    case 'plain-upper': return canonical.toUpperCase();
    case 'der': return der;
    case 'der-upper': return der.toUpperCase();
    case 'hex-prefix': return `0x${canonical.toUpperCase()}`;
    default: return colons(der);
  }
}
