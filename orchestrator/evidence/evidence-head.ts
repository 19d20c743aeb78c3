import { reservedKey } from '../../revocation/reserved-keys';
import { isEvidenceSeq as isSeq } from '../signing/evidence-signing';
import type { ReservedStore } from '../records/reserved-store';

/**
 * The stage's evidence head: a reserved key of its KeyValueStore (`conngate:head`) naming the newest evidence the
 * stage got (its sequence number and digest) and the sequence number of its newest passed evidence. Evidence is
 * numbered from it and it is written, with compare-and-swap, before the evidence's tags, so:
 * - a record put back on the function with TagResource alone is not the newest, and counts for nothing;
 * - a rollback record put back in the store alone is older than the newest passed evidence the function's signed
 *   tags name, and is never published without `--allow-rollback-to`.
 * The head itself is not signed: every field is checked against signed records, so a store writer who edits it can
 * only make valid evidence read as not the newest (LIVE is then tested again), never make old evidence count,
 * unless the same person can also write the function's tags (docs/orchestrator.md, "What an attacker can still do").
 */
export const HEAD_KEY = reservedKey('head');

export interface EvidenceHead {
  /** The highest sequence number the stage has given a record. */
  seq: number;
  /** evidenceDigest() of the record numbered `seq`. */
  evidence: string;
  /** The sequence number of the stage's newest passed evidence (0: none yet). */
  verifiedSeq: number;
}

/** Parses a head value; undefined when it is absent or not a head (a planted value never reads as one). */
export function parseHead(text: string | undefined): EvidenceHead | undefined {
  if (!text) return undefined;
  try {
    const h = JSON.parse(text) as Partial<EvidenceHead>;
    if (!isSeq(h.seq) || !isSeq(h.verifiedSeq) || h.verifiedSeq > h.seq || typeof h.evidence !== 'string' || !/^[0-9a-f]{64}$/.test(h.evidence)) return undefined;
    return { seq: h.seq, evidence: h.evidence, verifiedSeq: h.verifiedSeq };
  } catch {
    return undefined;
  }
}

export async function readHead(store: ReservedStore): Promise<EvidenceHead | undefined> {
  return parseHead(await store.get(HEAD_KEY));
}

export function headPut(h: EvidenceHead): { key: string; value: string } {
  return { key: HEAD_KEY, value: JSON.stringify({ seq: h.seq, evidence: h.evidence, verifiedSeq: h.verifiedSeq }) };
}
