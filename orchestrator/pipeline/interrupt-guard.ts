/**
 * Ctrl-C handling for pipelines. Before publishing, an interrupt stops the run with LIVE untouched. Once a publish
 * has started, the run finishes verifying LIVE (or rolls it back) before it stops, so LIVE is never left
 * published-but-unverified by an interrupt. A second Ctrl-C during that window is refused with a notice; a third
 * exits at once (a re-run then converges: it finds LIVE already at the candidate and verifies it).
 */
export class InterruptGuard {
  private interrupted = false;
  private critical = 0;
  private presses = 0;
  private readonly handler = () => this.onSignal();

  constructor(private readonly notify: (msg: string) => void = (m) => process.stderr.write(m + '\n')) {}

  install(): this {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
    return this;
  }

  uninstall(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }

  private onSignal() {
    this.presses++;
    this.interrupted = true;
    if (this.critical > 0) {
      if (this.presses >= 3) process.exit(130);
      this.notify('conngate: interrupt received while LIVE is changing; finishing verification (or rollback) first. Press Ctrl-C twice more to abandon (a re-run converges).');
    } else {
      this.notify('conngate: interrupt received; stopping before anything else is published.');
    }
  }

  /** Throws if an interrupt arrived; called between steps that are safe to stop at. */
  checkpoint(what: string): void {
    if (this.interrupted && this.critical === 0) {
      const e = new Error(`interrupted before ${what}; LIVE was not changed by this run`);
      e.name = 'Interrupted';
      throw e;
    }
  }

  /** Runs work that must not be abandoned half-way (publish + verify + rollback). */
  async critically<T>(work: () => Promise<T>): Promise<T> {
    this.critical++;
    try {
      return await work();
    } finally {
      this.critical--;
    }
  }

  get wasInterrupted(): boolean {
    return this.interrupted;
  }
}
