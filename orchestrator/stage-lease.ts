import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { reservedKey } from '../revocation/reserved-keys';
import { isConflict, type ReservedStore } from './reserved-store';
import { processAlive } from './process-alive';
import { StepError } from './step-error';

/** The lease key in the stage's KeyValueStore: what every runner of the stage, on any machine, can reach. */
export const LEASE_KEY = reservedKey('lease');

/**
 * `pidns`: the runner's pid namespace (Linux). Containers often share a hostname (host networking, a fixed
 * `--hostname`) but never their pids, so a pid is only looked up when the namespace is this process's own too.
 */
export interface LeaseRecord { holder: string; host: string; pid: number; pidns?: string; since: string; expiresAt: string }

function readPidNamespace(): string | undefined {
  try {
    return fs.readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}
const PID_NAMESPACE = readPidNamespace();

function parseLease(text: string | undefined): LeaseRecord | undefined {
  if (!text) return undefined;
  try {
    const l = JSON.parse(text) as LeaseRecord;
    return typeof l.holder === 'string' && typeof l.expiresAt === 'string' ? l : undefined;
  } catch {
    return undefined;
  }
}

/** A lease is over when it expired, or when it names a process on this very host that no longer exists. */
function leaseOver(l: LeaseRecord, now: number): boolean {
  if (!(Date.parse(l.expiresAt) > now)) return true;
  if (l.host !== os.hostname()) return false;
  // A pid seen from another pid namespace (another container with this hostname) says nothing about the runner.
  if (l.pidns !== undefined && l.pidns !== PID_NAMESPACE) return false;
  return !processAlive(l.pid);
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
 */
export class StageLease {
  private timer?: NodeJS.Timeout;
  private lost?: string;

  private constructor(private readonly store: ReservedStore, readonly record: LeaseRecord, private readonly ttlMs: number, private readonly stage: string) {}

  static async acquire(store: ReservedStore, opts: LeaseOptions): Promise<StageLease> {
    const ttlMs = opts.ttlMs ?? 120_000;
    const me: LeaseRecord = { holder: randomUUID(), host: os.hostname(), pid: process.pid, ...(PID_NAMESPACE ? { pidns: PID_NAMESPACE } : {}), since: new Date().toISOString(), expiresAt: '' };
    for (let attempt = 1; ; attempt++) {
      const etag = await store.etag();
      const current = parseLease(await store.get(LEASE_KEY));
      if (current && !leaseOver(current, Date.now())) {
        if (!opts.force) {
          throw new StepError('lock', `another conngate run holds stage "${opts.stage}" (runner ${current.holder.slice(0, 8)}, pid ${current.pid} on ${current.host}, since ${current.since}, lease until ${current.expiresAt})`,
            `wait for it to finish; if that runner is gone, its lease expires at ${current.expiresAt}, or re-run with --force-unlock`);
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
      lease.timer = setInterval(() => { lease.renew().catch(() => undefined); }, Math.max(1000, Math.floor(ttlMs / 3)));
      lease.timer.unref();
      return lease;
    }
  }

  /** Extends the lease, only while it is still ours. */
  async renew(): Promise<void> {
    if (this.lost) return;
    for (let attempt = 1; attempt <= 4; attempt++) {
      const etag = await this.store.etag();
      const current = parseLease(await this.store.get(LEASE_KEY));
      if (current?.holder !== this.record.holder) {
        this.lost = current ? `runner ${current.holder.slice(0, 8)} (pid ${current.pid} on ${current.host}) took it over` : 'it was removed';
        return;
      }
      try {
        await this.store.write(etag, [{ key: LEASE_KEY, value: JSON.stringify({ ...this.record, expiresAt: new Date(Date.now() + this.ttlMs).toISOString() }) }]);
        return;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
  }

  /** Throws unless the stage's lease is still this run's: checked right before anything is published. */
  async assertHeld(): Promise<void> {
    const current = parseLease(await this.store.get(LEASE_KEY));
    if (current?.holder !== this.record.holder) {
      this.lost ??= current ? `runner ${current.holder.slice(0, 8)} (pid ${current.pid} on ${current.host}) took it over` : 'it was removed';
    }
    if (this.lost) {
      throw new StepError('lock', `this run lost its lease on stage "${this.stage}": ${this.lost}; nothing was published`,
        'check `conngate status`, then re-run when the other run is done');
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
