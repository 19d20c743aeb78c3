/**
 * Inputs are read from regular files only. `--crl /dev/zero` read until Node's 2 GB limit, and a named pipe with
 * no writer blocked the open itself, forever, before any deadline could apply (a hung scheduled job). Each is now
 * one line, exit 2, for every flag that names a file. (Should this regress, the pipe cases block this test file's
 * process in a synchronous open, and the /dev/zero cases read 2 GB: the suite's deadline is what fails.)
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './openssl-pki';
import { cli } from './in-process-cli';


describe('inputs that are not regular files', () => {
  let dir: string;
  let fifo: string;
  beforeAll(() => {
    dir = tempDir();
    fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['--crl', () => ['--crl', '/dev/zero', '--insecure-skip-crl-verify'], '/dev/zero', 'CRL file'],
    ['--crl (a pipe)', () => ['--crl', fifo, '--insecure-skip-crl-verify'], 'pipe', 'CRL file'],
    ['--serials', () => ['--serials', fifo], 'pipe', 'serial list'],
    ['--kvs-json', () => ['--kvs-json', '/dev/zero'], '/dev/zero', 'import JSON'],
    ['--ca', () => ['--crl', 'x.crl', '--ca', fifo], 'pipe', 'CA certificate'],
    ['--crl-from-cert', () => ['--crl-from-cert', '/dev/zero', '--insecure-skip-crl-verify'], '/dev/zero', 'certificate'],
    ['a folder', () => ['--serials', dir], 'conngate-rev-[A-Za-z0-9]+', 'serial list'],
  ])('%s: one line, exit 2, at once', async (_flag, args, name, what) => {
    const r = await cli(['revocations', 'export', ...args(), '--out', path.join(dir, 'out.json')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^conngate: [^\\n]*${name}: cannot read ${what} \\(not a regular file: a device, pipe or folder\\) \\(fix: [^\\n]*\\)\\n$`));
  });
});
