import { spawn } from 'node:child_process';

export interface ProcessResult { code: number | null; stdout: string; stderr: string }

/** Runs a program to completion and collects its output (jest cannot load the ESM-only execa). */
export function runProcess(cmd: string, args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += String(d); });
    child.stderr.on('data', (d) => { stderr += String(d); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
