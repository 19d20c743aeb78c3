/**
 * First come, first served admission to something a bounded number of requests may hold at once, every wait with a
 * deadline. The request lock (readers and a writer on the state) and the code-run admission (a few function runs at
 * a time) differ only in when the head of the queue fits and in what holding means; the queue, the deadlines and the
 * once-only release are this one piece.
 */
export abstract class FifoAdmission<Kind> {
  private readonly waiting: { kind: Kind; grant: () => void }[] = [];

  /** Whether a request of `kind` may hold it now, next to those already holding it. */
  protected abstract fits(kind: Kind): boolean;
  /** Counts a request of `kind` as holding it. */
  protected abstract take(kind: Kind): void;
  /** Counts a request of `kind` as no longer holding it. */
  protected abstract give(kind: Kind): void;
  /** Requests holding it now. */
  protected abstract get holding(): number;

  /** Requests that hold it or wait for it. */
  get pending(): number {
    return this.holding + this.waiting.length;
  }

  /**
   * Resolves to the release function once admitted; rejects with `busy` after `deadlineMs`. Uncontended (the common
   * case), it is granted at once, without arming a deadline timer. A waiting request holds back later ones, so none
   * is starved.
   */
  protected admitAs(kind: Kind, deadlineMs: number, busy: string): Promise<() => void> {
    if (this.waiting.length === 0 && this.fits(kind)) {
      this.take(kind);
      return Promise.resolve(this.releaser(kind));
    }
    return new Promise((resolve, reject) => {
      const entry = {
        kind,
        grant: () => {
          clearTimeout(timer);
          resolve(this.releaser(kind));
        },
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) {
          this.waiting.splice(i, 1);
          reject(new Error(busy));
          this.pump();
        }
      }, deadlineMs);
      timer.unref();
      this.waiting.push(entry);
      this.pump();
    });
  }

  private releaser(kind: Kind): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.give(kind);
      this.pump();
    };
  }

  private pump(): void {
    while (this.waiting.length > 0 && this.fits(this.waiting[0].kind)) {
      const next = this.waiting.shift()!;
      this.take(next.kind);
      next.grant();
    }
  }
}
