/**
 * Orders requests around the state: reads (and TestConnectionFunction, which may run for a while outside this
 * process) share it, a write has it alone. A write therefore never interleaves with another write, however its
 * handler awaits, so undoing a write whose save failed cannot undo someone else's change, and a function under
 * test never sees a half-applied write. First come, first served: a waiting write holds back later reads, so
 * writes are not starved.
 */
export class RequestLock {
  private readers = 0;
  private writer = false;
  private readonly waiting: { exclusive: boolean; grant: () => void }[] = [];

  /**
   * Resolves to the release function once the lock is held; rejects after `deadlineMs` (nothing waits forever:
   * a function under test that never ends is stopped by the runtime's limits, and this bounds the rest).
   */
  acquire(exclusive: boolean, deadlineMs: number): Promise<() => void> {
    // Uncontended (the common case): granted at once, without arming a deadline timer.
    if (this.waiting.length === 0 && !this.writer && (!exclusive || this.readers === 0)) {
      if (exclusive) this.writer = true;
      else this.readers++;
      return Promise.resolve(this.releaser(exclusive));
    }
    return new Promise((resolve, reject) => {
      const entry = {
        exclusive,
        grant: () => {
          clearTimeout(timer);
          resolve(this.releaser(exclusive));
        },
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) {
          this.waiting.splice(i, 1);
          reject(new Error(`the emulator was busy for ${deadlineMs} ms`));
          this.pump();
        }
      }, deadlineMs);
      timer.unref();
      this.waiting.push(entry);
      this.pump();
    });
  }

  /** Requests that hold the lock or wait for it. */
  get pending(): number {
    return this.readers + (this.writer ? 1 : 0) + this.waiting.length;
  }

  private releaser(exclusive: boolean): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (exclusive) this.writer = false;
      else this.readers--;
      this.pump();
    };
  }

  private pump(): void {
    while (this.waiting.length > 0 && !this.writer) {
      const next = this.waiting[0];
      if (next.exclusive && this.readers > 0) return;
      this.waiting.shift();
      if (next.exclusive) this.writer = true;
      else this.readers++;
      next.grant();
    }
  }
}
