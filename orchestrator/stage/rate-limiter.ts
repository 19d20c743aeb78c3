/**
 * Bounded concurrency plus a request-rate ceiling (token bucket), so a large suite runs fast without exceeding
 * the request rate CloudFront (or the caller's configuration) allows.
 */
export interface RateLimitOptions {
  /** Requests in flight at once. */
  concurrency: number;
  /** Requests started per second at most; 0 or Infinity = no ceiling. */
  ratePerSecond: number;
}

export class RateLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private chain: Promise<void> = Promise.resolve();
  private lastStart = -Infinity;

  constructor(private readonly opts: RateLimitOptions) {
    if (!(opts.concurrency >= 1)) throw new RangeError('concurrency must be at least 1');
    if (!(opts.ratePerSecond >= 0)) throw new RangeError('ratePerSecond must be 0 (no ceiling) or more');
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      await this.pace();
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.opts.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => { this.active++; resolve(); }));
  }

  private release(): void {
    this.active--;
    const next = this.waiting.shift();
    if (next) next();
  }

  /**
   * Spaces request starts at least 1/rate apart, measured from when the previous one actually started (a late
   * timer only makes the run slower, never burstier), so no one-second window holds more than `rate` starts.
   * Callers queue through one promise chain, which keeps them in arrival order.
   */
  private pace(): Promise<void> {
    const rate = this.opts.ratePerSecond;
    if (!rate || !Number.isFinite(rate)) return Promise.resolve();
    const interval = 1000 / rate;
    const turn = this.chain.then(async () => {
      const wait = this.lastStart + interval - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, Math.ceil(wait)));
      this.lastStart = performance.now();
    });
    this.chain = turn;
    return turn;
  }
}

/** Runs every item through the limiter and keeps the input order in the results. */
export function mapLimited<I, O>(items: readonly I[], limiter: RateLimiter, fn: (item: I, index: number) => Promise<O>): Promise<O[]> {
  return Promise.all(items.map((item, i) => limiter.run(() => fn(item, i))));
}
