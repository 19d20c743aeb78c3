import { compileConnectionFunction, FailingKvsBackend, MapKvsBackend, runConnectionFunction } from '../../runtime';
import { isUserError } from '../../diagnostics/user-error';
import { stopSandboxWorkers } from '../../runtime';

afterAll(() => stopSandboxWorkers());

const conn = { clientIp: '203.0.113.1', clientCertificate: { certificates: { leaf: { serialNumber: '0a:bc' } } } };
const run = (code: string, opts: Parameters<typeof runConnectionFunction>[2] = {}) => runConnectionFunction(code, conn, { timeoutMs: 300, ...opts });
const logsOf = async (body: string, opts?: Parameters<typeof runConnectionFunction>[2]) =>
  (await run(`function connectionHandler(c) { ${body}; c.allow(); }`, opts)).logs;

function compileError(code: string): string {
  try { compileConnectionFunction(code, 'fn.js'); } catch (err) { expect(isUserError(err)).toBe(true); return (err as Error).message; }
  throw new Error('expected a compile error');
}

describe('decisions', () => {
  it('allow, deny, neither = deny, exception = error, both = deny', async () => {
    expect((await run('function connectionHandler(c) { c.allow(); }')).decision).toBe('allow');
    expect((await run('function connectionHandler(c) { c.deny(); }')).decision).toBe('deny');
    expect((await run('function connectionHandler(c) { }')).decision).toBe('deny');
    const err = await run('function connectionHandler(c) { c.allow(); throw new TypeError("boom"); }');
    expect(err.decision).toBe('error');
    expect(err.errorMessage).toBe('TypeError: boom');
    expect((await run('function connectionHandler(c) { c.allow(); c.deny(); }')).decision).toBe('deny');
  });
  it('awaits async handlers, including a rejection', async () => {
    expect((await run('async function connectionHandler(c) { await null; await Promise.resolve(1); c.allow(); }')).decision).toBe('allow');
    expect((await run('async function connectionHandler(c) { await null; throw new Error("late"); }')).errorMessage).toBe('Error: late');
  });
  it('stops runaway loops, sync and async, even when the loop catches the stop', async () => {
    for (const body of ['while (true) {}', 'for (;;) { try { for (;;); } catch (e) {} }', 'const f = async () => { for (;;) { await null; } }; await f();']) {
      const r = await run(`async function connectionHandler(c) { ${body} c.allow(); }`, { timeoutMs: 100 });
      expect(r.decision).toBe('error');
      expect(r.errorMessage).toMatch(/exceeded the execution time limit/);
    }
  });
  it('reports a promise that never settles as an error instead of hanging', async () => {
    const r = await run('function connectionHandler(c) { return new Promise(() => {}); }');
    expect(r.decision).toBe('error');
    expect(r.errorMessage).toMatch(/never settled/);
  });
  it('reports compute utilization as a percentage of 5 ms', async () => {
    const r = await run('function connectionHandler(c) { c.allow(); }');
    expect(r.computeUtilization).toBeCloseTo((r.durationMs / 5) * 100, 0);
  });
});

describe('source rules', () => {
  it('accepts import cf from cloudfront and rejects every other import, export, and parse errors', () => {
    expect(() => compileConnectionFunction("import cf from 'cloudfront';\nfunction connectionHandler(c) { c.allow(); }")).not.toThrow();
    expect(compileError("import fs from 'fs';\nfunction connectionHandler(c) {}")).toMatch(/^fn\.js:1:1: unsupported import/);
    expect(compileError("import { kvs } from 'cloudfront';\nfunction connectionHandler(c) {}")).toMatch(/unsupported import/);
    expect(compileError('export function connectionHandler(c) {}')).toMatch(/export statements are a syntax error/);
    expect(compileError('function connectionHandler(c) {\n  c.allow(;\n}')).toMatch(/^fn\.js:2:\d+: connection function code does not parse as JavaScript/);
    expect(compileError('function handler(c) {}')).toMatch(/no top-level `connectionHandler`/);
    expect(compileError('const __cg$x = 1; function connectionHandler(c) {}')).toMatch(/reserved/);
  });
  it('refuses code over 10 KB', () => {
    expect(compileError(`function connectionHandler(c) { c.allow(); }\n//${'x'.repeat(10 * 1024)}`)).toMatch(/over the 10240-byte/);
  });
  it('keeps import hoisting and arrow/loop shapes working after instrumentation', async () => {
    const code = `function connectionHandler(c) { const sq = x => ({ v: x * x }); let n = 0; for (let i = 0; i < 3; i++) n += sq(i).v; label: while (true) break label; do n++; while (n < 10); c.logCustomData(String(n)); cf.kvs(); c.allow(); }\nimport cf from 'cloudfront';`;
    const r = await runConnectionFunction(code, conn, { kvs: new MapKvsBackend() });
    expect(r.decision).toBe('allow');
    expect(r.customData).toEqual(['10']);
  });
});

describe('globals match cloudfront-js-2.0', () => {
  it('has no process, timers, eval, or Function constructor', async () => {
    expect(await logsOf('console.log([typeof process, typeof setTimeout, typeof setImmediate, typeof eval, typeof WebAssembly].join())'))
      .toEqual(['undefined,undefined,undefined,undefined,undefined']);
    const r = await run('function connectionHandler(c) { const F = (function(){}).constructor; F("return 1")(); c.allow(); }');
    expect(r.decision).toBe('error');
    expect(r.errorMessage).toMatch(/EvalError/);
    expect((await run('function connectionHandler(c) { if (process.env.X) {} c.allow(); }')).errorMessage).toMatch(/process is not defined/);
  });
  it('does not leak host prototypes through the global, the connection, or store results', async () => {
    const probes = [
      'globalThis.constructor.constructor("return 1")()',
      'c.constructor.constructor("return 1")()',
      'Object.getPrototypeOf(c.clientCertificate).constructor.constructor("return 1")()',
      '(await cf.kvs().get("k", { format: "json" })).constructor.constructor("return 1")()',
      'c.allow.constructor("return 1")()',
      'console.log.constructor("return 1")()',
      'require("crypto").createHash.constructor("return 1")()',
    ];
    for (const p of probes) {
      const r = await runConnectionFunction(`import cf from 'cloudfront'; async function connectionHandler(c) { ${p}; c.allow(); }`, conn,
        { kvs: new MapKvsBackend({ k: '{"a":1}' }) });
      expect([p, r.decision, r.errorMessage]).toEqual([p, 'error', expect.stringMatching(/EvalError/)]);
    }
  });
  it('require only gives crypto (md5, sha1, sha256) and querystring', async () => {
    expect(await logsOf(`const c2 = require('crypto');
      console.log(c2.createHash('sha256').update('abc').digest('hex'));
      console.log(c2.createHash('md5').update('abc').digest('base64'));
      console.log(c2.createHmac('sha1', 'key').update('abc').digest('hex'));
      console.log(c2.createHash('sha1').update('abc').digest().length);
      console.log(JSON.stringify(require('querystring').parse('a=1&b=2&a=3')));
      console.log(require('querystring').stringify({ x: 'a b', y: ['1', '2'] }))`)).toEqual([
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'kAFQmDzST7DWlj99KOF/cg==',
      require('node:crypto').createHmac('sha1', 'key').update('abc').digest('hex'), '20', '{"a":["1","3"],"b":"2"}', 'x=a%20b&y=1&y=2']);
    for (const bad of ["require('fs')", "require('crypto').createHash('sha512')"]) {
      expect((await run(`function connectionHandler(c) { ${bad}; c.allow(); }`)).decision).toBe('error');
    }
  });
  it('freezes Date at the start of the run', async () => {
    const now = new Date('2030-05-06T07:08:09Z');
    expect(await logsOf('const a = Date.now(); for (let i = 0; i < 1e5; i++); console.log(new Date().toISOString() + " " + (Date.now() - a) + " " + new Date(0).getTime() + " " + (new Date() instanceof Date))', { now }))
      .toEqual(['2030-05-06T07:08:09.000Z 0 0 true']);
  });
  it('has TextEncoder, TextDecoder, atob and btoa', async () => {
    expect(await logsOf('console.log(new TextDecoder().decode(new TextEncoder().encode("h\\u00e9llo \\u20ac \\ud83d\\ude00")) + " " + new TextEncoder().encode("\\u20ac").length + " " + btoa("hello") + " " + atob("aGVsbG8="))'))
      .toEqual(['héllo € 😀 3 aGVsbG8= hello']);
  });
});

describe('logs and custom data', () => {
  it('console.log takes one argument and logs objects as JSON', async () => {
    expect(await logsOf('console.log("a", "b"); console.log({ x: 1 }); console.log(42)')).toEqual(['a', '{"x":1}', '42']);
  });
  it('cuts logs at 10 KB in total', async () => {
    const logs = await logsOf('for (let i = 0; i < 30; i++) console.log("y".repeat(1000))');
    expect(logs.join('').length).toBe(10240);
  });
  it('cuts logCustomData at 800 bytes', async () => {
    const r = await run('function connectionHandler(c) { c.logCustomData("\\u20ac".repeat(400)); c.logCustomData("more"); c.allow(); }');
    expect(Buffer.byteLength(r.customData.join(''), 'utf8')).toBeLessThanOrEqual(800);
    expect(r.customData[0]).toBe('€'.repeat(266));
  });
});

describe('cf.kvs()', () => {
  const kvsCode = (body: string) => `import cf from 'cloudfront'; const kvs = cf.kvs(); async function connectionHandler(c) { ${body}; c.allow(); }`;
  it('exists, get in string/json/bytes, rejection on a missing key, meta', async () => {
    const store = new MapKvsBackend({ s: 'text', j: '{"a":[1,2]}', b: '\u00e9' }, new Date('2025-01-01T00:00:00Z'));
    const r = await runConnectionFunction(kvsCode(`
      console.log(String(await kvs.exists('s')) + String(await kvs.exists('nope')));
      console.log(await kvs.get('s'));
      console.log((await kvs.get('j', { format: 'json' })).a[1]);
      console.log(Array.from(await kvs.get('b', { format: 'bytes' })).join());
      try { await kvs.get('nope'); } catch (e) { console.log('missing: ' + e.message); }
      const m = await kvs.meta(); console.log(m.keyCount + ' ' + m.creationDateTime)`), conn, { kvs: store });
    expect(r.logs).toEqual(['truefalse', 'text', '2', '195,169', 'missing: Key nope not found', '3 2025-01-01T00:00:00.000Z']);
  });
  it('works with an asynchronous backend', async () => {
    const backend = { get: (k: string) => new Promise<string | undefined>((res) => setTimeout(() => res(k === 'x' ? 'v' : undefined), 5)) };
    const r = await runConnectionFunction(kvsCode("console.log(await kvs.get('x') + String(await kvs.exists('y')))"), conn, { kvs: backend });
    expect(r.logs).toEqual(['vfalse']);
  });
  it('a store failure rejects inside the function; without a store cf.kvs() throws', async () => {
    const r = await runConnectionFunction(kvsCode("await kvs.exists('x')"), conn, { kvs: new FailingKvsBackend('down') });
    expect(r.decision).toBe('error');
    expect(r.errorMessage).toMatch(/KeyValueStore request failed: down/);
    expect((await runConnectionFunction(kvsCode(''), conn)).errorMessage).toMatch(/no KeyValueStore is associated/);
  });
  it('revocation-check denies revoked, allows others and fails closed', async () => {
    const code = require('node:fs').readFileSync(require('node:path').join(__dirname, '../../functions/revocation-check.js'), 'utf8') as string;
    expect(Buffer.byteLength(code)).toBeLessThan(4096);
    const kvs = new MapKvsBackend({ '0abc': 'r' });
    expect((await runConnectionFunction(code, conn, { kvs })).decision).toBe('deny');
    expect((await runConnectionFunction(code, { clientCertificate: { certificates: { leaf: { serialNumber: '0b' } } } }, { kvs })).decision).toBe('allow');
    expect((await runConnectionFunction(code, { clientIp: '1.1.1.1' }, { kvs })).decision).toBe('deny');
    expect((await runConnectionFunction(code, conn, { kvs: new FailingKvsBackend() })).decision).toBe('deny');
  });
});

describe('isolation between runs', () => {
  it('top-level variables start fresh on every run of cached code', async () => {
    const code = 'let n = 0; function connectionHandler(c) { n++; c.logCustomData(String(n)); c.allow(); }';
    const a = await runConnectionFunction(code, conn);
    const b = await runConnectionFunction(code, conn);
    expect([a.customData, b.customData]).toEqual([['1'], ['1']]);
    expect(compileConnectionFunction(code)).toBe(compileConnectionFunction(code));
  });
  it('concurrent runs of one function with slow stores keep their own results', async () => {
    const code = "import cf from 'cloudfront'; async function connectionHandler(c) { if (await cf.kvs().exists(c.clientIp)) c.deny(); else c.allow(); }";
    const slow = (hit: boolean) => ({ get: () => new Promise<string | undefined>((res) => setTimeout(() => res(hit ? '1' : undefined), 10)) });
    const rs = await Promise.all([1, 2, 3, 4].map((i) => runConnectionFunction(code, { clientIp: String(i) }, { kvs: slow(i % 2 === 0) })));
    expect(rs.map((r) => r.decision)).toEqual(['allow', 'deny', 'allow', 'deny']);
  });
});
