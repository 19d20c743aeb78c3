/** The exact difference between the revoked set a source asks for and what the store holds. */

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
  /** the store contents once the diff is applied */
  final: Map<string, string>;
}

/**
 * Computes puts and deletes turning `store` into `target`; keys in `keep` (the stage's canary) are never
 * deleted. Sorted, so batches and dry-run samples are reproducible.
 */
export function diffStore(target: Map<string, string>, store: Map<string, string>, keep: ReadonlySet<string>): StoreDiff {
  const puts: KeyValue[] = [];
  const deletes: string[] = [];
  let unchanged = 0;
  const final = new Map<string, string>();
  for (const [key, value] of target) {
    final.set(key, value);
    if (store.get(key) === value) unchanged++;
    else puts.push({ key, value });
  }
  for (const [key, value] of store) {
    if (target.has(key)) continue;
    if (keep.has(key)) {
      final.set(key, value);
    } else {
      deletes.push(key);
    }
  }
  puts.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  deletes.sort();
  return { puts, deletes, unchanged, final };
}
