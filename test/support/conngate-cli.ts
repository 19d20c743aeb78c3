import { execFile } from 'node:child_process';
import * as path from 'node:path';

export const PROJECT_DIR = path.join(__dirname, '..', '..');
const BIN = path.join(PROJECT_DIR, 'bin', 'conngate.js');

export interface CliResult { code: number; stdout: string; stderr: string }

/**
 * Runs the built CLI as a child process, asynchronously: tests host the emulator in their own process, and a
 * synchronous spawn would block the event loop the emulator answers on.
 */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? PROJECT_DIR, env: { ...process.env, CI: '1', CHECKPOINT_DISABLE: '1', ...opts.env }, maxBuffer: 64 * 1024 * 1024,
    }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? (err as unknown as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
