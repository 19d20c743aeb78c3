import { randomUUID } from 'node:crypto';
import { printable } from '../../diagnostics/untrusted-text';
import { reservedKey } from '../../revocation/reserved-keys';
import { isConflict, type ReservedStore } from './reserved-store';
import { runnerGone, thisRunner } from '../../host/process-alive';
import { NothingPublished, StepError } from '../stage/step-error';

/** The lease key in the stage's KeyValueStore: what every runner of the stage, on any machine, can reach. */
export const LEASE_KEY = reservedKey('lease');

/**
 * `pidns`: the runner's pid namespace (Linux). Containers often share a hostname (host networking, a fixed
 * `--hostname`) but never their pids, so a pid is only looked up when the namespace is this process's own too.
 */
export interface LeaseRecord { holder: string; host: string; pid: number; pidns?: string; since: string; expiresAt: string }

function parseLease(text: string | undefined): LeaseRecord | undefined {
  if (!text) return undefined;
  try {
    const l = JSON.parse(text) as LeaseRecord;
    return typeof l.holder === 'string' && typeof l.expiresAt === 'string' ? l : undefined;
  } catch {
    return undefined;
  }
}

/** A lease is over when it expired by this runner's clock, or names a runner of this host and pid namespace that is gone. */
function leaseOver(l: LeaseRecord, now: number): boolean {
  return !(Date.parse(l.expiresAt) > now) || runnerGone(l);
}

/** One line on why a store request failed (server text escaped: it lands in a one-line error). */
function failure(e: unknown): string {
  const err = e as { name?: string; message?: string };
  const line = `${err?.name && err.name !== 'Error' ? `${err.name}: ` : ''}${String(err?.message ?? e).split('\n')[0]}`;
  return printable(line.length > 200 ? `${line.slice(0, 200)}...` : line);
}

function takenOver(current: LeaseRecord | undefined): string {
  return current ? printable(`runner ${current.holder.slice(0, 8)} (pid ${current.pid} on ${current.host}) took it over`) : 'it was removed';
}

export interface LeaseOptions {
  stage: string;
  /** How long the lease lasts without renewal; renewed every third of it while the run lives. @default 120000 */
  ttlMs?: number;
  /** Take the lease even when another runner holds it (`--force-unlock`); the caller logs it. */
  force?: boolean;
  /** Told once when the lease was broken by force, with the holder it replaced. */
  onForced?: (previous: LeaseRecord) => void;
}

/**
 * A lease on a stage, held in the stage's KeyValueStore under a reserved key and written with compare-and-swap
 * (If-Match on the store's ETag read before the lease): of two runners on any machines, exactly one writes it.
 * A runner that dies stops renewing, so its lease expires (at once when it ran on this host and its pid is gone).
 * A run holds its lease only while the store names it holder and its expiry, by this runner's clock, has not
 * passed; once it is lost (taken over, removed, expired, or a renewal failed) it stays lost, and assertHeld, which
 * the run calls before each write, refuses with when and why.
 */
export class StageLease {
  private timer?: NodeJS.Timeout;
  private lost?: { at: string; why: string };

  private constructor(private readonly store: ReservedStore, readonly record: LeaseRecord, private readonly ttlMs: number, private readonly stage: string) {}

  static async acquire(store: ReservedStore, opts: LeaseOptions): Promise<StageLease> {
    const ttlMs = opts.ttlMs ?? 120_000;
    const me: LeaseRecord = { holder: randomUUID(), ...thisRunner(), since: new Date().toISOString(), expiresAt: '' };
    for (let attempt = 1; ; attempt++) {
      const etag = await store.etag();
      const current = parseLease(await store.get(LEASE_KEY));
      if (current && !leaseOver(current, Date.now())) {
        if (!opts.force) {
          // The record is anyone's with write access to the store: its text is shown escaped.
          throw new StepError('lock', printable(`another conngate run holds stage "${opts.stage}" (runner ${current.holder.slice(0, 8)}, pid ${current.pid} on ${current.host}, since ${current.since}, lease until ${current.expiresAt})`),
            printable(`wait for it to finish; if that runner is gone, its lease expires at ${current.expiresAt}, or re-run with --force-unlock`));
        }
      }
      const record = { ...me, expiresAt: new Date(Date.now() + ttlMs).toISOString() };
      try {
        await store.write(etag, [{ key: LEASE_KEY, value: JSON.stringify(record) }]);
      } catch (e) {
        // Someone wrote the store since we read it (maybe another runner taking the lease): read again.
        if (isConflict(e) && attempt < 8) {
          await new Promise((r) => setTimeout(r, 20 + Math.floor(Math.random() * 80)));
          continue;
        }
        throw e;
      }
      if (opts.force && current && !leaseOver(current, Date.now())) opts.onForced?.(current);
      const lease = new StageLease(store, record, ttlMs, opts.stage);
      // A renewal that fails is not retried into a lease that may have lapsed meanwhile: it marks the lease lost,
      // and the run stops at its next write (assertHeld).
      lease.timer = setInterval(() => {
        lease.renew().catch((e) => lease.markLost(`renewal failed: ${failure(e)}`));
      }, Math.max(1000, Math.floor(ttlMs / 3)));
      lease.timer.unref();
      return lease;
    }
  }

  private markLost(why: string, at = new Date().toISOString()): void {
    this.lost ??= { at, why };
    if (this.timer) clearInterval(this.timer);
  }

  /** Why the store's `current` lease is not this run's now, or undefined while it is. */
  private problem(current: LeaseRecord | undefined): { at?: string; why: string } | undefined {
    if (current?.holder !== this.record.holder) return { why: takenOver(current) };
    if (!(Date.parse(current.expiresAt) > Date.now())) return { at: current.expiresAt, why: `it expired at ${current.expiresAt} by this runner's clock before it was renewed` };
    return undefined;
  }

  /** Extends the lease, only while it is still ours (holder and expiry); throws when the store cannot be written. */
  async renew(): Promise<void> {
    if (this.lost) return;
    for (let attempt = 1; attempt <= 4; attempt++) {
      const etag = await this.store.etag();
      const current = parseLease(await this.store.get(LEASE_KEY));
      const problem = this.problem(current);
      if (problem) {
        this.markLost(problem.why, problem.at);
        return;
      }
      try {
        await this.store.write(etag, [{ key: LEASE_KEY, value: JSON.stringify({ ...this.record, expiresAt: new Date(Date.now() + this.ttlMs).toISOString() }) }]);
        return;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
    this.markLost('renewal failed: the store changed under each of 4 attempts to write the lease');
  }

  /**
   * Throws NothingPublished unless the stage's lease is still this run's (holder and expiry, read from the store)
   * and no renewal failed: called right before each write (publish, tags, store; `write` names a write other than
   * a publish). A lease that cannot be read
   * counts as lost: nothing may be written on a lease the run cannot vouch for.
   */
  async assertHeld(write?: string): Promise<void> {
    if (!this.lost) {
      let problem: { at?: string; why: string } | undefined;
      try {
        problem = this.problem(parseLease(await this.store.get(LEASE_KEY)));
      } catch (e) {
        problem = { why: `it could not be read: ${failure(e)}` };
      }
      if (problem) this.markLost(problem.why, problem.at);
    }
    if (this.lost) {
      const fix = 'check `conngate status`, then re-run (when another run holds the stage, after it is done)';
      // Before a publish, the typed result says certainly nothing was published; before another write (the store,
      // evidence, a rollback), it names the write that was not made.
      if (write) throw new StepError('lock', `the lease on stage "${this.stage}" was lost at ${this.lost.at} (${this.lost.why}): ${write} was not written`, fix);
      throw new NothingPublished('lock', `the lease on stage "${this.stage}" was lost at ${this.lost.at} (${this.lost.why}): nothing was published`, fix);
    }
  }

  /** Gives the lease up (only if still ours), retrying transient errors; if it still fails, the lease expires. */
  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        const etag = await this.store.etag();
        const current = parseLease(await this.store.get(LEASE_KEY));
        if (current?.holder !== this.record.holder) return;
        await this.store.write(etag, [], [LEASE_KEY]);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }

  /** The stage's current lease record, if any. */
  static async read(store: ReservedStore): Promise<LeaseRecord | undefined> {
    return parseLease(await store.get(LEASE_KEY));
  }
}
