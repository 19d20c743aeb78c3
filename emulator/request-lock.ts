import { FifoAdmission } from './fifo-admission';

/**
 * Orders requests around the state: reads (and TestConnectionFunction, which may run for a while outside this
 * process) share it, a write has it alone. A write therefore never interleaves with another write, however its
 * handler awaits, so undoing a write whose save failed cannot undo someone else's change, and a function under
 * test never sees a half-applied write. First come, first served: a waiting write holds back later reads, so
 * writes are not starved.
 */
export class RequestLock extends FifoAdmission<boolean> {
  private readers = 0;
  private writer = false;

  /**
   * Resolves to the release function once the lock is held; rejects after `deadlineMs` (nothing waits forever:
   * a function under test that never ends is stopped by the runtime's limits, and this bounds the rest).
   */
  acquire(exclusive: boolean, deadlineMs: number): Promise<() => void> {
    return this.admitAs(exclusive, deadlineMs, `the emulator was busy for ${deadlineMs} ms`);
  }

  protected fits(exclusive: boolean): boolean {
    return !this.writer && (!exclusive || this.readers === 0);
  }
  protected take(exclusive: boolean): void {
    if (exclusive) this.writer = true;
    else this.readers++;
  }
  protected give(exclusive: boolean): void {
    if (exclusive) this.writer = false;
    else this.readers--;
  }
  protected get holding(): number {
    return this.readers + (this.writer ? 1 : 0);
  }
}
