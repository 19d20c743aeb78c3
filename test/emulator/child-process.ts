import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const PROJECT_DIR = join(__dirname, '..', '..');
const FIXTURES = join(__dirname, 'fixtures');

/** Runs a TypeScript fixture in its own node process (not through a wrapper, so its pid is the one to signal). */
export function spawnFixture(name: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--require', 'tsx/cjs', join(FIXTURES, name), ...args], {
    cwd: PROJECT_DIR, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
}

/** Collects a child's output and resolves with it and its exit code, or rejects at the deadline. */
export function exited(child: ChildProcess, deadlineMs = 60000): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr?.on('data', (c: Buffer) => { stderr += c.toString(); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`child did not exit within ${deadlineMs} ms: ${stderr}`)); }, deadlineMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      // Let the pipes drain.
      setImmediate(() => resolve({ code, signal, stdout, stderr }));
    });
  });
}

/** Resolves with the first match of `pattern` in the child's stderr, or rejects at the deadline. */
export function waitForStderr(child: ChildProcess, pattern: RegExp, deadlineMs = 60000): Promise<RegExpMatchArray> {
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${deadlineMs} ms; stderr so far: ${text}`)), deadlineMs);
    child.stderr?.on('data', (c: Buffer) => {
      text += c.toString();
      const m = text.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.on('exit', () => { clearTimeout(timer); reject(new Error(`child exited before ${pattern}; stderr: ${text}`)); });
  });
}
