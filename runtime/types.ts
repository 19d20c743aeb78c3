/** Store metadata as `kvs.meta()` reports it. */
export interface KvsMeta { creationDateTime: string; lastUpdatedDateTime: string; keyCount: number }

/**
 * A store's whole contents at one version. A sandbox worker keeps the last snapshot it was sent, keyed by `key`,
 * so lookups stay inside the worker and a store is shipped again only when its version changes.
 */
export interface KvsSnapshot {
  /** Changes whenever the contents change (for example the store's ETag). */
  key: string;
  entries(): [string, string][];
  meta?: KvsMeta;
}

/** The KeyValueStore a function sees through `cf.kvs()`. */
export interface KvsBackend {
  /** The value of `key`, or undefined when the key is missing; may throw or reject (a store failure). */
  get(key: string): string | undefined | Promise<string | undefined>;
  /** Store metadata for `kvs.meta()`; when absent, `meta()` rejects inside the function. */
  meta?(): KvsMeta;
  /**
   * The contents as a snapshot, for stores that can give one: the function then reads them inside its worker.
   * Without it every lookup is a message to the host, which calls get()/meta().
   */
  snapshot?(): KvsSnapshot;
}

/** Options of one run. */
export interface RunOptions {
  /** The store behind `cf.kvs()`; without it `cf.kvs()` throws (no store associated). */
  kvs?: KvsBackend;
  /** The frozen `Date` of this run. @default the current time */
  now?: Date;
  /** Wall-clock limit after which one sample of the run is stopped as runaway. @default DEFAULT_TIMEOUT_MS (250) */
  timeoutMs?: number;
}

/** What one run of a connection function produced. */
export interface ConnectionRunResult {
  /**
   * `error` = uncaught exception, over the time or memory limit, runaway, a promise that never settled, or samples
   * that decided differently (non-deterministic); neither allow nor deny = `deny`.
   */
  decision: 'allow' | 'deny' | 'error';
  errorMessage?: string;
  /** console.log lines, cut at 10 KB in total. */
  logs: string[];
  /** logCustomData strings, cut at 800 bytes in total. */
  customData: string[];
  /** ESTIMATE: local execution time as a percentage of the edge's 5 ms budget (not capped at 100). */
  computeUtilization: number;
  /** Compute time of the fastest sample (waits for a remote store excluded), in ms. */
  durationMs: number;
}
