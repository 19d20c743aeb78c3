import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../cli/program';
import { startEmulator } from '../../emulator';
import { tempDir } from './harness';

jest.setTimeout(30_000);

/** Runs `conngate emulator` in process and returns its exit code and what it wrote to stderr. */
async function runCli(args: string[]): Promise<{ code: number; stderr: string }> {
  const errors: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { errors.push(String(s)); return true; });
  try {
    const code = await main(['node', 'conngate', 'emulator', '--port', '0', ...args]);
    return { code, stderr: errors.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('a --state path that is not a regular file is bad input: one line, exit 2, nothing created', () => {
  test('a FIFO (which hung the start for ever) and a folder (an unexpected error with a stack)', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'state.fifo');
    execFileSync('mkfifo', [fifo]);
    const folder = join(dir, 'state.json');
    mkdirSync(folder);
    for (const file of [fifo, folder]) {
      const r = await runCli(['--state', file]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^conngate: emulator state file .*: is not a regular file .*\(fix: /);
    }
    // No ownership folder was left next to them.
    expect(readdirSync(dir).sort()).toEqual(['state.fifo', 'state.json']);
  });

  test('a device: refused in process with a UserError, never read', async () => {
    await expect(startEmulator({ port: 0, stateFile: '/dev/zero' })).rejects.toMatchObject({ name: 'UserError' });
  });
});
