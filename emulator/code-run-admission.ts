/**
 * Admits a bounded number of TestConnectionFunction calls at a time. The sandbox runs only a few functions at once;
 * calls past that wait here, holding nothing (not the state, not a sandbox worker), so a client flooding the
 * emulator with runaway functions queues behind its own calls while writes and reads go on. An admitted call holds
 * the state only while it reads what its run needs (see Deferred). First come, first served; every wait has a
 * deadline.
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
