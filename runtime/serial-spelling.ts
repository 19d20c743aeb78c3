import { colonSerial } from '../revocation/canonical-serial';

/**
 * Spellings of a serial found in the wild, which suites use to prove a function accepts every form of a serial.
 * The canonical form itself is the one in revocation/canonical-serial.ts, shared with the sync (and mirrored by
 * functions/revocation-check.js).
 */
export const SERIAL_SPELLINGS = ['colon', 'colon-upper', 'plain', 'plain-upper', 'der', 'der-upper', 'hex-prefix'] as const;
export type SerialSpelling = typeof SERIAL_SPELLINGS[number];

export function isSerialSpelling(s: string): s is SerialSpelling {
  return (SERIAL_SPELLINGS as readonly string[]).includes(s);
}

/** Writes a canonical serial in the requested spelling; `der` adds the 00 byte a high-bit serial has in DER. */
export function spellSerial(canonical: string, spelling: SerialSpelling = 'colon'): string {
  const der = colonSerial(canonical).replace(/:/g, '');
  switch (spelling) {
    case 'colon': return colonSerial(canonical);
    case 'colon-upper': return colonSerial(canonical).toUpperCase();
    case 'plain': return canonical;
    case 'plain-upper': return canonical.toUpperCase();
    case 'der': return der;
    case 'der-upper': return der.toUpperCase();
    case 'hex-prefix': return `0x${canonical.toUpperCase()}`;
  }
}
