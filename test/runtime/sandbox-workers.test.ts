/**
 * The worker pool's promises: a batch in which one case stops its worker reports only that case as stopped (the
 * others run again in a fresh worker), a worker that died is replaced, and a store snapshot shipped to a worker
 * stays current when the store changes; workers hold no environment and no permissions.
 */
import * as fs from 'node:fs';
import { compileConnectionFunction, MapKvsBackend, stopSandboxWorkers } from '../../runtime';
import { sandboxWorkerPids } from '../../runtime/worker-pool';

afterAll(() => stopSandboxWorkers());

const code = `import cf from 'cloudfront';
async function connectionHandler(c) {
  if (c.clientIp === 'regex') /^(a+)+$/.test('a'.repeat(34) + '!');
  if (c.clientIp === 'oom') 'x'.repeat(2 ** 28).split('');
  if (await cf.kvs().exists(c.clientIp)) c.deny(); else c.allow();
}`;

it('only the case that stopped the worker fails; the rest of the batch still runs', async () => {
  const fn = compileConnectionFunction(code, 'batch.js');
  const ips = ['a', 'b', 'regex', 'c', 'oom', 'denied', 'e'];
  const rs = await fn.runBatch(ips.map((clientIp) => ({ clientIp })), { kvs: new MapKvsBackend({ denied: '1' }) });
  expect(rs.map((r) => [r.decision, r.errorMessage?.replace(/ \(.*/, '')])).toEqual([
    ['allow', undefined], ['allow', undefined], ['error', 'exceeded the execution time limit'], ['allow', undefined],
    ['error', 'exceeded the memory limit'], ['deny', undefined], ['allow', undefined],
  ]);
}, 60_000);

it('a worker that died is replaced, and a store change reaches the worker', async () => {
  const fn = compileConnectionFunction(code, 'replace.js');
  const store = new MapKvsBackend({ x: '1' });
  expect((await fn.run({ clientIp: 'x' }, { kvs: store })).decision).toBe('deny');
  expect((await fn.run({ clientIp: 'oom' }, { kvs: store })).errorMessage).toMatch(/exceeded the memory limit/);
  store.entries.delete('x');
  expect((await fn.run({ clientIp: 'x' }, { kvs: store })).decision).toBe('allow');
  store.entries.set('x', '1');
  expect((await fn.run({ clientIp: 'x' }, { kvs: store })).decision).toBe('deny');
}, 60_000);

it('workers run with an empty environment under the permission model, whatever the host holds', async () => {
  const saved = process.env.AWS_SECRET_ACCESS_KEY;
  process.env.AWS_SECRET_ACCESS_KEY = 'canary-env-secret';
  try {
    stopSandboxWorkers();
    const r = await compileConnectionFunction('function connectionHandler(c) { c.allow(); }', 'env.js').run({});
    expect(r.decision).toBe('allow');
    const pids = sandboxWorkerPids();
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) {
      const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
      expect(environ).not.toContain('canary-env-secret');
      // Only the variables Node itself sets for the IPC channel.
      expect(environ.split('\0').filter(Boolean).map((kv) => kv.split('=')[0]).sort()).toEqual(['NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE']);
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      expect(argv).toEqual(expect.arrayContaining([expect.stringMatching(/^--(experimental-)?permission$/), '--disallow-code-generation-from-strings',
        expect.stringMatching(/^--max-old-space-size=\d+$/)]));
      expect(argv.some((a) => a.startsWith('--allow-'))).toBe(false);
    }
  } finally {
    if (saved === undefined) delete process.env.AWS_SECRET_ACCESS_KEY; else process.env.AWS_SECRET_ACCESS_KEY = saved;
  }
});

it('a worker killed from outside at the worst instant (loading a large store, mid-batch) never turns a deny into an allow', async () => {
  stopSandboxWorkers();
  const entries: [string, string][] = Array.from({ length: 100_000 }, (_, i) => [`k${i}`, '1']);
  const store = new MapKvsBackend(entries);
  const fn = compileConnectionFunction(code, 'killed.js');
  // Even keys are in the store (deny), odd ones are not (allow).
  const keys = Array.from({ length: 1500 }, (_, i) => (i % 2 === 0 ? `k${i}` : `missing${i}`));
  const batch = fn.runBatch(keys.map((clientIp) => ({ clientIp })), { kvs: store });
  let pids: number[] = [];
  while (pids.length === 0) {
    await new Promise((r) => setTimeout(r, 5));
    pids = sandboxWorkerPids();
  }
  // Still shipping or parsing the snapshot, or in the first cases: the batch is under way either way.
  await new Promise((r) => setTimeout(r, 30));
  pids = sandboxWorkerPids();
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  const rs = await batch;
  expect(rs).toHaveLength(keys.length);
  const wrong = rs.filter((r, i) => r.decision !== (i % 2 === 0 ? 'deny' : 'allow'));
  // A case caught in the kill may be reported as stopped (an error, which fails closed); nothing else changes, and
  // a case whose worker died before it was ready (the killed spare) is run again, not reported as failed.
  for (const r of wrong) {
    expect(r.decision).toBe('error');
    expect(r.errorMessage).toMatch(/stopped unexpectedly/);
  }
  expect(wrong.length).toBeLessThanOrEqual(pids.length);
  // The pool recovers: the next run gets a working worker and the current store.
  expect((await fn.run({ clientIp: 'k0' }, { kvs: store })).decision).toBe('deny');
  expect((await fn.run({ clientIp: 'missing1' }, { kvs: store })).decision).toBe('allow');
}, 120_000);

it('a remote store that never answers stops the run at its deadline; a late answer changes nothing', async () => {
  const fn = compileConnectionFunction(code, 'silent-store.js');
  let answerLate: ((v: string) => void) | undefined;
  const silent = { get: () => new Promise<string | undefined>(() => {}) };
  const late = { get: () => new Promise<string | undefined>((resolve) => { answerLate = resolve; }) };
  const started = Date.now();
  const r = await fn.run({ clientIp: 'x' }, { kvs: silent, timeoutMs: 200 });
  expect([r.decision, r.errorMessage]).toEqual(['error', 'exceeded the execution time limit while waiting for the KeyValueStore']);
  expect(Date.now() - started).toBeLessThan(5_000);
  const r2 = await fn.run({ clientIp: 'x' }, { kvs: late, timeoutMs: 200 });
  expect(r2.decision).toBe('error');
  answerLate?.('1');
  // The worker that saw the late answer still serves the next run, with the right store.
  expect((await fn.run({ clientIp: 'x' }, { kvs: new MapKvsBackend({ x: '1' }) })).decision).toBe('deny');
  expect((await fn.run({ clientIp: 'y' }, { kvs: new MapKvsBackend({ x: '1' }) })).decision).toBe('allow');
}, 60_000);
