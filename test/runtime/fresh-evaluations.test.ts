import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileConnectionFunction, runConnectionFunctionMeasured, stopSandboxWorkers, type KvsBackend } from '../../runtime';
import { ALLOWS_EVERYONE_AT_THE_EDGE, ALLOWS_FIRST_THEN_DENIES, SLOW_FIRST_THEN_FAST } from './stateful-functions';

/**
 * At the edge every connection is evaluated once, with no state from earlier evaluations. Locally each sample of a
 * case starts from that same state, the first sample decides, and samples (or a run on state a sample left behind)
 * that decide differently fail the case as non-deterministic.
 */

const root = path.join(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'conngate.js');
let tmp: string;

function conngate(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function scratch(fn: string, cases: object[]): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'fn-'));
  fs.writeFileSync(path.join(dir, 'f.js'), fn);
  fs.writeFileSync(path.join(dir, 'f.suite.json'), JSON.stringify({ cases }));
  return path.join(dir, 'f.js');
}

/** No state between evaluations, but the assignments a frozen built-in could refuse (shadowing inherited names). */
const STATELESS = `function connectionHandler(connection) {
  class Refused extends Error { constructor(m) { super(m); this.name = 'Refused'; this.message = 'refused: ' + m; } }
  function Legacy() {}
  Legacy.prototype = Object.create(Object.prototype);
  Legacy.prototype.constructor = Legacy;
  const o = new Legacy();
  o.toString = function () { return 'legacy'; };
  o.valueOf = function () { return 7; };
  const e = new Refused(String(o));
  const kept = [3, 1, 2].sort().map((n) => n * (+o)).join(',');
  if (/^(\\d+)\\.(\\d+)/.test(connection.clientIp) && RegExp.$1 === '203' && e.name === 'Refused' && kept === '7,14,21') connection.deny();
  else connection.allow();
}
`;

beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-fresh-')); });
afterAll(() => { stopSandboxWorkers(); fs.rmSync(tmp, { recursive: true, force: true }); });

describe('conngate test --local: every evaluation decides', () => {
  it('a function that allows the first connection and denies later ones fails as non-deterministic, showing both decisions', () => {
    const file = scratch(ALLOWS_FIRST_THEN_DENIES, [
      { name: 'revoked client is denied', connection: { clientIp: '198.51.100.7' }, expect: { decision: 'deny' } },
      { name: 'known client is allowed', connection: { clientIp: '198.51.100.8' }, expect: { decision: 'allow' } },
    ]);
    const r = conngate(['test', '--local', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/revoked client is denied\s+deny\s+error\s+\S+\s+FAIL/);
    expect(r.stdout).toMatch(/known client is allowed\s+allow\s+error\s+\S+\s+FAIL/);
    expect(r.stdout).toMatch(/non-deterministic: samples decided allow(, allow)+; run again on the global state the first left, it decided deny/);
    expect(r.stdout).toMatch(/0 passed, 2 failed/);
  }, 120_000);

  it('state kept on a shared object off the global object does not reach the next case: the suite sees what the edge does', () => {
    const file = scratch(ALLOWS_EVERYONE_AT_THE_EDGE, [
      { name: 'known client is allowed', connection: { clientIp: '198.51.100.8' }, expect: { decision: 'allow' } },
      { name: 'revoked client is denied', connection: { clientIp: '198.51.100.7' }, expect: { decision: 'deny' } },
    ]);
    const r = conngate(['test', '--local', file]);
    expect(r.stdout).toMatch(/known client is allowed\s+allow\s+allow\s+\S+\s+PASS/);
    expect(r.stdout).toMatch(/revoked client is denied\s+deny\s+allow\s+\S+\s+FAIL/);
    expect(r.code).toBe(1);
  }, 120_000);

  it('a function that is slow the first time and fast after is measured at its first-evaluation time', () => {
    const file = scratch(SLOW_FIRST_THEN_FAST, [
      { name: 'revoked client is denied', connection: { clientIp: '198.51.100.7' }, expect: { decision: 'deny' } },
    ]);
    const r = conngate(['test', '--local', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/revoked client is denied\s+deny\s+error\s+\S+\s+FAIL/);
    expect(r.stdout).toMatch(/expected deny, got error \(exceeded the execution time limit \(fastest of 5 runs took/);
  }, 120_000);

  it('a function without state between evaluations passes, also where it shadows names of frozen built-ins', () => {
    const file = scratch(STATELESS, [
      { name: 'documentation range is denied', connection: { clientIp: '203.0.113.9' }, expect: { decision: 'deny' } },
      { name: 'other clients are allowed', connection: { clientIp: '198.51.100.8' }, expect: { decision: 'allow' } },
    ]);
    const r = conngate(['test', '--local', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/documentation range is denied\s+deny\s+deny\s+\S+\s+PASS/);
    expect(r.stdout).toMatch(/other clients are allowed\s+allow\s+allow\s+\S+\s+PASS/);
    expect(r.code).toBe(0);
  }, 120_000);
});

describe('the runtime: samples start from a fresh state', () => {
  const CONNECTION = { clientIp: '198.51.100.7' };

  it('a store that answers differently between samples makes the case non-deterministic, listing every sample', async () => {
    let calls = 0;
    // No snapshot: every lookup is a message to this backend, which answers yes, no, yes, ...
    const flapping: KvsBackend = { get: () => (calls++ % 2 === 0 ? '1' : undefined) };
    const code = "import cf from 'cloudfront';\nasync function connectionHandler(c) { if (await cf.kvs().exists('k')) c.deny(); else c.allow(); }";
    const r = await runConnectionFunctionMeasured(code, CONNECTION, { kvs: flapping }, 3);
    expect(r.decision).toBe('error');
    expect(r.errorMessage).toMatch(/^non-deterministic: samples decided deny, allow, deny \(the first evaluation decides/);
  });

  it('what one evaluation adds to the global object is gone in the next one', async () => {
    const code = 'function connectionHandler(c) { const seen = globalThis.mark; globalThis.mark = 1; c.logCustomData(String(seen)); c.allow(); }';
    const rs = await compileConnectionFunction(code, 'mark.js').runBatch([CONNECTION, CONNECTION, CONNECTION]);
    // Every evaluation saw no mark; the run on the state the first left saw it, and decided the same: deterministic.
    expect(rs.map((r) => [r.decision, r.customData])).toEqual([['allow', ['undefined']], ['allow', ['undefined']], ['allow', ['undefined']]]);
  });

  it('built-ins cannot carry state: changing one is refused inside the evaluation', async () => {
    for (const change of ['Array.prototype.seen = 1', 'Math.seen = 1', 'JSON.parse = null', 'Object.defineProperty(String.prototype, "trim", { value: null })',
      'Error.stackTraceLimit = 1', 'require("crypto").seen = 1', 'Buffer.prototype.seen = 1', 'globalThis.Buffer = null', 'Object.prototype.toString = null']) {
      const r = await runConnectionFunctionMeasured(`function connectionHandler(c) { ${change}; c.allow(); }`, CONNECTION);
      expect([change, r.decision, r.errorMessage]).toEqual([change, 'error', expect.stringMatching(/^TypeError: /)]);
    }
  });

  it('every object an evaluation can reach that outlives it is frozen (also the accessors made while sealing)', async () => {
    // Walks everything reachable from the global object, the modules and the per-evaluation objects, through own
    // properties (values, getters, setters) and prototypes; objects made for this evaluation alone are skipped.
    const code = `function connectionHandler(c) {
      // Objects only syntax makes (their prototypes are shared, they are not).
      const made = [function* () {}, (function* () {})(), async function () {}, async () => {}, async function* () {}, (async function* () {})(),
        [][Symbol.iterator](), ''[Symbol.iterator](), new Map().entries(), new Set().values(), 'a'.matchAll(/a/g), (function () { return arguments; })()];
      const mine = new Set([c, c.allow, c.deny, c.logCustomData, c.allow.prototype, c.deny.prototype, c.logCustomData.prototype, ...made,
        Object.getPrototypeOf(made[1]), Object.getPrototypeOf(made[5])]);
      const list = [globalThis, require('crypto'), require('buffer'), require('querystring'), ...made.map((o) => Object.getPrototypeOf(o))], seen = new Set(), open = [];
      for (let i = 0; i < list.length; i++) {
        const o = list[i];
        if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o) || mine.has(o)) continue;
        seen.add(o);
        if (o !== globalThis && !Object.isFrozen(o)) open.push(typeof o + ' ' + String(o.name || (o.constructor && o.constructor.name)));
        list.push(Object.getPrototypeOf(o));
        for (const k of Reflect.ownKeys(o)) {
          const d = Object.getOwnPropertyDescriptor(o, k);
          if ('value' in d) list.push(d.value); else list.push(d.get, d.set);
        }
      }
      c.logCustomData(seen.size + ' ' + open.join(', '));
      c.allow();
    }`;
    const r = await runConnectionFunctionMeasured(code, CONNECTION);
    expect(r.decision).toBe('allow');
    expect(r.customData).toEqual([expect.stringMatching(/^\d{3,} $/)]);
  });

  it('the last regular-expression match of one evaluation is not seen by the next', async () => {
    const code = "function connectionHandler(c) { const before = RegExp.lastMatch; /secret-\\d+/.exec('x secret-42 y'); RegExp.input = 'kept'; c.logCustomData(before); c.allow(); }";
    const rs = await compileConnectionFunction(code, 'regexp.js').runBatch([CONNECTION, CONNECTION], {}, { minSamples: 3 });
    expect(rs.map((r) => [r.decision, r.customData])).toEqual([['allow', ['']], ['allow', ['']]]);
  });
});
