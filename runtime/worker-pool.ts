import { MAX_WORKERS } from './limits';
import { SandboxWorker, type WorkerCaseResult, type WorkerJob, type WorkerStop } from './sandbox-worker';

/**
 * The sandbox worker processes of this process. A worker serves one function's code for its whole life, so code
 * that escaped its context still never shares a process with another function's runs; at most MAX_WORKERS run
 * at once, plus one warm spare that takes the next new code without a cold start. A worker that was stopped or
 * crashed is dropped and replaced on the next request.
 */
const workers: SandboxWorker[] = [];
let spare: SandboxWorker | undefined;
const waiting: Array<() => void> = [];
/** Moves on every stopSandboxWorkers(), so a spare scheduled before the stop is not started after it. */
let generation = 0;

function takeWorker(): SandboxWorker {
  const w = spare && !spare.dead ? spare : new SandboxWorker();
  spare = undefined;
  // Start the next spare once this request is on its way.
  const scheduledIn = generation;
  setImmediate(() => { if (!spare && scheduledIn === generation) spare = new SandboxWorker(); });
  return w;
}

function drop(w: SandboxWorker): void {
  const i = workers.indexOf(w);
  if (i >= 0) workers.splice(i, 1);
}

/**
 * A worker for `sha256`'s code. `fresh`: a process started now, neither an idle worker nor the spare (either may have
 * died without its exit being seen yet).
 */
async function acquire(sha256: string, fresh = false): Promise<SandboxWorker> {
  for (;;) {
    for (const w of [...workers]) if (w.dead && !w.busy) drop(w);
    const same = fresh ? undefined : workers.find((w) => !w.busy && w.boundTo === sha256);
    if (same) {
      same.busy = true;
      return same;
    }
    if (workers.length < MAX_WORKERS) {
      const w = fresh ? new SandboxWorker() : takeWorker();
      w.boundTo = sha256;
      w.busy = true;
      workers.push(w);
      return w;
    }
    // Full: retire the idle worker of another function (the least recently used is first in the list).
    const other = workers.find((w) => !w.busy);
    if (other) {
      drop(other);
      other.kill();
      continue;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
}

function release(w: SandboxWorker): void {
  w.busy = false;
  drop(w);
  if (!w.dead) workers.push(w); // most recently used last
  waiting.shift()?.();
}

/** The result of a case whose worker was stopped or died while running it. */
function stoppedResult(stop: WorkerStop): WorkerCaseResult {
  const message = stop.reason === 'time' ? `exceeded the execution time limit (${stop.detail})`
    : stop.reason === 'memory' ? `exceeded the memory limit (${stop.detail})` : stop.detail;
  return { decision: 'error', errorMessage: message, logs: [], customData: [], durationMs: stop.elapsedMs };
}

/** Cases per worker message: large enough to amortize the message, small enough to share a batch between workers. */
const CHUNK = 500;

/**
 * Runs cases of one function in its workers and resolves with one result per case, in order. Large batches are cut
 * into chunks that up to MAX_WORKERS workers run side by side. A chunk that a worker could not finish is resumed in
 * a fresh worker; when it is not known which case stopped the worker, the unreported cases run one per message, so
 * only the case at fault is reported as stopped. A worker that never took its chunk (it died before it was ready, for
 * instance a spare killed from outside) is no case's fault: the chunk is given once more to a newly started worker,
 * and when that one does not start either, every case of the chunk is reported as stopped.
 */
export async function runInWorkers(job: WorkerJob): Promise<WorkerCaseResult[]> {
  const results: WorkerCaseResult[] = new Array(job.cases.length);
  const ranges: Array<{ from: number; to: number; retried?: boolean }> = [];
  for (let from = 0; from < job.cases.length; from += CHUNK) ranges.push({ from, to: Math.min(job.cases.length, from + CHUNK) });
  const drain = async (): Promise<void> => {
    while (ranges.length > 0) {
      const range = ranges.shift()!;
      const { from, to } = range;
      const w = await acquire(job.code.sha256, range.retried);
      let outcome;
      try {
        outcome = await w.run({ ...job, cases: job.cases.slice(from, to) });
      } finally {
        release(w);
      }
      outcome.results.forEach((r, i) => { results[from + i] = r; });
      if (!outcome.stop) continue;
      if (outcome.stop.reason === 'start') {
        // No case ran: give the chunk to one newly started worker; when that one cannot start either, workers cannot
        // start at all, and running each case alone would only start one more failing process per case.
        if (range.retried) for (let i = from; i < to; i++) results[i] = stoppedResult(outcome.stop);
        else ranges.unshift({ from, to, retried: true });
        continue;
      }
      const failedAt = from + outcome.results.length;
      if (to - failedAt === 1) results[failedAt] = stoppedResult(outcome.stop);
      else for (let i = to - 1; i >= failedAt; i--) ranges.unshift({ from: i, to: i + 1 });
    }
  };
  await Promise.all(Array.from({ length: Math.min(MAX_WORKERS, Math.max(1, ranges.length)) }, drain));
  return results;
}

/** Process ids of the live sandbox workers, spare included (diagnostics and tests). */
export function sandboxWorkerPids(): number[] {
  return [...workers, ...(spare ? [spare] : [])].filter((w) => !w.dead && w.pid !== undefined).map((w) => w.pid as number);
}

/** Stops every sandbox worker (tests, and a host that shuts down). Workers also exit when their host exits. */
export function stopSandboxWorkers(): void {
  generation++;
  for (const w of workers) w.kill();
  workers.length = 0;
  spare?.kill();
  spare = undefined;
}
