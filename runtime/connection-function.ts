import { UserError } from '../diagnostics/user-error';
import { DEFAULT_TIMEOUT_MS, EXECUTION_BUDGET_MS, LOCAL_MEMORY_LIMIT_BYTES, LOCAL_TIME_LIMIT_MS, MAX_SAMPLES } from './limits';
import type { WorkerCaseResult } from './sandbox-worker';
import { transformSource } from './source-transform';
import type { ConnectionRunResult, RunOptions } from './types';
import { runInWorkers } from './worker-pool';

/** How many samples a run takes at least (more only while it is over the time limit). */
export interface Sampling { minSamples: number }

function connectionJson(connection: unknown): string {
  const json = typeof connection === 'string' ? connection : JSON.stringify(connection);
  if (typeof json !== 'string' || !/^\s*\{/.test(json)) {
    throw new UserError('connection object', 'must be a JSON object', 'pass an object like the documented connection object');
  }
  return json;
}

function toRunResult(r: WorkerCaseResult): ConnectionRunResult {
  const result: ConnectionRunResult = {
    decision: r.decision,
    logs: r.logs,
    customData: r.customData,
    computeUtilization: Math.round((r.durationMs / EXECUTION_BUDGET_MS) * 1000) / 10,
    durationMs: r.durationMs,
  };
  if (r.errorMessage !== undefined) result.errorMessage = r.errorMessage;
  return result;
}

/**
 * A connection function whose source passed the checks and was instrumented (runtime/source-transform.ts). It runs
 * only inside sandbox worker processes (runtime/worker-pool.ts), never in this process: the top-level code re-runs
 * per connection inside a wrapper function, so top-level variables start fresh each time, and the state the context
 * shares is frozen or checked after each run (runtime/sandbox-prelude.ts), so nothing else carries over either.
 */
export class CompiledConnectionFunction {
  /** SHA-256 (hex) of the function code: the candidate id. */
  readonly sha256: string;
  /** Where the code came from (file path), used in messages. */
  readonly where: string;
  /** Code size in UTF-8 bytes. */
  readonly sizeBytes: number;
  private readonly wrapperSource: string;

  /** @internal use compileConnectionFunction(), which caches by code hash. */
  constructor(code: string, where: string, sha256: string) {
    const { wrapperSource, sizeBytes } = transformSource(code, where);
    this.sha256 = sha256;
    this.where = where;
    this.sizeBytes = sizeBytes;
    this.wrapperSource = wrapperSource;
  }

  /** Runs the function once against a connection object (or its JSON text). */
  async run(connection: unknown, options: RunOptions = {}, sampling: Sampling = { minSamples: 1 }): Promise<ConnectionRunResult> {
    return (await this.runBatch([connection], options, sampling))[0];
  }

  /**
   * Runs the function against many connections with the same store and options, in one message per worker batch:
   * the way to evaluate many connections quickly. Results come in the order of the connections.
   */
  async runBatch(connections: unknown[], options: RunOptions = {}, sampling: Sampling = { minSamples: 1 }): Promise<ConnectionRunResult[]> {
    return this.runBatchAt(connections.map((connection) => ({ connection })), options, sampling);
  }

  /**
   * runBatch with a frozen time per connection (`at`, else `options.now`): a replay of logged connections runs each
   * at the time it happened, so expiry checks decide as they did then.
   */
  async runBatchAt(items: { connection: unknown; at?: Date }[], options: RunOptions = {}, sampling: Sampling = { minSamples: 1 }): Promise<ConnectionRunResult[]> {
    const nowMs = (options.now ?? new Date()).getTime();
    const cases = items.map((c) => ({ json: connectionJson(c.connection), nowMs: c.at ? c.at.getTime() : nowMs }));
    const results = await runInWorkers({
      code: { sha256: this.sha256, wrapperSource: this.wrapperSource, where: this.where },
      kvs: options.kvs,
      cases,
      minSamples: Math.min(sampling.minSamples, MAX_SAMPLES),
      maxSamples: MAX_SAMPLES,
      timeLimitMs: LOCAL_TIME_LIMIT_MS,
      stopMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      memoryLimit: LOCAL_MEMORY_LIMIT_BYTES,
    });
    return results.map(toRunResult);
  }
}
