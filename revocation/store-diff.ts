/**
 * The exact difference between the revoked set a source asks for and what the store holds. conngate's own
 * reserved keys (reserved-keys.ts) are outside the diff: never deleted, never counted as serials, but kept in
 * the final content so the snapshot and the size check stay exact.
 */
import { isReservedKey } from './reserved-keys';

export interface KeyValue {
  key: string;
  value: string;
}

export interface StoreDiff {
  /** keys to add, or whose value differs */
  puts: KeyValue[];
  /** keys the source no longer lists */
  deletes: string[];
  /** keys already right */
  unchanged: number;
  /** the store contents once the diff is applied (reserved keys included) */
  final: Map<string, string>;
  /** keys of the store that are serials or the canary, i.e. not reserved */
  storeSerialKeys: number;
}

/**
 * Computes puts and deletes turning `store` into `target`; keys in `keep` (the stage's canary) and reserved keys
 * are never deleted. Sorted, so batches and dry-run samples are reproducible.
 */
export function diffStore(target: Map<string, string>, store: Map<string, string>, keep: ReadonlySet<string>): StoreDiff {
  const puts: KeyValue[] = [];
  const deletes: string[] = [];
  let unchanged = 0;
  let storeSerialKeys = 0;
  const final = new Map<string, string>();
  for (const [key, value] of target) {
    if (isReservedKey(key)) throw new Error(`a revocation source yielded the reserved key ${key}`);
    final.set(key, value);
    if (store.get(key) === value) unchanged++;
    else puts.push({ key, value });
  }
  for (const [key, value] of store) {
    const reserved = isReservedKey(key);
    if (!reserved) storeSerialKeys++;
    if (target.has(key)) continue;
    if (reserved || keep.has(key)) {
      final.set(key, value);
    } else {
      deletes.push(key);
    }
  }
  puts.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  deletes.sort();
  return { puts, deletes, unchanged, final, storeSerialKeys };
}
