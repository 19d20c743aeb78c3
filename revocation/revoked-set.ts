/**
 * The set of revoked serials a source yields: canonical key -> KeyValueStore value, plus where each key came
 * from so errors and dry runs can point at the source.
 */
import type { CrlMark } from './crl-mark';

/** Value written for a revoked serial. Presence is what the function checks; one byte keeps 100k+ keys in 5 MB. */
export const REVOKED_VALUE = '1';

/** A source's revoked serials, keyed by canonical serial. */
export interface RevokedSet {
  /** canonical serial -> value to store */
  entries: Map<string, string>;
  /** human description of each input (file and kind), for progress output */
  inputs: string[];
  /** the high-water marks of the verified CRLs in the source (none for serial lists) */
  marks?: CrlMark[];
}

/** Merges several sources (e.g. one CRL per issuing CA); a key present twice keeps its first value. */
export function mergeRevokedSets(sets: RevokedSet[]): RevokedSet {
  const entries = new Map<string, string>();
  const inputs: string[] = [];
  const marks: CrlMark[] = [];
  for (const s of sets) {
    inputs.push(...s.inputs);
    marks.push(...(s.marks ?? []));
    for (const [k, v] of s.entries) if (!entries.has(k)) entries.set(k, v);
  }
  return { entries, inputs, ...(marks.length ? { marks } : {}) };
}
