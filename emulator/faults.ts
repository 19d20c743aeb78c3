/** Faults the emulator injects, per request, in this order: latency, throttling, server error, concurrent write. */
export interface FaultConfig {
  /** Milliseconds added before every request is handled. @default 0 */
  latencyMs?: number;
  /** Share of requests (0-1) answered with the service's throttling error. @default 0 */
  throttleRate?: number;
  /** Share of requests (0-1) answered with a 5xx error. @default 0 */
  serverErrorRate?: number;
  /**
   * Share of conditional requests (0-1, those carrying If-Match for a connection function or a store's keys)
   * just before which another writer moves the resource's ETag, so the request meets a stale ETag. @default 0
   */
  concurrentWriteRate?: number;
  /**
   * Share of TestConnectionFunction calls against Stage=LIVE (0-1) answered with a function execution error, as a
   * LIVE stage that misbehaves would be: what exercises a deploy's LIVE verification and rollback. @default 0
   */
  failLiveTestRate?: number;
  /**
   * Operations, by their API name (e.g. `UpdateKeys`), answered with a 5xx every time: a call that keeps failing
   * while the rest of the service answers, as a store whose writes fail would. @default []
   */
  failOperations?: string[];
  /** Seed of the random sequence that decides which requests get a fault. @default 1 */
  seed?: number;
}

export interface FaultDecision {
  latencyMs: number;
  throttle: boolean;
  serverError: boolean;
  concurrentWrite: boolean;
  failLiveTest: boolean;
}

function checkRate(name: string, v: number | undefined): number {
  const r = v ?? 0;
  if (!Number.isFinite(r) || r < 0 || r > 1) throw new RangeError(`fault ${name} must be between 0 and 1, got ${v}`);
  return r;
}

/** Decides faults from a seeded sequence (mulberry32), so a run with the same seed and requests repeats exactly. */
export class FaultInjector {
  private config!: Required<FaultConfig>;
  private rngState = 0;

  constructor(config: FaultConfig = {}) {
    this.set(config);
  }

  private static normalize(f: FaultConfig): Required<FaultConfig> {
    const latencyMs = f.latencyMs ?? 0;
    if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new RangeError(`fault latencyMs must be >= 0, got ${f.latencyMs}`);
    return {
      latencyMs,
      throttleRate: checkRate('throttleRate', f.throttleRate),
      serverErrorRate: checkRate('serverErrorRate', f.serverErrorRate),
      concurrentWriteRate: checkRate('concurrentWriteRate', f.concurrentWriteRate),
      failLiveTestRate: checkRate('failLiveTestRate', f.failLiveTestRate),
      failOperations: FaultInjector.operationNames(f.failOperations),
      seed: f.seed ?? 1,
    };
  }

  private static operationNames(names: string[] | undefined): string[] {
    for (const n of names ?? []) {
      if (typeof n !== 'string' || !/^[A-Z][A-Za-z0-9]{0,99}$/.test(n)) throw new RangeError(`fault failOperations must name API operations (e.g. UpdateKeys), got ${JSON.stringify(n)}`);
    }
    return [...(names ?? [])];
  }

  /** Whether every request of this operation is answered with a 5xx. */
  failsOperation(name: string): boolean {
    return this.config.failOperations.includes(name);
  }

  /** Replaces the configuration and restarts the random sequence from its seed. */
  set(config: FaultConfig): void {
    this.config = FaultInjector.normalize(config);
    this.rngState = this.config.seed >>> 0;
  }

  private next(): number {
    this.rngState = (this.rngState + 0x6d2b79f5) >>> 0;
    let t = this.rngState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** One decision per request; draws a number only for the faults that are switched on. */
  decide(): FaultDecision {
    const c = this.config;
    return {
      latencyMs: c.latencyMs,
      throttle: c.throttleRate > 0 && this.next() < c.throttleRate,
      serverError: c.serverErrorRate > 0 && this.next() < c.serverErrorRate,
      concurrentWrite: c.concurrentWriteRate > 0 && this.next() < c.concurrentWriteRate,
      failLiveTest: c.failLiveTestRate > 0 && this.next() < c.failLiveTestRate,
    };
  }
}
