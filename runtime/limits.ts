/** Limits of the cloudfront-js-2.0 connection-function runtime that the local runtime enforces or reports against. */

/** Maximum function code size in bytes (10 KB, not adjustable at the edge). */
export const MAX_CODE_BYTES = 10 * 1024;

/** Function log output is cut at 10 KB per connection. */
export const MAX_LOG_BYTES = 10 * 1024;

/**
 * Lines of log output or custom data one run reports at most. Empty lines cost no bytes, so the byte caps alone do
 * not bound how many there are; the host refuses a report with more.
 */
export const MAX_LOG_LINES = 10_000;

/** `connection.logCustomData` accepts at most 800 bytes of UTF-8 per connection. */
export const MAX_CUSTOM_DATA_BYTES = 800;

/** The edge's execution budget per connection; compute utilization is measured against it. */
export const EXECUTION_BUDGET_MS = 5;

/**
 * A run whose fastest sample takes longer than this is a function error ("exceeded the execution time limit").
 * It is the edge's budget itself, with no multiplier: warm V8 is at least as fast as the edge's engine, so code over
 * 5 ms locally is over at the edge too. Scheduler noise is absorbed by sampling instead: a run over the budget is
 * repeated (up to MAX_SAMPLES) and only the fastest sample counts.
 */
export const LOCAL_TIME_LIMIT_MS = EXECUTION_BUDGET_MS;

/** Most samples taken of one run while it is over the time limit (a run within the limit is not repeated). */
export const MAX_SAMPLES = 5;

/**
 * Heap growth during one run (V8 heap plus array buffers) over which the run is a function error ("exceeded the
 * memory limit"). Larger than the edge's 2 MB because V8 objects carry more overhead than the edge's engine and
 * garbage is counted until the collector runs; the check is sampled every 1,024 loop iterations and function calls,
 * and no single array buffer may exceed it.
 */
export const LOCAL_MEMORY_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * Wall-clock limit after which a local run is stopped as runaway by the function's own deadline checks (loops and
 * function entries). The run is a function error over the 5 ms budget long before; the margin keeps a cold or
 * descheduled run of a good function from being stopped.
 */
export const DEFAULT_TIMEOUT_MS = 250;

/**
 * Extra wall-clock time the host waits for a worker to report before it kills the worker (code the deadline checks
 * cannot interrupt: a catastrophic regular expression, a long native call, an endless microtask chain).
 */
export const WATCHDOG_GRACE_MS = 750;

/** Old-generation heap of a sandbox worker process (MB): allocation bombs end the worker, never the host. */
export const WORKER_HEAP_MB = 128;

/** Sandbox worker processes kept at most (each serves one function's code). */
export const MAX_WORKERS = 2;
