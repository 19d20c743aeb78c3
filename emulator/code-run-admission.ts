/**
 * Admits a bounded number of TestConnectionFunction calls at a time. A call holds the state (shared) for as long
 * as its code runs, and the sandbox runs only a few functions at once, so without this gate every queued call
 * would hold the state while it waits for a worker: a client flooding the emulator with runaway functions would
 * keep a write waiting for the whole queue (past the lock deadline, so the write failed with 503). Calls waiting
 * here hold nothing; a write waits at most for the calls admitted before it. First come, first served; every wait
 * has a deadline.
 */
export class CodeRunAdmission {
  private running = 0;
  private readonly waiting: { grant: () => void }[] = [];

  constructor(private readonly slots: number) {
    if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`code run slots must be a positive integer, got ${slots}`);
  }

  /** Resolves to the release function once admitted; rejects after `deadlineMs`. */
  admit(deadlineMs: number): Promise<() => void> {
    if (this.waiting.length === 0 && this.running < this.slots) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          clearTimeout(timer);
          resolve(this.releaser());
        },
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) {
          this.waiting.splice(i, 1);
          reject(new Error(`the emulator was busy running other connection functions for ${deadlineMs} ms`));
        }
      }, deadlineMs);
      timer.unref();
      this.waiting.push(entry);
    });
  }

  /** Calls running or waiting to run. */
  get pending(): number {
    return this.running + this.waiting.length;
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      if (next) next.grant();
      else this.running--;
    };
  }
}
