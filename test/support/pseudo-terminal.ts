import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { PROJECT_DIR } from './conngate-cli';

const BIN = path.join(PROJECT_DIR, 'bin', 'conngate.js');

export interface PtyRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Everything the terminal showed (stdout and stderr share it), up to the capture cap. */
  output: string;
  /** Bytes the terminal received in all, counted past the cap too. */
  bytes: number;
  seconds: number;
  /** True when the run had to be killed at the hard limit. */
  killed: boolean;
}

const CAPTURE_CAP = 4 * 1024 * 1024;

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs `conngate <args>` inside a pseudo-terminal (util-linux `script`) whose width is `cols` (0 is what some
 * terminals report before a resize), with TERM and the rest of `env`. CI is removed from the environment so a
 * usable terminal really gets the spinner. The run is killed at `hardLimitS` (process group), which the caller
 * asserts did not happen.
 */
export function runInPseudoTerminal(args: string[], opts: { cols: number; env?: Record<string, string>; hardLimitS: number; cwd?: string; nodeArgs?: string[] }): Promise<PtyRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', CHECKPOINT_DISABLE: '1', ...opts.env };
  delete env.CI;
  delete env.NO_COLOR;
  if (opts.env?.CI) env.CI = opts.env.CI;
  if (opts.env?.NO_COLOR) env.NO_COLOR = opts.env.NO_COLOR;
  const inner = `stty cols ${opts.cols} rows 40; exec ${[process.execPath, ...(opts.nodeArgs ?? []), BIN, ...args].map(shellQuote).join(' ')}`;
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('script', ['-qefc', inner, '/dev/null'], { cwd: opts.cwd ?? PROJECT_DIR, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let killed = false;
    const take = (d: Buffer) => {
      if (bytes < CAPTURE_CAP) chunks.push(d);
      bytes += d.length;
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const hard = setTimeout(() => {
      killed = true;
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }, opts.hardLimitS * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(hard);
      resolve({ code, signal, output: Buffer.concat(chunks).toString('utf8'), bytes, seconds: (Date.now() - started) / 1000, killed });
    });
  });
}
