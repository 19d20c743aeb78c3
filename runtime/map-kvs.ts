import type { KvsBackend } from './types';

/** An in-memory KeyValueStore for local runs (a Map of key to value, with the metadata `kvs.meta()` reports). */
export class MapKvsBackend implements KvsBackend {
  readonly entries: Map<string, string>;
  private readonly created: string;
  private readonly updated: string;

  constructor(entries?: Iterable<[string, string]> | Record<string, string>, createdAt = new Date(0)) {
    this.entries = entries === undefined ? new Map()
      : Symbol.iterator in Object(entries) ? new Map(entries as Iterable<[string, string]>)
        : new Map(Object.entries(entries as Record<string, string>));
    this.created = createdAt.toISOString();
    this.updated = this.created;
  }

  get(key: string): string | undefined {
    return this.entries.get(key);
  }

  meta(): { creationDateTime: string; lastUpdatedDateTime: string; keyCount: number } {
    return { creationDateTime: this.created, lastUpdatedDateTime: this.updated, keyCount: this.entries.size };
  }
}

/** A store whose every read fails, to prove that a function fails closed when its store lookup throws. */
export class FailingKvsBackend implements KvsBackend {
  constructor(private readonly message = 'simulated KeyValueStore failure') {}

  get(): string | undefined {
    throw new Error(this.message);
  }
}
