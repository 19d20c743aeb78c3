import { FifoAdmission } from './fifo-admission';

/**
 * Admits a bounded number of TestConnectionFunction calls at a time. The sandbox runs only a few functions at once;
 * calls past that wait here, holding nothing (not the state, not a sandbox worker), so a client flooding the
 * emulator with runaway functions queues behind its own calls while writes and reads go on. An admitted call holds
 * the state only while it reads what its run needs (see Deferred). First come, first served; every wait has a
 * deadline.
 */
export class CodeRunAdmission extends FifoAdmission<'run'> {
  private running = 0;

  constructor(private readonly slots: number) {
    super();
    if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`code run slots must be a positive integer, got ${slots}`);
  }

  /** Resolves to the release function once admitted; rejects after `deadlineMs`. */
  admit(deadlineMs: number): Promise<() => void> {
    return this.admitAs('run', deadlineMs, `the emulator was busy running other connection functions for ${deadlineMs} ms`);
  }

  protected fits(): boolean {
    return this.running < this.slots;
  }
  protected take(): void {
    this.running++;
  }
  protected give(): void {
    this.running--;
  }
  protected get holding(): number {
    return this.running;
  }
}
