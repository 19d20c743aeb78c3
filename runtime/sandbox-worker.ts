import { spawn, type ChildProcess } from 'node:child_process';
import { MAX_LOG_LINES, WATCHDOG_GRACE_MS } from './limits';
import { sandboxNodeArgs } from './sandbox-node-flags';
import { SANDBOX_WORKER_PROGRAM } from './sandbox-worker-program';
import type { KvsBackend, KvsSnapshot } from './types';

/** One case as the worker runs it: the connection JSON text and the frozen time. */
export interface WorkerCase { json: string; nowMs: number }

/** What the worker reports for one case (checked for shape before use). */
export interface WorkerCaseResult {
  decision: 'allow' | 'deny' | 'error';
  errorMessage?: string;
  logs: string[];
  customData: string[];
  /** Compute time of the fastest sample (waits for a remote store excluded). */
  durationMs: number;
}

/** A batch of cases of one function against one store. */
export interface WorkerJob {
  code: { sha256: string; wrapperSource: string; where: string };
  kvs: KvsBackend | undefined;
  cases: WorkerCase[];
  minSamples: number;
  maxSamples: number;
  /** A fastest sample over this is an error. */
  timeLimitMs: number;
  /** In-function deadline of one sample (loop and function-entry checks). */
  stopMs: number;
  memoryLimit: number;
}

/**
 * How a batch ended early: the worker was killed by the watchdog, ran out of heap, died otherwise, or never took the
 * batch (`start`: it did not start or could not be reached, so no case of the batch ran).
 */
export interface WorkerStop { reason: 'time' | 'memory' | 'crash' | 'start'; detail: string; elapsedMs: number }

export interface WorkerJobOutcome { results: WorkerCaseResult[]; stop?: WorkerStop }

/** Extra time allowed before the first report of a batch that ships a store snapshot (100,000 keys parse in ~0.1 s). */
const STORE_LOAD_ALLOWANCE_MS = 3000;
/** Worker start-up (process spawn and the permission model) before it reports ready. */
const START_ALLOWANCE_MS = 5000;

let nextJobId = 1;

function str(v: unknown, max = 64 * 1024): string | undefined {
  return typeof v === 'string' ? v.slice(0, max) : undefined;
}

/** Accepts a worker's report of a case only in the exact shape the worker program sends. */
function checkedResult(v: unknown): WorkerCaseResult | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const r = v as Record<string, unknown>;
  if (r.decision !== 'allow' && r.decision !== 'deny' && r.decision !== 'error') return undefined;
  const lines = (x: unknown): string[] | undefined => (Array.isArray(x) && x.length <= MAX_LOG_LINES && x.every((l) => typeof l === 'string') ? x as string[] : undefined);
  const logs = lines(r.logs), customData = lines(r.customData);
  if (!logs || !customData || typeof r.durationMs !== 'number' || !Number.isFinite(r.durationMs) || r.durationMs < 0) return undefined;
  const out: WorkerCaseResult = { decision: r.decision, logs, customData, durationMs: r.durationMs };
  if (r.decision === 'error') out.errorMessage = str(r.errorMessage, 4096) ?? 'the connection function failed';
  return out;
}

/** The reply to a store lookup, in the prelude's status codes (0 found, 1 missing, 2 error). */
async function lookup(kvs: KvsBackend, op: string, key: string): Promise<{ status: number; payload?: string }> {
  try {
    if (op === 'meta') {
      if (!kvs.meta) return { status: 2, payload: 'KeyValueStore metadata is not available' };
      const m = await kvs.meta();
      return { status: 0, payload: JSON.stringify({ creationDateTime: String(m?.creationDateTime ?? ''), lastUpdatedDateTime: String(m?.lastUpdatedDateTime ?? ''), keyCount: Number(m?.keyCount ?? 0) }) };
    }
    const v = await kvs.get(key);
    return v === undefined || v === null ? { status: 1 } : { status: 0, payload: String(v) };
  } catch (err) {
    return { status: 2, payload: `KeyValueStore request failed: ${(err as Error)?.message ?? String(err)}` };
  }
}

/**
 * One sandbox worker process: spawned with an empty environment and the flags of sandboxNodeArgs(), serving one
 * function's code for its whole life. The host side keeps a watchdog per batch and kills the process when it stops
 * reporting; the process never holds the host's event loop open while idle.
 */
export class SandboxWorker {
  /** The function code (SHA-256) this worker serves; a worker never runs two functions. */
  boundTo: string | undefined;
  busy = false;
  dead = false;
  private storeKey: string | undefined;
  private readonly child: ChildProcess;
  private readonly ready: Promise<boolean>;
  private stderrTail = '';
  private onExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
  private onMessage: ((m: unknown) => void) | undefined;

  constructor() {
    this.child = spawn(process.execPath, [...sandboxNodeArgs(), '-e', SANDBOX_WORKER_PROGRAM], {
      env: {}, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json', windowsHide: true,
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (d: string) => { this.stderrTail = (this.stderrTail + d).slice(-4096); });
    this.child.on('error', () => { this.dead = true; });
    this.ready = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => { this.kill(); resolve(false); }, START_ALLOWANCE_MS);
      timer.unref();
      this.child.once('message', (m) => { clearTimeout(timer); resolve((m as { t?: unknown })?.t === 'ready'); });
      this.child.once('exit', () => { clearTimeout(timer); resolve(false); });
    });
    this.child.on('message', (m) => this.onMessage?.(m));
    this.child.on('exit', (code, signal) => { this.dead = true; this.onExit?.(code, signal); });
    this.idle();
  }

  /** The worker's process id (diagnostics and tests). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  kill(): void {
    this.dead = true;
    try { this.child.kill('SIGKILL'); } catch { /* already gone */ }
  }

  /** Idle workers must not keep the CLI alive; a busy one must (its result is awaited). */
  private idle(): void {
    this.child.unref();
    (this.child as unknown as { channel?: { unref(): void } }).channel?.unref();
    (this.child.stderr as unknown as { unref?(): void } | null)?.unref?.();
  }

  private active(): void {
    this.child.ref();
    (this.child as unknown as { channel?: { ref(): void } }).channel?.ref();
    (this.child.stderr as unknown as { ref?(): void } | null)?.ref?.();
  }

  /** Runs a batch; resolves with the results reported before the worker finished or was stopped. Never rejects. */
  async run(job: WorkerJob): Promise<WorkerJobOutcome> {
    this.active();
    try {
      return await this.runActive(job);
    } finally {
      this.onMessage = undefined;
      this.onExit = undefined;
      if (!this.dead) this.idle();
    }
  }

  private async runActive(job: WorkerJob): Promise<WorkerJobOutcome> {
    const started = Date.now();
    if (!(await this.ready) || this.dead) {
      return { results: [], stop: { reason: 'start', detail: 'the sandbox worker did not start', elapsedMs: Date.now() - started } };
    }
    const id = nextJobId++;
    const snap: KvsSnapshot | undefined = job.kvs?.snapshot?.();
    const shipStore = snap !== undefined && snap.key !== this.storeKey;
    const results: WorkerCaseResult[] = [];
    // Every sample, plus the one run on the state a sample left behind (runtime/sandbox-worker-program.ts).
    const perCaseMs = job.stopMs * (job.maxSamples + 1) + WATCHDOG_GRACE_MS;
    let lastReport = Date.now();

    return new Promise<WorkerJobOutcome>((resolve) => {
      let settled = false;
      let watchdog: NodeJS.Timeout | undefined;
      let stop: WorkerStop | undefined;
      const end = (outcome: WorkerJobOutcome) => {
        if (settled) return;
        settled = true;
        if (watchdog) clearTimeout(watchdog);
        resolve(outcome);
      };
      const arm = (ms: number) => {
        if (watchdog) clearTimeout(watchdog);
        watchdog = setTimeout(() => {
          stop = { reason: 'time', detail: `stopped by the watchdog after ${Date.now() - lastReport} ms without progress`, elapsedMs: Date.now() - lastReport };
          this.kill();
        }, ms);
      };
      this.onExit = (code, signal) => {
        if (!stop) {
          const oom = /heap limit|out of memory|Allocation failed|invalid array length|invalid size error|JavaScript heap/i.test(this.stderrTail);
          stop = oom
            ? { reason: 'memory', detail: 'the worker ran out of heap', elapsedMs: Date.now() - lastReport }
            : { reason: 'crash', detail: `the sandbox worker stopped unexpectedly (${signal ?? `exit code ${String(code)}`})`, elapsedMs: Date.now() - lastReport };
        }
        end({ results, stop });
      };
      this.onMessage = (raw) => {
        const m = raw as Record<string, unknown> | null;
        if (m === null || typeof m !== 'object') return;
        if (m.t === 'kvs' && typeof m.ticket === 'number' && typeof m.key === 'string' && job.kvs) {
          const backend = job.kvs;
          void lookup(backend, m.op === 'meta' ? 'meta' : 'get', m.key).then((r) => {
            if (!settled && !this.dead) this.child.send({ t: 'kvsr', ticket: m.ticket, status: r.status, payload: r.payload });
          });
          return;
        }
        if ((m.t === 'progress' || m.t === 'done') && m.id === id && Array.isArray(m.results)) {
          for (const r of m.results) {
            const ok = checkedResult(r);
            if (!ok || results.length >= job.cases.length) {
              stop = { reason: 'crash', detail: 'the sandbox worker sent a malformed report', elapsedMs: 0 };
              this.kill();
              return;
            }
            results.push(ok);
          }
          lastReport = Date.now();
          if (m.t === 'done') {
            if (results.length !== job.cases.length) {
              stop = { reason: 'crash', detail: 'the sandbox worker sent a malformed report', elapsedMs: 0 };
              this.kill();
              return;
            }
            if (snap) this.storeKey = snap.key;
            end({ results });
          } else arm(perCaseMs);
        }
      };
      arm(perCaseMs + (shipStore ? STORE_LOAD_ALLOWANCE_MS : 0));
      const kvsMode = job.kvs === undefined ? 'none' : snap ? 'snapshot' : 'remote';
      try {
        this.child.send({
          t: 'run', id, code: { wrapperSource: job.code.wrapperSource, where: job.code.where },
          store: shipStore ? { key: snap.key, entries: snap.entries(), meta: snap.meta ?? null } : undefined,
          kvs: kvsMode, cases: job.cases, minSamples: job.minSamples, maxSamples: job.maxSamples,
          timeLimitMs: job.timeLimitMs, stopMs: job.stopMs, memoryLimit: job.memoryLimit,
        });
      } catch {
        stop = { reason: 'start', detail: 'the sandbox worker could not be reached', elapsedMs: 0 };
        this.kill();
      }
    });
  }
}
