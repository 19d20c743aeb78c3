/**
 * Bytes the emulator may hold for one purpose across all requests at once (request bodies being read and served,
 * or S3 objects stored), so that many clients together cannot grow its memory without bound: each request's own
 * limit bounds one request, the budget bounds them all.
 */
export class MemoryBudget {
  private used = 0;
  constructor(readonly limit: number) {}

  /** Takes `n` bytes when they fit; false (nothing taken) when they do not. A negative `n` gives bytes back. */
  tryReserve(n: number): boolean {
    if (this.used + n > this.limit) return false;
    this.used += n;
    return true;
  }

  release(n: number): void {
    this.used = Math.max(0, this.used - n);
  }

  get inUse(): number {
    return this.used;
  }
}

/** Bytes as MiB for messages. */
export const mib = (n: number): string => `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;
