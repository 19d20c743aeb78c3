import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runnerGone, thisRunner, type RunnerProcess } from '../../host/process-alive';
import { StepError } from '../stage/step-error';
import { makeFolder } from '../../host/make-folder';

/** `pidns`: the runner's pid namespace, judged as the stage lease judges it (process-alive.ts). */
interface LockRecord extends RunnerProcess { since: string; expiresAt: string; token: string }

const TAKEOVER_ABANDONED_MS = 10_000;
const MAX_LOCK_BYTES = 64 * 1024;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * A per-stage lock file, so two pipelines started from one checkout do not interleave (across machines the
 * stage's lease does that, see stage-lease.ts). A lock is over when its process is gone (same host and pid
 * namespace: a checkout shared by containers sees pids of other namespaces, which say nothing) or it expired
 * (it is renewed while its run lives, so a live but unrelated process that reused the pid blocks for one TTL at
 * most). Taking over a lock that is over happens under a takeover file created exclusively, and only when the lock
 * still holds the very token judged stale, so two processes taking over at once cannot both win.
 */
export class StageLock {
  private timer?: NodeJS.Timeout;
  private constructor(private readonly file: string, private readonly record: LockRecord, private readonly ttlMs: number) {}

  static acquire(dir: string, stage: string, opts: { ttlMs?: number; force?: boolean; onForced?: (holder: string) => void } = {}): StageLock {
    const ttlMs = opts.ttlMs ?? 120_000;
    const file = path.join(dir, 'locks', `${stage}.lock`);
    makeFolder(path.dirname(file));
    const record: LockRecord = { ...thisRunner(), since: new Date().toISOString(), expiresAt: new Date(Date.now() + ttlMs).toISOString(), token: randomUUID() };
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (StageLock.create(file, record)) return new StageLock(file, record, ttlMs).startRenewal();
      const seen = StageLock.read(file);
      if (seen === 'gone') continue;
      if (seen === 'writing') {
        sleepSync(10);
        continue;
      }
      if (seen !== 'unreadable' && !StageLock.over(seen)) {
        if (!opts.force) {
          throw new StepError('lock', `another conngate run (pid ${seen.pid} on ${seen.host}, since ${seen.since}) is working on stage "${stage}"`,
            `wait for it to finish; if that process is gone the lock expires at ${seen.expiresAt}, or re-run with --force-unlock`);
        }
        opts.onForced?.(`pid ${seen.pid} on ${seen.host} since ${seen.since}`);
      }
      StageLock.takeOver(file, seen === 'unreadable' ? undefined : seen.token);
    }
    throw new StepError('lock', `could not take the lock ${file} within 15 s`, 'remove the file if no conngate run is working on the stage, and re-run');
  }

  /**
   * Creates the lock file with its whole content at once: written to a private file, then hard-linked into place
   * (atomic, and fails if the lock exists), so no reader ever sees a half-written lock.
   */
  private static create(file: string, record: LockRecord): boolean {
    const tmp = `${file}.${process.pid}.${record.token}.new`;
    fs.writeFileSync(tmp, JSON.stringify(record));
    try {
      fs.linkSync(tmp, file);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      return false;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }

  /** Removes the lock if it still holds `token` (undefined: a torn/unreadable file), under the takeover file. */
  private static takeOver(file: string, token: string | undefined): void {
    const mutex = `${file}.takeover`;
    try {
      fs.writeFileSync(mutex, String(process.pid), { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        // A takeover takes milliseconds; a takeover file this old belongs to a process that died during one.
        if (Date.now() - fs.statSync(mutex).mtimeMs > TAKEOVER_ABANDONED_MS) fs.rmSync(mutex, { force: true });
      } catch { /* gone meanwhile */ }
      sleepSync(5 + Math.floor(Math.random() * 20));
      return;
    }
    try {
      const now = StageLock.read(file);
      if (now === 'gone' || now === 'writing') return;
      if (now === 'unreadable' ? token === undefined : now.token === token) fs.rmSync(file, { force: true });
    } finally {
      fs.rmSync(mutex, { force: true });
    }
  }

  /**
   * The lock file's text, read without following a link and without blocking: a FIFO, a device or a link to one put
   * in the lock's place would block a plain read (or never reach its end) before any deadline could act.
   */
  private static text(file: string): string {
    const fix = 'remove it if no conngate run is working on the stage, and re-run';
    let fd: number;
    try {
      fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw new StepError('lock', `${file} is a symbolic link, not a lock file`, fix);
      throw e;
    }
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) throw new StepError('lock', `${file} is not a regular file, so it is not a lock file`, fix);
      // A lock record is a few hundred bytes: anything far larger is not one (and is not read whole).
      return st.size > MAX_LOCK_BYTES ? '' : fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  }

  private static read(file: string): LockRecord | 'gone' | 'unreadable' | 'writing' {
    let text: string;
    try {
      text = StageLock.text(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      throw e;
    }
    try {
      const r = JSON.parse(text) as Partial<LockRecord>;
      if (typeof r.pid !== 'number') return 'unreadable';
      // Locks written before expiry and tokens existed: judged by the pid, with the file's age as expiry.
      let expiresAt = r.expiresAt;
      if (!expiresAt) {
        try {
          expiresAt = new Date(fs.statSync(file).mtimeMs + 120_000).toISOString();
        } catch {
          return 'gone';
        }
      }
      return { pid: r.pid, host: r.host ?? os.hostname(), ...(typeof r.pidns === 'string' ? { pidns: r.pidns } : {}), since: r.since ?? '?', expiresAt, token: r.token ?? `legacy-${text}` };
    } catch {
      // Torn by a crash (or written by an older conngate right now): unreadable files older than a second are stale.
      try {
        return Date.now() - fs.statSync(file).mtimeMs > 1000 ? 'unreadable' : 'writing';
      } catch {
        return 'gone';
      }
    }
  }

  private static over(r: LockRecord): boolean {
    if (!(Date.parse(r.expiresAt) > Date.now())) return true;
    return runnerGone(r);
  }

  private startRenewal(): this {
    this.timer = setInterval(() => {
      // A lock file that can no longer be read as this run's is not renewed (a throw here would end the run).
      let now: ReturnType<typeof StageLock.read>;
      try {
        now = StageLock.read(this.file);
      } catch {
        return;
      }
      if (typeof now === 'string' || now.token !== this.record.token) return;
      // Named by the token, so no file put there beforehand (a link elsewhere) is written through.
      const tmp = `${this.file}.${process.pid}.${this.record.token}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ ...this.record, expiresAt: new Date(Date.now() + this.ttlMs).toISOString() }));
      fs.renameSync(tmp, this.file);
    }, Math.max(1000, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
    return this;
  }

  release(): void {
    if (this.timer) clearInterval(this.timer);
    let now: ReturnType<typeof StageLock.read>;
    try {
      now = StageLock.read(this.file);
    } catch {
      return;
    }
    if (typeof now !== 'string' && now.token === this.record.token) fs.rmSync(this.file, { force: true });
  }
}
