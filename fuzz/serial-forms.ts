import { colonSerial } from '../revocation/canonical-serial';
import { SERIAL_SPELLINGS, spellSerial, type SerialSpelling } from '../runtime/serial-spelling';

/**
 * Every spelling of a serial the fuzzer sends: the suite spellings (CloudFront's colon form first, so a shrunk
 * counterexample prefers the form production sends), then forms other tools print: bytes separated by spaces
 * (Windows' certificate dialog), the shortest hex of the integer (Java's BigInteger, odd length possible), and
 * extra leading zero bytes (a CA that pads serials to a fixed width).
 */
export const FUZZ_SERIAL_SPELLINGS = [...SERIAL_SPELLINGS, 'spaced', 'integer-hex', 'integer-hex-upper', 'zero-padded'] as const;
export type FuzzSerialSpelling = typeof FUZZ_SERIAL_SPELLINGS[number];

/** Writes a canonical serial (revocation/canonical-serial.ts) in one of FUZZ_SERIAL_SPELLINGS. */
export function spellFuzzSerial(canonical: string, spelling: FuzzSerialSpelling): string {
  switch (spelling) {
    case 'spaced': return colonSerial(canonical).replace(/:/g, ' ');
    case 'integer-hex': return canonical.replace(/^0+(?=.)/, '');
    case 'integer-hex-upper': return canonical.replace(/^0+(?=.)/, '').toUpperCase();
    case 'zero-padded': return `00:00:${colonSerial(canonical)}`;
    default: return spellSerial(canonical, spelling as SerialSpelling);
  }
}
