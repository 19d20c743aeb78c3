/**
 * The processes of this machine, as every part that records "who holds this" needs them: the pipeline's lock and
 * lease, and the emulator's state-file owner. It imports nothing of conngate's, so any folder may use it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

/** Whether a process with this pid exists on this machine (a permission error still means it exists). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPidNamespace(): string | undefined {
  try {
    return fs.readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

/** This process's pid namespace (Linux, e.g. `pid:[4026531836]`); undefined where there is none to read. */
export const PID_NAMESPACE = readPidNamespace();

/** Where a runner ran, as its lease or lock records it. `pidns` is absent in records of older versions. */
export interface RunnerProcess { host: string; pid: number; pidns?: string }

/** This process as a lease or lock records it. */
export function thisRunner(): RunnerProcess {
  return { host: os.hostname(), pid: process.pid, ...(PID_NAMESPACE ? { pidns: PID_NAMESPACE } : {}) };
}

/**
 * Whether the recorded runner is certainly gone: it ran on this host, in this very pid namespace, and its pid no
 * longer exists. Containers often share a hostname (host networking, a fixed `--hostname`) but never their pids, so
 * a pid seen from another pid namespace says nothing about the runner; its record's expiry decides then.
 */
export function runnerGone(r: RunnerProcess): boolean {
  if (r.host !== os.hostname()) return false;
  if (r.pidns !== undefined && r.pidns !== PID_NAMESPACE) return false;
  return Number.isInteger(r.pid) && r.pid > 0 && !processAlive(r.pid);
}
