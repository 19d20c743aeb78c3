import type { KvsBackend, KvsMeta, KvsSnapshot } from './types';

let nextStoreId = 1;

/** A Map that counts its writes, so a snapshot of it is known to be current without comparing contents. */
class VersionedMap extends Map<string, string> {
  version = 0;
  override set(key: string, value: string): this {
    this.version = (this.version ?? 0) + 1;
    return super.set(key, value);
  }
  override delete(key: string): boolean {
    this.version++;
    return super.delete(key);
  }
  override clear(): void {
    this.version++;
    super.clear();
  }
}

/** An in-memory KeyValueStore for local runs (a Map of key to value, with the metadata `kvs.meta()` reports). */
export class MapKvsBackend implements KvsBackend {
  readonly entries: Map<string, string>;
  private readonly id = nextStoreId++;
  private readonly created: string;
  private readonly updated: string;

  constructor(entries?: Iterable<[string, string]> | Record<string, string>, createdAt = new Date(0)) {
    this.entries = entries === undefined ? new VersionedMap()
      : Symbol.iterator in Object(entries) ? new VersionedMap(entries as Iterable<[string, string]>)
        : new VersionedMap(Object.entries(entries as Record<string, string>));
    this.created = createdAt.toISOString();
    this.updated = this.created;
  }

  get(key: string): string | undefined {
    return this.entries.get(key);
  }

  meta(): KvsMeta {
    return { creationDateTime: this.created, lastUpdatedDateTime: this.updated, keyCount: this.entries.size };
  }

  snapshot(): KvsSnapshot {
    return { key: `map-${this.id}-${(this.entries as VersionedMap).version}`, entries: () => [...this.entries], meta: this.meta() };
  }
}

/** A store whose every read fails, to prove that a function fails closed when its store lookup throws. */
export class FailingKvsBackend implements KvsBackend {
  constructor(private readonly message = 'simulated KeyValueStore failure') {}

  get(): string | undefined {
    throw new Error(this.message);
  }
}
