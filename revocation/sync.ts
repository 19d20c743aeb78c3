/**
 * Revocation sync: makes a CloudFront KeyValueStore hold exactly a source's revoked serials (plus the stage's
 * canary), with the fewest API calls, every write guarded by the store's ETag.
 *
 * Work: with a snapshot of the last sync the first UpdateKeys is sent straight with the snapshot's ETag as
 * If-Match — if the store moved on, that write fails with a Conflict and changes nothing, and the sync re-reads.
 * A 1,000-change delta then costs its 20 writes and nothing else. Without a usable snapshot: Describe, then
 * ListKeys (skipped when the store is empty), then the writes.
 *
 * Conflicts: never retried blindly. The sync re-reads (Describe; the store is listed again unless its ETag is
 * still the one it knows), recomputes the difference against what is really there and plans new batches.
 *
 * Interruption: each UpdateKeys is all-or-nothing and the sync knows the store's content after each one, so it
 * can stop between batches (AbortSignal) leaving a consistent mix, and records that state for the next run.
 *
 * Replays: the CRL high-water marks in the store (crl-mark.ts) are checked on every planning pass against the
 * store's confirmed content, and written with the last batch.
 */
import {
  CloudFrontKeyValueStoreClient, ConflictException, DescribeKeyValueStoreCommand, ListKeysCommand, UpdateKeysCommand,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
import { mapOperationalError } from '../diagnostics/operational-error';
import { UserError } from '../diagnostics/user-error';
import { planMarks } from './crl-mark';
import { checkStoreFits, KVS_LIMITS } from './kvs-limits';
import { isReservedKey } from './reserved-keys';
import { RevokedSet } from './revoked-set';
import { diffStore, StoreDiff } from './store-diff';
import { readSnapshot, writeSnapshot } from './store-snapshot';
import { printable } from '../diagnostics/untrusted-text';
import { planBatches } from './update-batches';

export interface SyncOptions {
  /** KeyValueStore data-plane client (aws/clients.ts createKvsClient) */
  client: CloudFrontKeyValueStoreClient;
  kvsArn: string;
  /** the revoked serials the store must hold (see loadRevocationSource) */
  source: RevokedSet;
  /** canonical keys never deleted: the stage's canary */
  protectedKeys?: string[];
  /** largest share of the store's keys one sync may delete @default 0.1 */
  maxDeleteShare?: number;
  /** allow deleting more than maxDeleteShare, and applying an empty source @default false */
  allowMassDelete?: boolean;
  /** apply a CRL older than the store's high-water mark for its issuer (and move the mark back) @default false */
  allowOlderCrl?: boolean;
  /**
   * CA keys (SHA-256 of the SubjectPublicKeyInfo, hex) the stage config retires: their marks become tombstones in
   * the last batch and their CRLs are refused (see planMarks)
   */
  retiredCaKeys?: string[];
  /** compute and report the difference without writing @default false */
  dryRun?: boolean;
  /** folder of store snapshots; undefined disables them (always list) */
  snapshotDir?: string;
  /** Conflicts survived before giving up @default 8 */
  maxConflicts?: number;
  /** progress lines for long work */
  onProgress?: (line: string) => void;
  /** stops the sync between two batches */
  signal?: AbortSignal;
}

export interface SyncResult {
  dryRun: boolean;
  kvsArn: string;
  /** keys written (added or value changed) and deleted by this run, across conflicts */
  puts: number;
  deletes: number;
  /** difference found on the final planning pass */
  plannedPuts: number;
  plannedDeletes: number;
  unchanged: number;
  /** CRL high-water marks written (or, in a dry run, to write) */
  marksWritten: number;
  /** serial keys (and the canary) before and after; conngate's reserved keys are not counted */
  storeKeysBefore: number;
  storeKeysAfter: number;
  storeBytesAfter: number;
  batches: number;
  conflicts: number;
  /** how the store's content was known: from the snapshot, by listing, or empty per Describe */
  readMode: 'snapshot' | 'listed' | 'empty';
  etag: string;
  samplePuts: string[];
  sampleDeletes: string[];
}

export interface KnownStore {
  etag: string;
  entries: Map<string, string>;
  /** false while the content is only the snapshot's claim, not yet confirmed by the service */
  confirmed: boolean;
  mode: SyncResult['readMode'];
}

const SAMPLE = 10;

/** Brings the store to exactly `source` ∪ protected keys. Throws UserError for refusals and exhausted conflicts. */
export async function syncRevocations(opts: SyncOptions): Promise<SyncResult> {
  const { client, kvsArn } = opts;
  const progress = opts.onProgress ?? (() => undefined);
  const keep = new Set(opts.protectedKeys ?? []);
  const share = opts.maxDeleteShare ?? 0.1;
  const maxConflicts = opts.maxConflicts ?? 8;
  const target = opts.source.entries;
  const retired = new Set(opts.retiredCaKeys ?? []);
  if (!(share >= 0 && share <= 1)) throw new UserError('--max-delete-share', `${share} is not a share between 0 and 1`, 'pass e.g. 0.1 for 10%');

  if (target.size === 0 && !opts.allowMassDelete) {
    throw new UserError(opts.source.inputs.join(', ') || 'revocation source', 'the source lists no revoked serials; applying it would empty the store',
      'check the source, or pass --allow-mass-delete if the store really must be emptied');
  }

  const snap = opts.snapshotDir ? readSnapshot(opts.snapshotDir, kvsArn) : undefined;
  let known: KnownStore;
  if (snap && !opts.dryRun) {
    known = { etag: snap.etag, entries: snap.entries, confirmed: false, mode: 'snapshot' };
    progress(`using the snapshot of ${snap.savedAt} (${snap.entries.size} keys); the first write checks its ETag`);
  } else {
    known = await readStore(client, kvsArn, snap, progress);
  }

  const storeKeysBefore = [...known.entries.keys()].filter((k) => !isReservedKey(k)).length;
  let conflicts = 0;
  let puts = 0;
  let deletes = 0;
  let batchesSent = 0;
  let recounts = 0;

  const save = (): void => {
    if (opts.snapshotDir && known.confirmed) writeSnapshot(opts.snapshotDir, { kvsArn, etag: known.etag, entries: known.entries });
  };

  for (;;) {
    const diff = diffStore(target, known.entries, keep);
    const marks = planMarks(known.entries, opts.source.marks ?? [], !!opts.allowOlderCrl, !!opts.allowMassDelete, retired);
    const refusal = marks.refusal ?? safetyRefusal(diff, diff.storeSerialKeys, share, opts);
    if (refusal && !known.confirmed) {
      // Never refuse (nor write) on an unconfirmed snapshot's word: read the store first.
      known = await readStore(client, kvsArn, snap, progress);
      continue;
    }
    if (refusal) throw refusal;
    for (const m of marks.puts) diff.final.set(m.key, m.value);
    for (const k of marks.deletes) diff.final.delete(k);
    const storeBytes = checkStoreFits(diff.final, opts.source.inputs.join(', ') || kvsArn);
    const batches = planBatches(diff, KVS_LIMITS, marks.puts, marks.deletes);
    let reservedAfter = 0;
    for (const k of diff.final.keys()) if (isReservedKey(k)) reservedAfter++;
    const result = (): SyncResult => ({
      dryRun: !!opts.dryRun, kvsArn, puts, deletes, plannedPuts: diff.puts.length, plannedDeletes: diff.deletes.length,
      unchanged: diff.unchanged, marksWritten: marks.puts.length, storeKeysBefore, storeKeysAfter: diff.final.size - reservedAfter,
      storeBytesAfter: storeBytes,
      batches: batchesSent, conflicts, readMode: known.mode, etag: known.etag,
      samplePuts: diff.puts.slice(0, SAMPLE).map((p) => p.key), sampleDeletes: diff.deletes.slice(0, SAMPLE),
    });
    if (opts.dryRun) return result();
    if (batches.length === 0) {
      if (!known.confirmed) {
        // Nothing to write: confirm the snapshot with one Describe instead of a write.
        known = await readStore(client, kvsArn, snap, progress);
        continue;
      }
      save();
      return result();
    }
    progress(`writing ${diff.puts.length} puts and ${diff.deletes.length} deletes in ${batches.length} batches` +
      (marks.puts.length ? ` (the last also moves ${marks.puts.length} CRL high-water mark${marks.puts.length > 1 ? 's' : ''})` : ''));
    let conflicted = false;
    for (const [i, batch] of batches.entries()) {
      if (opts.signal?.aborted) {
        save();
        throw new UserError(kvsArn, `sync interrupted after ${batchesSent} batches; the store holds a consistent mix of old and new entries`,
          'run the same sync again to finish', 1);
      }
      let etag: string | undefined;
      let itemCount: number | undefined;
      try {
        const out = await client.send(new UpdateKeysCommand({
          KvsARN: kvsArn, IfMatch: known.etag,
          Puts: batch.puts.length ? batch.puts.map((p) => ({ Key: p.key, Value: p.value })) : undefined,
          Deletes: batch.deletes.length ? batch.deletes.map((k) => ({ Key: k })) : undefined,
        }));
        etag = out.ETag;
        itemCount = out.ItemCount;
      } catch (e) {
        if (isConflict(e)) {
          conflicts++;
          if (conflicts > maxConflicts) {
            save();
            throw new UserError(kvsArn, `the store kept changing under the sync (${conflicts} conflicts)`,
              'find the other writer of this KeyValueStore, then run the sync again', 1);
          }
          progress(`conflict on batch ${i + 1}/${batches.length}: the store changed; re-reading and recomputing`);
          known = await readStore(client, kvsArn, known.confirmed ? known : snap, progress);
          conflicted = true;
          break;
        }
        // Unknown outcome: what is recorded stays true for the ETag recorded, so a re-run either reuses it or lists.
        save();
        throw serviceError(e, 'UpdateKeys', kvsArn);
      }
      if (!etag) throw noEtag('UpdateKeys', kvsArn);
      for (const p of batch.puts) known.entries.set(p.key, p.value);
      for (const k of batch.deletes) known.entries.delete(k);
      known.etag = etag;
      known.confirmed = true;
      puts += batch.puts.filter((p) => !isReservedKey(p.key)).length;
      deletes += batch.deletes.filter((k) => !isReservedKey(k)).length;
      batchesSent++;
      if (itemCount !== undefined && itemCount !== known.entries.size) {
        // The service counts a different store than the one planned against: the snapshot the first write trusted
        // (its ETag was current) did not hold the store's content. Keys it claimed may be missing: list and re-plan.
        if (++recounts > 2) {
          throw new UserError(kvsArn, `the store reports ${itemCount} keys after a write, not the ${known.entries.size} its listed content gives`,
            'run the sync again with --no-snapshot; if it persists, compare ListKeys with DescribeKeyValueStore', 1);
        }
        progress(`the store holds ${itemCount} keys, not the ${known.entries.size} planned for: the snapshot was wrong; listing and recomputing`);
        known = await readStore(client, kvsArn, undefined, progress);
        conflicted = true;
        break;
      }
      if (batches.length >= 10 && ((i + 1) % Math.ceil(batches.length / 10) === 0 || i + 1 === batches.length)) {
        progress(`batch ${i + 1}/${batches.length} written`);
      }
    }
    if (conflicted) continue;
    save();
    return result();
  }
}

/** Reads the store: Describe, then the snapshot if its ETag still matches, nothing if empty, else ListKeys (read-only). */
export async function readStore(
  client: CloudFrontKeyValueStoreClient, kvsArn: string,
  reuse: { etag: string; entries: Map<string, string> } | undefined, progress: (line: string) => void,
): Promise<KnownStore> {
  const d = await client.send(new DescribeKeyValueStoreCommand({ KvsARN: kvsArn })).catch((e) => {
    throw serviceError(e, 'DescribeKeyValueStore', kvsArn);
  });
  const etag = d.ETag;
  if (!etag) throw noEtag('DescribeKeyValueStore', kvsArn);
  // The ETag says nothing changed since the snapshot; the count catches a snapshot that never held the store's
  // content (damaged, edited, restored from another cache) for the price of no call.
  if (reuse && reuse.etag === etag && (d.ItemCount === undefined || d.ItemCount === reuse.entries.size)) {
    return { etag, entries: new Map(reuse.entries), confirmed: true, mode: 'snapshot' };
  }
  if (reuse && reuse.etag === etag) progress(`the snapshot has ${reuse.entries.size} keys but the store ${d.ItemCount}: ignoring the snapshot`);
  if (d.ItemCount === 0) return { etag, entries: new Map(), confirmed: true, mode: 'empty' };
  progress(`listing the store (${d.ItemCount ?? '?'} keys)`);
  const entries = new Map<string, string>();
  let next: string | undefined;
  let pages = 0;
  do {
    const page = await client.send(new ListKeysCommand({ KvsARN: kvsArn, MaxResults: 50, NextToken: next })).catch((e) => {
      throw serviceError(e, 'ListKeys', kvsArn);
    });
    for (const item of page.Items ?? []) if (item.Key !== undefined) entries.set(item.Key, item.Value ?? '');
    next = page.NextToken;
    if (++pages % 200 === 0) progress(`listed ${entries.size} keys`);
  } while (next);
  // Writes that landed while listing change the ETag, so the first If-Match write catches them.
  return { etag, entries, confirmed: true, mode: 'listed' };
}

/** An answer without the ETag every further write needs: the endpoint is not a KeyValueStore (a proxy, a wrong URL). */
function noEtag(op: string, kvsArn: string): UserError {
  return new UserError(kvsArn, `${op} answered without an ETag`, 'check --endpoint / CONNGATE_ENDPOINT: it does not behave like the KeyValueStore API', 1);
}

function safetyRefusal(diff: StoreDiff, storeKeys: number, share: number, opts: SyncOptions): UserError | undefined {
  if (opts.allowMassDelete || diff.deletes.length === 0) return undefined;
  const limit = Math.floor(storeKeys * share);
  if (diff.deletes.length > limit) {
    return new UserError(opts.kvsArn,
      `refusing to delete ${diff.deletes.length} of ${storeKeys} keys (${pct(diff.deletes.length, storeKeys)}), over the ${pct(share, 1)} limit`,
      'check the source is complete (all CRLs given?), or pass --allow-mass-delete (or a larger --max-delete-share)');
  }
  return undefined;
}

function pct(n: number, d: number): string {
  return `${d === 0 ? 100 : Math.round((n / d) * 1000) / 10}%`;
}

function isConflict(e: unknown): boolean {
  const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  // 412 too: a service that reports a stale If-Match as a failed precondition means the same thing.
  return e instanceof ConflictException || (e as { name?: string })?.name === 'ConflictException' || status === 409 || status === 412;
}

/**
 * Turns a failed service call into a one-line error naming the store and the step; bugs stay as they are. A store
 * that does not exist is bad input (exit 2: a wrong ARN, before anything was written); every other failure is a
 * failed operation (exit 1), which may come after some batches landed, so it must not claim "nothing changed".
 */
export function serviceError(e: unknown, op: string, kvsArn: string): Error {
  const err = e as { name?: string; message?: string; $metadata?: unknown; code?: string };
  if (e instanceof UserError || (!err?.$metadata && !err?.code)) return e as Error;
  const name = err.name ?? err.code ?? 'Error';
  // Endpoint, credential, throttling and timeout failures read the same in every command (and exit 1 where the
  // operation, not the input, failed); a missing store is the sync's own to explain.
  const mapped = name === 'ResourceNotFoundException' ? undefined : mapOperationalError(e);
  if (mapped) return mapped;
  const fix = name === 'ResourceNotFoundException' ? 'check --kvs-arn or the stage outputs (was the stage applied?)'
    : /AccessDenied|Unrecognized|InvalidSignature|Credentials/i.test(name) ? 'check the AWS credentials and their CloudFront KeyValueStore permissions'
      : /ECONNREFUSED|ENOTFOUND|ETIMEDOUT/.test(err.code ?? name) ? 'check --endpoint / CONNGATE_ENDPOINT and that the endpoint is running'
        : 'run the sync again; it resumes from what the store holds';
  return new UserError(kvsArn, `${op} failed: ${printable(name)}: ${printable((err.message ?? '').split('\n')[0])}`, fix,
    name === 'ResourceNotFoundException' ? 2 : 1);
}
