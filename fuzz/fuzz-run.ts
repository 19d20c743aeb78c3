import fc from 'fast-check';
import { compileConnectionFunction, MapKvsBackend } from '../runtime';
import type { CompiledConnectionFunction } from '../runtime/connection-function';
import type { Suite } from '../runtime/suite';
import type { ConnectionRunResult } from '../runtime/types';
import type { FuzzFinding, FuzzReport, RevokedInput } from './fuzz-types';
import { connectionArbitrary } from './connection-arbitrary';
import { judge, type Judge, type PropertyFailure } from './fuzz-properties';
import { generatorInput } from './generator-input';
import { suiteCaseFor } from './suite-case';

export type { FuzzFinding, FuzzReport, RevokedInput } from './fuzz-types';

/** Cases a run generates unless told otherwise. */
export const DEFAULT_FUZZ_CASES = 10_000;
/**
 * Cases per generation chunk, fixed so that a seed draws the same cases whatever the number asked for. Each chunk has
 * its own fast-check seed (chunkSeed), so a case is replayed by fast-check without drawing every case before it.
 */
export const FUZZ_CHUNK = 1000;
/** Shrinking stops after this long and reports the smallest counterexample found by then. */
const SHRINK_TIME_MS = 60_000;

/** The fast-check seed of chunk `chunk` of a run with `seed` (32-bit, as fast-check takes it). */
export function chunkSeed(seed: number, chunk: number): number {
  return (seed ^ Math.imul(chunk + 1, 0x9e3779b1)) | 0;
}

export interface FuzzRunOptions {
  functionFile: string;
  code: string;
  suite?: Suite;
  cases: number;
  seed: number;
  now: Date;
  /** The properties to check (built-in and declared names). */
  properties: string[];
  revoked: RevokedInput;
  onProgress?: (done: number, total: number) => void;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Generates `cases` connections from `seed`, runs them through the sandbox in batches (the same runtime, limits and
 * budgets as `test --local`) and checks the enabled properties. The first broken property is shrunk with
 * fast-check, one run at a time, to the smallest connection that still breaks it.
 */
export async function runFuzz(opts: FuzzRunOptions): Promise<FuzzReport> {
  const started = Date.now();
  const compiled = compileConnectionFunction(opts.code, opts.functionFile);
  const enabled = new Set(opts.properties);
  const j: Judge = {
    enabled,
    declared: opts.suite?.properties ?? [],
    context: { revoked: new Set(opts.revoked.serials), now: opts.now },
  };
  const kvs = new MapKvsBackend(opts.revoked.store);
  const runOptions = { kvs, now: opts.now };
  // Two samples per case: a decision that differs between them is the sandbox's "non-deterministic" error.
  const sampling = { minSamples: enabled.has('deterministic') ? 2 : 1 };
  const arb = connectionArbitrary(generatorInput(opts.suite, opts.revoked.serials, opts.now));
  const chunks = Math.ceil(opts.cases / FUZZ_CHUNK);
  const draw = (c: number) => fc.sample(fc.tuple(arb), { seed: chunkSeed(opts.seed, c), numRuns: Math.min(FUZZ_CHUNK, opts.cases - c * FUZZ_CHUNK) })
    .map(([x]) => x);
  const report = (casesRun: number, finding?: FuzzFinding): FuzzReport => ({
    functionFile: opts.functionFile, ...(opts.suite ? { suiteFile: opts.suite.file } : {}), seed: opts.seed, now: opts.now.toISOString(),
    casesRequested: opts.cases, casesRun, properties: [...enabled], revokedSource: opts.revoked.source, revokedCount: opts.revoked.serials.length,
    ...(finding ? { finding } : {}), durationMs: Date.now() - started,
  });

  // From the second batch on, the next batch is queued behind the one the workers run, so they go from one to the
  // next without waiting for this process to judge the last one (drawing and serializing it happen while they
  // evaluate). The first batch is judged alone: a function that breaks a property everywhere is caught there without
  // a second batch to wait for before the shrink gets the workers.
  const start = (batch: Array<Record<string, unknown>>) => ({ batch, running: compiled.runBatch(batch, runOptions, sampling) });
  let current = chunks > 0 ? start(draw(0)) : undefined;
  for (let c = 0; c < chunks; c++) {
    const { batch, running } = current!;
    // Let the workers take this batch before the next one is drawn.
    await yieldToEventLoop();
    const nextBatch = c + 1 < chunks ? draw(c + 1) : undefined;
    const queued = nextBatch && c > 0 ? start(nextBatch) : undefined;
    const results = await running;
    for (let i = 0; i < batch.length; i++) {
      const failure = judge(j, batch[i], results[i]);
      if (failure) {
        // The queued batch holds the workers the shrink needs; its results are not judged (this case came first).
        await queued?.running;
        const finding = await shrink({ compiled, arb, j, runOptions, sampling, failure, first: batch[i], firstRun: results[i],
          seed: chunkSeed(opts.seed, c), index: i, caseIndex: c * FUZZ_CHUNK + i, opts });
        return report(c * FUZZ_CHUNK + i + 1, finding);
      }
    }
    opts.onProgress?.(c * FUZZ_CHUNK + batch.length, opts.cases);
    current = queued ?? (nextBatch ? start(nextBatch) : undefined);
  }
  return report(opts.cases);
}

interface ShrinkInput {
  compiled: CompiledConnectionFunction;
  arb: fc.Arbitrary<Record<string, unknown>>;
  j: Judge;
  runOptions: { kvs: MapKvsBackend; now: Date };
  sampling: { minSamples: number };
  failure: PropertyFailure;
  first: Record<string, unknown>;
  firstRun: ConnectionRunResult;
  seed: number;
  index: number;
  caseIndex: number;
  opts: FuzzRunOptions;
}

/** Replays the failing case with fast-check and shrinks it, keeping only candidates that break the same property. */
async function shrink(s: ShrinkInput): Promise<FuzzFinding> {
  let last = { connection: s.first, run: s.firstRun, failure: s.failure };
  let replayed: Record<string, unknown> | undefined;
  let reproduced = false;
  const details = await fc.check(fc.asyncProperty(s.arb, async (connection) => {
    replayed ??= connection;
    const run = await s.compiled.run(connection, s.runOptions, s.sampling);
    const failure = judge(s.j, connection, run);
    if (failure?.property !== s.failure.property) return true;
    reproduced = true;
    last = { connection, run, failure };
    return false;
  }), { seed: s.seed, path: String(s.index), numRuns: 1, interruptAfterTimeLimit: SHRINK_TIME_MS, endOnFailure: false });
  // The replay must draw the very case the batch drew: otherwise the counterexample would not be this run's.
  if (replayed !== undefined && JSON.stringify(replayed) !== JSON.stringify(s.first)) {
    throw new Error(`fast-check replayed another case than the one the batch drew (seed ${s.seed}, path ${s.index})`);
  }
  const finding: Omit<FuzzFinding, 'suiteCase'> = {
    property: last.failure.property,
    reason: last.failure.reason,
    caseIndex: s.caseIndex,
    replay: { seed: s.seed, path: details.counterexamplePath ?? String(s.index) },
    shrinks: details.numShrinks,
    reproduced,
    counterexample: last.connection,
    decision: last.run.decision,
    ...(last.run.errorMessage !== undefined ? { errorMessage: last.run.errorMessage } : {}),
  };
  return { ...finding, suiteCase: suiteCaseFor(finding, { seed: s.opts.seed, now: s.opts.now, store: s.opts.revoked.store, declared: s.j.declared }) };
}
