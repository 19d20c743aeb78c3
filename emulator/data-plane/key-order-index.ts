import BTree from 'sorted-btree';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Code-unit order, the order of `Array.prototype.sort()` and of `<` on strings: ListKeys pages follow it. */
const codeUnitOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * What a store's Map of items cannot answer cheaply: its keys in order and its size in bytes. Kept beside the
 * Map (not in the persisted state) and updated key by key by every data-plane write, so a write costs
 * O(keys written x log n) and a ListKeys page O(page + log n) however large the store is.
 */
export class KeyOrderIndex {
  private readonly order = new BTree<string, undefined>(undefined, codeUnitOrder);
  /** UTF-8 bytes of every key and value, as the service counts a store's size. */
  sizeBytes = 0;

  constructor(items: Map<string, string>) {
    for (const [key, value] of items) {
      this.order.set(key, undefined);
      this.sizeBytes += entryBytes(key, value);
    }
  }

  get size(): number {
    return this.order.size;
  }

  /** Records that `key` now holds `value`; `previous` is the value it held before, if any. */
  put(key: string, value: string, previous: string | undefined): void {
    if (previous === undefined) this.order.set(key, undefined);
    this.sizeBytes += entryBytes(key, value) - (previous === undefined ? 0 : entryBytes(key, previous));
  }

  /** Records that `key`, which held `previous`, is gone. */
  remove(key: string, previous: string): void {
    this.order.delete(key);
    this.sizeBytes -= entryBytes(key, previous);
  }

  /** Up to `max` keys strictly after `after` (from the first key when undefined), in order. */
  keysAfter(after: string | undefined, max: number): string[] {
    const out: string[] = [];
    if (max <= 0) return out;
    for (const key of after === undefined ? this.order.keys() : this.order.keys(after)) {
      if (key === after) continue;
      out.push(key);
      if (out.length >= max) break;
    }
    return out;
  }
}

/** The bytes one entry adds to a store's size. */
export function entryBytes(key: string, value: string): number {
  return bytes(key) + bytes(value);
}

const indexes = new WeakMap<Map<string, string>, KeyOrderIndex>();

/**
 * The index of a store's items, built on first use (a store loaded from a state file or just created). The data
 * plane is the only writer of a store's items and keeps the index in step with them; a count that disagrees
 * means the Map was changed elsewhere, so the index is rebuilt rather than trusted.
 */
export function keyOrderIndexOf(items: Map<string, string>): KeyOrderIndex {
  let index = indexes.get(items);
  if (!index || index.size !== items.size) {
    index = new KeyOrderIndex(items);
    indexes.set(items, index);
  }
  return index;
}
