import { createHash } from 'node:crypto';
import { CompiledConnectionFunction } from './connection-function';
import type { ConnectionRunResult, RunOptions } from './types';

export { CompiledConnectionFunction } from './connection-function';
export type { ConnectionRunResult, KvsBackend, KvsMeta, KvsSnapshot, RunOptions } from './types';
export { stopSandboxWorkers } from './worker-pool';
export { MapKvsBackend, FailingKvsBackend } from './map-kvs';
export { buildConnectionObject } from './payload';
export type { ConnectionObjectOptions, ConnectionObject } from './payload';
export * from './limits';

const CACHE_LIMIT = 64;
const cache = new Map<string, CompiledConnectionFunction>();

/**
 * Checks and compiles connection-function code for the local cloudfront-js-2.0 runtime. Compiled functions are
 * cached by the SHA-256 of the code, so compiling the same code again is a map lookup.
 * Throws UserError (`where:line:col: what (fix: ...)`) for code the edge would refuse.
 */
export function compileConnectionFunction(code: string, where = 'function code'): CompiledConnectionFunction {
  const sha256 = createHash('sha256').update(code, 'utf8').digest('hex');
  const hit = cache.get(sha256);
  if (hit) return hit;
  const compiled = new CompiledConnectionFunction(code, where, sha256);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(sha256, compiled);
  return compiled;
}

/**
 * Runs a connection function (code or a compiled function) against a connection object (an object or its JSON
 * text) and resolves to the decision, logs, custom data and a compute-utilization estimate. Never rejects for
 * anything the function does; rejects (UserError) only when the code does not compile or the connection is not
 * a JSON object.
 */
export async function runConnectionFunction(
  fn: string | CompiledConnectionFunction,
  connection: unknown,
  options?: RunOptions,
): Promise<ConnectionRunResult> {
  const compiled = typeof fn === 'string' ? compileConnectionFunction(fn) : fn;
  return compiled.run(connection, options);
}

/**
 * Runs a connection function like runConnectionFunction, but takes at least `samples` samples of the run (more
 * while it is over the time limit) and reports the fastest time: one wall-clock sample on a busy machine says more
 * about the scheduler than about the function. Every sample starts from a fresh state and the first decides;
 * samples that decide differently make the run an error ("non-deterministic: samples decided ...").
 */
export async function runConnectionFunctionMeasured(
  fn: string | CompiledConnectionFunction,
  connection: unknown,
  options: RunOptions = {},
  samples = 3,
): Promise<ConnectionRunResult> {
  const compiled = typeof fn === 'string' ? compileConnectionFunction(fn) : fn;
  return compiled.run(connection, options, { minSamples: samples });
}
