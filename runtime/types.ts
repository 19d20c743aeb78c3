/** The KeyValueStore a function sees through `cf.kvs()`. */
export interface KvsBackend {
  /** The value of `key`, or undefined when the key is missing; may throw or reject (a store failure). */
  get(key: string): string | undefined | Promise<string | undefined>;
  /** Store metadata for `kvs.meta()`; when absent, `meta()` rejects inside the function. */
  meta?(): { creationDateTime: string; lastUpdatedDateTime: string; keyCount: number };
}

/** Options of one run. */
export interface RunOptions {
  /** The store behind `cf.kvs()`; without it `cf.kvs()` throws (no store associated). */
  kvs?: KvsBackend;
  /** The frozen `Date` of this run. @default the current time */
  now?: Date;
  /** Wall-clock limit after which the run is stopped as runaway. @default 1000 */
  timeoutMs?: number;
}

/** What one run of a connection function produced. */
export interface ConnectionRunResult {
  /** `error` = uncaught exception, runaway or a promise that never settled; neither allow nor deny = `deny`. */
  decision: 'allow' | 'deny' | 'error';
  errorMessage?: string;
  /** console.log lines, cut at 10 KB in total. */
  logs: string[];
  /** logCustomData strings, cut at 800 bytes in total. */
  customData: string[];
  /** ESTIMATE: local execution time as a percentage of the edge's 5 ms budget (not capped at 100). */
  computeUtilization: number;
  durationMs: number;
}
