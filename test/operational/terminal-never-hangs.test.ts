import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_DIR } from '../support/conngate-cli';
import { TEST_EVIDENCE_KEY, useEmulatorProject } from '../support/emulator-project';
import { runInPseudoTerminal, type PtyRun } from '../support/pseudo-terminal';
import { makeCa, makeCrl, type TestCa } from '../revocation/openssl-pki';

/**
 * Every long-running command under terminals that once made a spinner loop for ever (a pseudo-terminal 0 or 1
 * column wide) and the usual ones (200 columns, TERM=dumb): it ends within its deadline, with bounded output.
 * A stuck main thread is ended by the watchdog at the deadline plus its grace.
 */
const TERMINALS: { name: string; cols: number; env?: Record<string, string> }[] = [
  { name: 'width 0', cols: 0 },
  { name: 'width 1', cols: 1 },
  { name: 'width 200', cols: 200 },
  { name: 'TERM=dumb', cols: 80, env: { TERM: 'dumb' } },
];
/** No command here prints more than a few kilobytes; a redraw loop prints megabytes within a second. */
const OUTPUT_BOUND = 64 * 1024;
const DEADLINE_S = 150;
const GRACE_S = 5;
const ESC = '\x1b[';

describe('never hang, whatever the terminal', () => {
  const p = useEmulatorProject('conngate-pty');
  const env = { CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY };
  let pki: { ca: TestCa; crl: string } | undefined;
  const run = (args: string[], cols: number, extra: Record<string, string> = {}) =>
    runInPseudoTerminal([...args, '--dir', p.dir, '--endpoint', p.emulator.endpoint, '--timeout', String(DEADLINE_S)],
      { cols, env: { ...env, ...extra }, hardLimitS: DEADLINE_S + GRACE_S + 20 });
  const expectBounded = (r: PtyRun, what: string, opts: { plain: boolean }) => {
    const diag = `${what}: ${r.seconds.toFixed(1)} s, ${r.bytes} bytes, exit ${r.code}\n${r.output.slice(-2000)}`;
    expect({ killed: r.killed, overBound: r.bytes > OUTPUT_BOUND, code: r.code, diag: r.code === 0 ? '' : diag }).toEqual({ killed: false, overBound: false, code: 0, diag: '' });
    expect(r.seconds).toBeLessThan(DEADLINE_S);
    // Plain lines on anything that is not a usable terminal: not a single cursor or colour code.
    if (opts.plain) expect(r.output.includes(ESC)).toBe(false);
  };

  it('deploy ends with bounded output on a terminal 0 columns wide and on one 200 wide', async () => {
    const narrow = await run(['deploy', 'dev'], 0);
    expectBounded(narrow, 'deploy, width 0', { plain: true });
    expect(narrow.output).toMatch(/ ok dev: applied/);
    const wide = await run(['deploy', 'dev'], 200);
    expectBounded(wide, 'deploy, width 200', { plain: false });
    // A usable terminal gets the one-line spinner: it redraws its own line, and every line fits the width.
    expect(wide.output).toContain('\r\x1b[2K');
    for (const line of wide.output.split(/\r?\n|\r/)) expect(line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').length).toBeLessThanOrEqual(200);
  }, 2 * (DEADLINE_S + 30) * 1000);

  it.each(TERMINALS)('verify ends with bounded output ($name)', async ({ cols, env: extra }) => {
    expectBounded(await run(['verify', 'dev'], cols, extra), 'verify', { plain: cols < 20 || extra?.TERM === 'dumb' });
  }, (DEADLINE_S + 30) * 1000);

  it.each([['--no-progress', {}], ['--no-color', {}], ['NO_COLOR=1', { NO_COLOR: '1' }]] as const)('a 200-column terminal gets plain lines with %s', async (flag, extra) => {
    const args = flag.startsWith('--') ? [flag, 'verify', 'dev'] : ['verify', 'dev'];
    expectBounded(await run(args, 200, extra), `verify ${flag}`, { plain: true });
  }, (DEADLINE_S + 30) * 1000);

  it.each([TERMINALS[1], TERMINALS[3]])('promote ends with bounded output ($name)', async ({ cols, env: extra }) => {
    expectBounded(await run(['promote', 'dev', 'staging'], cols, extra), 'promote', { plain: true });
  }, (DEADLINE_S + 30) * 1000);

  it.each(TERMINALS)('revocations sync ends with bounded output ($name)', async ({ cols, env: extra }) => {
    // One CA and CRL for every run: the first puts the two serials, the later ones find them in place.
    pki ??= (() => { const ca = makeCa(p.dir, 'pty-ca'); return { ca, crl: makeCrl(ca, ['0A', '0B']) }; })();
    const { ca, crl } = pki;
    const r = await run(['revocations', 'sync', 'dev', '--crl', crl, '--ca', ca.certFile], cols, extra);
    expectBounded(r, 'revocations sync', { plain: cols < 20 || extra?.TERM === 'dumb' });
    expect(r.output).toMatch(/revocations dev: (put 2|nothing to change|.*0 keys)/);
  }, (DEADLINE_S + 30) * 1000);

  it.each(TERMINALS)('run-task serve starts and is stopped by its deadline ($name)', async ({ cols, env: extra }) => {
    const r = await runInPseudoTerminal(['run-task', 'serve', '--dir', p.dir, '--endpoint', p.emulator.endpoint, '--port', '0', '--timeout', '3'],
      { cols, env: { ...env, CONNGATE_RUN_TASK_HMAC_KEY: 'pty-test-hmac-key', ...extra }, hardLimitS: 3 + GRACE_S + 30 });
    expect(r.killed).toBe(false);
    expect(r.output).toMatch(/run task listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(r.output).toMatch(/conngate: run-task serve: did not finish within 3 s/);
    expect(r.code).toBe(1);
    expect(r.bytes).toBeLessThan(OUTPUT_BOUND);
  }, 60_000);

  it('a main thread stuck in a loop is still ended at --timeout plus the grace, by the watchdog', async () => {
    const r = await runInPseudoTerminal(['run-task', 'serve', '--dir', p.dir, '--endpoint', p.emulator.endpoint, '--port', '0', '--timeout', '2'],
      { cols: 0, env: { ...env, CONNGATE_RUN_TASK_HMAC_KEY: 'pty-test-hmac-key', BUSY_LOOP_AFTER_OUTPUT: 'run task listening on' },
        nodeArgs: ['-r', path.join(PROJECT_DIR, 'test', 'support', 'busy-loop.js')], hardLimitS: 60 });
    expect(r.killed).toBe(false);
    // The main thread's own deadline message cannot run; the watchdog's line is the last word.
    expect(r.output).not.toMatch(/did not finish within 2 s \(/);
    expect(r.output).toMatch(/conngate: run-task serve: did not stop within 2 s and 5 s of grace; ended by the watchdog/);
    expect(r.code).not.toBe(0);
    expect(r.seconds).toBeLessThan(2 + GRACE_S + 15);
  }, 90_000);
});

describe('the watchdog on a stuck main thread', () => {
  /** A process that holds a SIGTERM handler (as a pipeline does) and then spins: the handler can never run. */
  const stuckWithHandler = (stallMs: number) => `
    const { startWatchdog } = require(${JSON.stringify(path.join(PROJECT_DIR, 'dist', 'cli', 'watchdog.js'))});
    startWatchdog({ command: 'verify', deadlineS: 0, stallMs: ${stallMs} });
    process.on('SIGTERM', () => { process.stdout.write('handler ran\\n'); process.exit(143); });
    setTimeout(() => { process.stdout.write('stuck\\n'); for (;;) {} }, 300);`;

  it('ends a process that ignores SIGTERM because its loop is stuck, once it stopped answering for the stall limit', async () => {
    expect(fs.existsSync(path.join(PROJECT_DIR, 'dist', 'cli', 'watchdog.js'))).toBe(true);
    const child = spawn(process.execPath, ['-e', stuckWithHandler(1500)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d; });
    child.stderr.on('data', (d: Buffer) => { err += d; });
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 800));
    child.kill('SIGTERM');
    const hard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const [, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('close', (c, s) => r([c, s])));
    clearTimeout(hard);
    expect(out).toBe('stuck\n');
    expect(signal).toBe('SIGKILL');
    expect(err).toMatch(/conngate: verify: stopped answering for \d+ s \(a stuck loop: signals and --timeout could not run\); ended by the watchdog/);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);
});

describe('the demo on a terminal 0 columns wide', () => {
  it('ends with bounded output and plain lines', async () => {
    const workdir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'conngate-pty-demo-'));
    try {
      const r = await runInPseudoTerminal(['demo', '--workdir', path.join(workdir, 'demo'), '--timeout', '240'], { cols: 0, hardLimitS: 240 + GRACE_S + 20, cwd: workdir });
      expect({ killed: r.killed, code: r.code, overBound: r.bytes > OUTPUT_BOUND }).toEqual({ killed: false, code: 0, overBound: false });
      expect(r.output.includes(ESC)).toBe(false);
      expect(r.output).toMatch(/demo complete/);
      // The evidence key is named from where the user stands, and that path exists.
      const key = /evidence key: (\S+) \(Ed25519/.exec(r.output)![1];
      expect(fs.existsSync(path.resolve(workdir, key))).toBe(true);
      expect(r.output).toMatch(/max compute utilization \d+% of the 5 ms budget/);
      // The report opens with the emulator banner and shows the broken candidate's runs as intended.
      const html = fs.readFileSync(path.join(workdir, 'demo', 'report.html'), 'utf8');
      expect(html).toContain('EMULATOR RUN, NOT AWS');
      expect(html).toMatch(/<b>2<\/b> stopped as intended/);
    } finally {
      fs.rmSync(workdir, { recursive: true, force: true });
    }
  }, 300_000);
});
