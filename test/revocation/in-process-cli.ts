import { main } from '../../cli/program';

/**
 * Runs the conngate CLI in this process with stdout and stderr captured (faster than a child process, and the
 * emulator of the test stays reachable); process.exitCode is restored so one run never leaks into the next.
 */
export async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => { out += String(c); return true; });
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => { err += String(c); return true; });
  const saved = process.exitCode;
  try {
    return { code: await main(['node', 'conngate', ...args]), out, err };
  } finally {
    process.exitCode = saved;
    o.mockRestore();
    e.mockRestore();
  }
}
