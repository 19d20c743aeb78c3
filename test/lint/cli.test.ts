// `conngate lint` through the built CLI, and the lint step `conngate test --local` runs before any case.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { lintBeforeUse } from '../../lint/lint-files';
import { runCli } from '../support/conngate-cli';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-lint-cli-'));
  fs.writeFileSync(path.join(dir, 'good.js'), 'function connectionHandler(connection) {\n  connection.allow();\n}\n');
  fs.writeFileSync(path.join(dir, 'warn.js'), 'function connectionHandler(connection) {\n  console.log("ip", connection.clientIp);\n  connection.allow();\n}\n');
  fs.writeFileSync(path.join(dir, 'bad.js'), 'function connectionHandler(connection) {\n  if (connection.clientIp === "10.0.0.1") {\n    connection.deny();\n  }\n  connection.allow();\n}\n');
  fs.writeFileSync(path.join(dir, 'bad.suite.json'), JSON.stringify({ cases: [{ name: 'one', connection: { clientIp: '10.0.0.1' }, expect: { decision: 'deny' } }] }));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('conngate lint', () => {
  it('exits 0 without findings and with warnings only, printing file:line:col severity rule message', async () => {
    const good = await runCli(['lint', 'good.js'], { cwd: dir });
    expect([good.code, good.stdout]).toEqual([0, '']);
    const warn = await runCli(['lint', 'warn.js'], { cwd: dir });
    expect(warn.code).toBe(0);
    expect(warn.stdout).toBe('warn.js:2:3 warning runtime-builtin console.log takes one argument in the runtime, got 2: concatenate them\n');
  }, 60_000);

  it('exits 1 on an error, and lints every .js file of --functions-dir by default', async () => {
    const r = await runCli(['lint', '--functions-dir', dir], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n').map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
      `${path.join(dir, 'bad.js')}:5:3 error decision-then-continue`.replace(`${dir}/`, ''),
      `${path.join(dir, 'warn.js')}:2:3 warning runtime-builtin`.replace(`${dir}/`, ''),
    ]);
    expect(r.stderr).toContain('1 error(s), 1 warning(s)');
  }, 60_000);

  it('is bad input (exit 2, one line) for an unreadable file', async () => {
    const r = await runCli(['lint', 'missing.js'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').pop()).toBe('conngate: missing.js: cannot be read (fix: pass the path of a connection-function .js file)');
  }, 60_000);
});

describe('conngate test --local runs lint first', () => {
  it('prints the findings on stdout before the table and still runs every case (its exit code is the suite\'s)', async () => {
    const r = await runCli(['test', '--local', 'bad.js', '--functions-dir', '.'], { cwd: dir });
    const lintLine = r.stdout.indexOf('bad.js:5:3 error decision-then-continue');
    expect(lintLine).toBeGreaterThanOrEqual(0);
    expect(r.stdout).toContain('conngate lint: 1 error(s), 0 warning(s)');
    // The case ran after the findings, and passed: the local runtime keeps the first of the two decisions, so the
    // suite alone does not see what lint reports (calling both is undocumented at the edge).
    expect(r.stdout.indexOf('1 passed, 0 failed')).toBeGreaterThan(lintLine);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  }, 60_000);
});

describe('hostile paths', () => {
  // A device that never ends grew the read to gigabytes, and a pipe with no writer blocked forever: every lint
  // (and every command that lints first) must answer at once instead.
  it('conngate lint refuses a pipe and an endless device as one line of bad input, promptly', async () => {
    const fifo = path.join(dir, 'fn.js');
    execFileSync('mkfifo', [fifo]);
    try {
      for (const target of ['fn.js', '/dev/zero']) {
        const started = Date.now();
        const r = await runCli(['lint', target], { cwd: dir });
        expect(r.code).toBe(2);
        expect(r.stderr.trim().split('\n')).toEqual([`conngate: ${target}: cannot be read (fix: pass the path of a connection-function .js file)`]);
        expect(Date.now() - started).toBeLessThan(15_000);
      }
      // The lint step before other commands leaves such a path to the command and returns without reading it.
      const lines: string[] = [];
      lintBeforeUse([fifo, '/dev/zero'], (l) => lines.push(l));
      expect(lines).toEqual([]);
    } finally {
      fs.rmSync(fifo, { force: true });
    }
  }, 60_000);
});
