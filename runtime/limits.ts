/** Limits of the cloudfront-js-2.0 connection-function runtime that the local runtime enforces or reports against. */

/** Maximum function code size in bytes (10 KB, not adjustable at the edge). */
export const MAX_CODE_BYTES = 10 * 1024;

/** Function log output is cut at 10 KB per connection. */
export const MAX_LOG_BYTES = 10 * 1024;

/** `connection.logCustomData` accepts at most 800 bytes of UTF-8 per connection. */
export const MAX_CUSTOM_DATA_BYTES = 800;

/** The edge's execution budget per connection; compute utilization is measured against it. */
export const EXECUTION_BUDGET_MS = 5;

/**
 * Wall-clock limit after which a local run is stopped as runaway. Far above the edge's 5 ms because a cold
 * local run (JIT warm-up, a slow CI machine) must not fail a function that is fine at the edge.
 */
export const DEFAULT_TIMEOUT_MS = 1000;
