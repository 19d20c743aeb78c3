import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StageLock } from '../../orchestrator/records/stage-lock';

jest.setTimeout(180_000);

const CHILD = path.join(__dirname, 'lock-race-child.ts');
const PROJECT_DIR = path.join(__dirname, '..', '..');

/** Resolves with the contender's report line as soon as it is written (the winner then holds until released). */
function contender(dir: string, startAt: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(startAt)], { cwd: PROJECT_DIR, stdio: ['ignore', 'pipe', 'ignore'] });
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', () => { clearTimeout(killer); resolve(out.trim()); });
  });
}

/** A pid that is certainly not running: a child that already exited. */
async function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const c = execFile(process.execPath, ['-e', '']);
    c.on('exit', () => resolve(c.pid!));
  });
}

describe('local stage lock', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-lock-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const lockFile = () => path.join(dir, 'locks', 'dev.lock');
  const writeLock = (record: object) => {
    fs.mkdirSync(path.dirname(lockFile()), { recursive: true });
    fs.writeFileSync(lockFile(), JSON.stringify(record));
  };

  it('two processes taking over a stale lock at the same instant: exactly one wins, in each of 20 tries', async () => {
    const dead = await deadPid();
    const outcomes: string[] = [];
    // Four tries at a time (each in its own folder), every pair racing from one instant after all have loaded.
    for (let batch = 0; batch < 5; batch++) {
      const startAt = Date.now() + 2000;
      const tries = [0, 1, 2, 3].map(async (j) => {
        const i = batch * 4 + j;
        const tryDir = path.join(dir, `try-${i}`);
        fs.mkdirSync(path.join(tryDir, 'locks'), { recursive: true });
        fs.writeFileSync(path.join(tryDir, 'locks', 'dev.lock'), JSON.stringify({ pid: dead, host: os.hostname(), since: 'earlier', expiresAt: new Date(Date.now() + 600_000).toISOString(), token: `stale-${i}` }));
        const [a, b] = await Promise.all([contender(tryDir, startAt), contender(tryDir, startAt)]);
        fs.writeFileSync(path.join(tryDir, 'release'), '');
        return { i, a, b };
      });
      for (const { i, a, b } of await Promise.all(tries)) {
        const winners = [a, b].filter((o) => o === 'won').length;
        outcomes.push(`${winners}`);
        expect([i, winners]).toEqual([i, 1]);
        expect([a, b].find((o) => o !== 'won')).toMatch(/refused: lock: another conngate run \(pid \d+ on .*\) is working on stage "dev"/);
      }
    }
    expect(outcomes).toHaveLength(20);
  });

  it('a lock naming a live but unrelated process does not block forever: it expires', () => {
    // This test's own pid is alive and is not a conngate run holding the lock.
    writeLock({ pid: process.pid, host: os.hostname(), since: 'earlier', expiresAt: new Date(Date.now() + 60_000).toISOString(), token: 't1' });
    expect(() => StageLock.acquire(dir, 'dev')).toThrow(/another conngate run \(pid \d+ .*lock expires at/);
    writeLock({ pid: process.pid, host: os.hostname(), since: 'earlier', expiresAt: new Date(Date.now() - 1).toISOString(), token: 't2' });
    StageLock.acquire(dir, 'dev').release();
    // A lock file of the earlier format (pid and time only) counts from the file's age.
    writeLock({ pid: process.pid, since: 'earlier' });
    expect(() => StageLock.acquire(dir, 'dev')).toThrow(/another conngate run/);
    const old = (Date.now() - 10 * 60_000) / 1000;
    fs.utimesSync(lockFile(), old, old);
    StageLock.acquire(dir, 'dev').release();
    expect(fs.existsSync(lockFile())).toBe(false);
  });

  it('a lock on another host is judged by its expiry only; --force-unlock breaks it and reports whose it was', () => {
    writeLock({ pid: 1, host: 'ci-runner-7', since: 'earlier', expiresAt: new Date(Date.now() + 60_000).toISOString(), token: 't3' });
    expect(() => StageLock.acquire(dir, 'dev')).toThrow(/pid 1 on ci-runner-7/);
    const broken: string[] = [];
    const lock = StageLock.acquire(dir, 'dev', { force: true, onForced: (h) => broken.push(h) });
    expect(broken).toEqual([expect.stringMatching(/pid 1 on ci-runner-7/)]);
    lock.release();
  });

  it('a torn lock file (a crash mid-write) is taken over once it is not being written', () => {
    writeLock({});
    fs.writeFileSync(lockFile(), '{"pid": 12');
    const old = (Date.now() - 5000) / 1000;
    fs.utimesSync(lockFile(), old, old);
    StageLock.acquire(dir, 'dev').release();
  });

  it('a pid is judged only in its own pid namespace: a lock from another container with this hostname holds until it expires', async () => {
    const dead = await deadPid();
    const ownNs = (() => { try { return fs.readlinkSync('/proc/self/ns/pid'); } catch { return undefined; } })();
    // A checkout shared by two containers with one hostname: the other container's runner has a pid unknown here.
    writeLock({ pid: dead, host: os.hostname(), pidns: 'pid:[1]', since: 'earlier', expiresAt: new Date(Date.now() + 60_000).toISOString(), token: 'other-ns' });
    expect(() => StageLock.acquire(dir, 'dev')).toThrow(/another conngate run \(pid \d+ on .*\) is working on stage "dev"/);
    if (ownNs) {
      // The same dead pid recorded in this namespace frees the lock at once; the new lock records the namespace.
      writeLock({ pid: dead, host: os.hostname(), pidns: ownNs, since: 'earlier', expiresAt: new Date(Date.now() + 60_000).toISOString(), token: 'own-ns' });
      const lock = StageLock.acquire(dir, 'dev');
      expect(JSON.parse(fs.readFileSync(lockFile(), 'utf8')).pidns).toBe(ownNs);
      lock.release();
    }
  });

  // In a child process: on a FIFO a blocking read would stop this test's own event loop with it.
  (process.platform === 'win32' ? it.skip : it)('a FIFO, or a link to a device, in the lock file\'s place is refused in one line, never read', () => {
    fs.mkdirSync(path.dirname(lockFile()), { recursive: true });
    const attempt = () => spawnSync(process.execPath, ['--import', 'tsx', CHILD, dir, '0'], { cwd: PROJECT_DIR, encoding: 'utf8', timeout: 20_000 });
    execFileSync('mkfifo', [lockFile()]);
    let r = attempt();
    expect(r.signal).toBeNull();
    expect(r.stdout.trim()).toBe(`refused: lock: ${lockFile()} is not a regular file, so it is not a lock file (fix: remove it if no conngate run is working on the stage, and re-run)`);
    fs.rmSync(lockFile());
    fs.symlinkSync('/dev/zero', lockFile());
    r = attempt();
    expect(r.signal).toBeNull();
    expect(r.stdout.trim()).toMatch(/^refused: lock: .*dev\.lock is a symbolic link, not a lock file \(fix: /);
    // Left in place, not removed: it is not conngate's to delete.
    expect(fs.lstatSync(lockFile()).isSymbolicLink()).toBe(true);
  });

  it('release removes only its own lock', () => {
    const lock = StageLock.acquire(dir, 'dev');
    writeLock({ pid: 1, host: 'elsewhere', since: 'now', expiresAt: new Date(Date.now() + 60_000).toISOString(), token: 'theirs' });
    lock.release();
    expect(JSON.parse(fs.readFileSync(lockFile(), 'utf8')).token).toBe('theirs');
  });
});
