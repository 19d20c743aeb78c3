import { Worker } from 'node:worker_threads';

/** After the deadline, how long the main thread gets to stop by itself (its own one-line message, exit 1). */
export const WATCHDOG_GRACE_MS = 5_000;
/** A main thread that has not run a timer for this long is stuck: no signal handler or deadline of its can run. */
export const STALL_LIMIT_MS = 30_000;
const BEAT_MS = 250;

/**
 * The watchdog's own code, run in a worker thread: a thread of its own keeps running when the main thread is stuck
 * in a loop, where no timer, signal handler or `--timeout` of the main thread can run. It writes to the descriptor
 * directly (process.stderr in a worker goes through the main thread) and ends the whole process with SIGKILL,
 * the one way a thread can end a process whose main thread does not answer.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const beats = new Int32Array(workerData.beats);
let lastBeat = Atomics.load(beats, 0);
let lastBeatAt = Date.now();
function end(why) {
  try { fs.writeSync(2, '\\nconngate: ' + workerData.command + ': ' + why + ' (fix: ' + workerData.fix + ')\\n'); } catch {}
  process.kill(workerData.pid, 'SIGKILL');
}
setInterval(() => {
  const now = Date.now();
  const beat = Atomics.load(beats, 0);
  if (beat !== lastBeat) { lastBeat = beat; lastBeatAt = now; }
  if (workerData.killAt > 0 && now >= workerData.killAt) {
    end('did not stop within ' + workerData.deadlineS + ' s and ' + workerData.graceS + ' s of grace; ended by the watchdog');
  } else if (now - lastBeatAt >= workerData.stallMs) {
    end('stopped answering for ' + Math.round((now - lastBeatAt) / 1000) + ' s (a stuck loop: signals and --timeout could not run); ended by the watchdog');
  }
}, 200);
`;

export interface WatchdogOptions {
  /** The command path, for the message ("deploy", "revocations sync"). */
  command: string;
  /** The command's deadline in seconds; 0 = none (the stall limit still applies). */
  deadlineS: number;
  graceMs?: number;
  stallMs?: number;
}

/**
 * Ends this process from outside its main thread when the command overruns its deadline by the grace, or when the
 * main thread stops answering (a busy loop ignores SIGTERM and the deadline timer alike). A stage lease the process
 * held is not released then; it expires by itself (see StageLease: it is renewed only while the run lives, and a
 * lease whose pid is gone on the same host is over at once). Returns a stop function for a normal finish.
 */
export function startWatchdog(opts: WatchdogOptions): () => void {
  const graceMs = opts.graceMs ?? WATCHDOG_GRACE_MS;
  const beats = new SharedArrayBuffer(4);
  const view = new Int32Array(beats);
  const heartbeat = setInterval(() => Atomics.add(view, 0, 1), BEAT_MS);
  heartbeat.unref();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      beats, pid: process.pid, command: opts.command,
      killAt: opts.deadlineS > 0 ? Date.now() + opts.deadlineS * 1000 + graceMs : 0,
      deadlineS: opts.deadlineS, graceS: Math.round(graceMs / 1000),
      stallMs: opts.stallMs ?? STALL_LIMIT_MS,
      fix: 'a re-run converges; a stage lease this run held expires by itself',
    },
    // The watchdog needs none of the main thread's flags or environment, and must not keep the process alive.
    stdout: true, stderr: true, env: {},
  });
  worker.unref();
  // A watchdog that cannot start leaves the command as it was (main-thread deadline only), never fails it.
  worker.on('error', () => undefined);
  return () => {
    clearInterval(heartbeat);
    void worker.terminate();
  };
}
