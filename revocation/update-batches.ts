/** Splits a diff into UpdateKeys requests that respect the KeyValueStore's per-request limits. */
import { KVS_LIMITS, entryBytes } from './kvs-limits';
import { KeyValue, StoreDiff } from './store-diff';

export interface UpdateBatch {
  puts: KeyValue[];
  deletes: string[];
}

/**
 * Batches of at most 50 keys and 3 MB. New revocations come first: a sync that stops half way then leaves the
 * store revoking more, never less, than either the old or the new source. `last` (the CRL high-water marks) and
 * `lastDeletes` (marks of CRLs dropped on purpose) go into the final batch, so they land in the same
 * all-or-nothing write as the last changes, never before.
 */
export function planBatches(diff: Pick<StoreDiff, 'puts' | 'deletes'>, limits = KVS_LIMITS, last: KeyValue[] = [], lastDeletes: string[] = []): UpdateBatch[] {
  const batches: UpdateBatch[] = [];
  let cur: UpdateBatch = { puts: [], deletes: [] };
  let keys = 0;
  let bytes = 0;
  const room = (b: number): void => {
    if (keys > 0 && (keys + 1 > limits.maxKeysPerUpdate || bytes + b > limits.maxBytesPerUpdate)) {
      batches.push(cur);
      cur = { puts: [], deletes: [] };
      keys = 0;
      bytes = 0;
    }
    keys++;
    bytes += b;
  };
  for (const p of diff.puts) {
    room(entryBytes(p.key, p.value));
    cur.puts.push(p);
  }
  for (const d of diff.deletes) {
    room(entryBytes(d, ''));
    cur.deletes.push(d);
  }
  for (const p of last) {
    room(entryBytes(p.key, p.value));
    cur.puts.push(p);
  }
  for (const d of lastDeletes) {
    room(entryBytes(d, ''));
    cur.deletes.push(d);
  }
  if (keys > 0) batches.push(cur);
  return batches;
}
