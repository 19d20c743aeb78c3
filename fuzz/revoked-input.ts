import { canonicalSerial } from '../revocation/canonical-serial';
import { isReservedKey } from '../revocation/reserved-keys';
import { REVOKED_VALUE } from '../revocation/revoked-set';
import type { Suite } from '../runtime/suite';
import type { RevokedInput } from './fuzz-types';

/**
 * Serials of the shapes that break revocation checks, used when no stage or CRL gives a revoked set: one byte with a
 * hex letter, a high-bit serial (CloudFront adds a 00 byte), 20 bytes (the RFC 5280 maximum) and 20 bytes with the
 * high bit (21 in DER), and a serial that is all digits.
 */
export const SAMPLE_REVOKED_SERIALS = ['0a', '9e2aaf0153c4d2e1fa', '7f0102030405060708090a0b0c0d0e0f10111213', '8f0102030405060708090a0b0c0d0e0f10111213', '1234'];

/** Shortest first, then in text order: the order a shrunk counterexample prefers. */
function simplestFirst(serials: Iterable<string>): string[] {
  return [...new Set(serials)].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
}

/** The revoked set without a stage or CRL: the sample serials, the canary and every serial the suite's cases store. */
export function sampleRevokedInput(suite: Suite | undefined, canary: string): RevokedInput {
  const store = new Map<string, string>();
  for (const s of SAMPLE_REVOKED_SERIALS) store.set(s, REVOKED_VALUE);
  store.set(canary, 'canary');
  for (const c of suite?.cases ?? []) {
    for (const [k, v] of Object.entries(c.store)) if (canonicalSerial(k) === k) store.set(k, v);
  }
  // The samples keep their order at the front; the rest follow simplest first.
  const rest = simplestFirst([...store.keys()].filter((k) => !SAMPLE_REVOKED_SERIALS.includes(k)));
  return { serials: [...SAMPLE_REVOKED_SERIALS, ...rest], store, source: 'sample serials, the canary and the suite\'s store entries' };
}

/** The revoked set of a store's contents (a stage's store): every key in canonical serial form, reserved keys aside. */
export function storeRevokedInput(entries: Map<string, string>, source: string): RevokedInput {
  const serials = simplestFirst([...entries.keys()].filter((k) => !isReservedKey(k) && canonicalSerial(k) === k));
  return { serials, store: entries, source };
}
