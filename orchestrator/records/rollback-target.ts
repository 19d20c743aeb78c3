import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { reservedKey } from '../../revocation/reserved-keys';
import { candidateSha256, shortSha } from '../stage/candidate';
import { arnAccount, type EndpointKind, type EvidenceKeyring, type SignedEvidence } from '../signing/evidence-signing';
import { MAX_RESERVED_VALUE_BYTES, type ReservedStore, type StoreWrites } from './reserved-store';

/**
 * The last code verified in a stage, kept in the stage's own KeyValueStore (`conngate:rollback` plus chunks
 * `conngate:rollback:<n>`) so that a re-run on a fresh machine, with none of this runner's files, can still put it
 * back. The code is stored deflated and base64-encoded in chunks under the 1 KB value limit, next to the signed
 * evidence that it passed; it is only used when that evidence verifies and the code hashes to what it names.
 */
export const ROLLBACK_KEY = reservedKey('rollback');
const chunkKey = (i: number) => reservedKey('rollback', String(i));
const CHUNK_CHARS = MAX_RESERVED_VALUE_BYTES;

interface RollbackMeta { sha256: string; chunks: number; evidence: SignedEvidence }

export interface RollbackTarget { code: Uint8Array; sha256: string; evidence: SignedEvidence }

/**
 * What storing `code` (with its passed, signed evidence) as the stage's rollback target writes, given the store as
 * it is now: the chunks, the record, and the deletion of chunks an older, longer target left.
 */
export async function rollbackTargetWrites(store: ReservedStore, code: Uint8Array, evidence: SignedEvidence): Promise<StoreWrites> {
  const sha256 = candidateSha256(code);
  if (evidence.result !== 'passed' || evidence.candidateSha256 !== sha256) throw new Error('a rollback target needs passed evidence for its own code');
  const packed = deflateRawSync(code).toString('base64');
  const chunks: string[] = [];
  for (let i = 0; i < packed.length; i += CHUNK_CHARS) chunks.push(packed.slice(i, i + CHUNK_CHARS));
  const meta: RollbackMeta = { sha256, chunks: chunks.length, evidence };
  const old = parseMeta(await store.get(ROLLBACK_KEY));
  const stale = old ? Array.from({ length: Math.max(0, old.chunks - chunks.length) }, (_, i) => chunkKey(chunks.length + i)) : [];
  return { puts: [...chunks.map((value, i) => ({ key: chunkKey(i), value })), { key: ROLLBACK_KEY, value: JSON.stringify(meta) }], deletes: stale };
}

/** Stores `code` (with its passed, signed evidence) as the stage's rollback target, in one atomic write. */
export async function saveRollbackTarget(store: ReservedStore, code: Uint8Array, evidence: SignedEvidence): Promise<void> {
  await store.update(() => rollbackTargetWrites(store, code, evidence));
}

function parseMeta(text: string | undefined): RollbackMeta | undefined {
  if (!text) return undefined;
  try {
    const m = JSON.parse(text) as RollbackMeta;
    if (typeof m.sha256 !== 'string' || !Number.isInteger(m.chunks) || m.chunks < 1 || m.chunks > 64 || typeof m.evidence !== 'object' || m.evidence === null) return undefined;
    return m;
  } catch {
    return undefined;
  }
}

/** The sha256 the stored target names, without fetching or checking its code (for status and cheap comparisons). */
export async function rollbackTargetSha(store: ReservedStore): Promise<string | undefined> {
  return parseMeta(await store.get(ROLLBACK_KEY))?.sha256;
}

/** What a stored rollback target must be to be published: this stage's, and no older than its newest verified code. */
export interface RollbackExpectation {
  stage: string;
  functionArn: string;
  endpoint: EndpointKind;
  /** The newest passed evidence's sequence number known from signed records: an older target is a downgrade. */
  minVerifiedSeq: number;
  /** What names minVerifiedSeq (the signed tags, or the store's unsigned head), for the refusal. */
  minVerifiedFrom?: string;
  /** The operator's explicit `--allow-rollback-to <sha256>`: this target may be older than the newest verified code. */
  allowRollbackTo?: string;
}

/**
 * The stored rollback target, checked: its evidence is signed by a trusted key for this stage, function, account and
 * endpoint kind, says passed, is not older than the stage's newest verified code (unless the operator named it with
 * --allow-rollback-to), and the code hashes to it. Returns the reason instead when there is none or it does not
 * check out.
 */
export async function loadRollbackTarget(store: ReservedStore, keys: EvidenceKeyring, expect: RollbackExpectation): Promise<RollbackTarget | string> {
  const meta = parseMeta(await store.get(ROLLBACK_KEY));
  if (!meta) return 'no verified code is recorded for this stage';
  const ev = meta.evidence;
  if (ev.stage !== expect.stage || ev.functionArn !== expect.functionArn) return `the recorded rollback target belongs to ${ev.stage} ${ev.functionArn}`;
  if (ev.account !== arnAccount(expect.functionArn) || ev.endpoint !== expect.endpoint || !Number.isSafeInteger(ev.seq)) {
    return `the recorded rollback target's evidence is not bound to this function's account and ${expect.endpoint === 'aws' ? 'AWS' : 'emulator'} endpoint`;
  }
  const sig = await keys.signatureProblem(ev);
  if (sig) return `the recorded rollback target's evidence is refused: ${sig}`;
  if (ev.result !== 'passed' || ev.candidateSha256 !== meta.sha256) return 'the recorded rollback target has no passed evidence for its code';
  if (ev.seq < expect.minVerifiedSeq && expect.allowRollbackTo !== meta.sha256) {
    return `the recorded rollback target ${shortSha(meta.sha256)} is record ${ev.seq}, older than the stage's newest verified code (record ${expect.minVerifiedSeq}${expect.minVerifiedFrom ? `, named by ${expect.minVerifiedFrom}` : ''}): an older record put back, so it is not published; to restore it anyway pass --allow-rollback-to ${meta.sha256}`;
  }
  const parts: string[] = [];
  for (let i = 0; i < meta.chunks; i++) {
    const v = await store.get(chunkKey(i));
    if (v === undefined) return `the recorded rollback target ${shortSha(meta.sha256)} is incomplete (chunk ${i} missing)`;
    parts.push(v);
  }
  let code: Buffer;
  try {
    code = inflateRawSync(Buffer.from(parts.join(''), 'base64'), { maxOutputLength: 1024 * 1024 });
  } catch {
    return `the recorded rollback target ${shortSha(meta.sha256)} is corrupt`;
  }
  if (candidateSha256(code) !== meta.sha256) return `the recorded rollback target does not hash to ${shortSha(meta.sha256)}`;
  return { code, sha256: meta.sha256, evidence: ev };
}
