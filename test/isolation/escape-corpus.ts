/**
 * Connection functions that try to leave the sandbox. Each one reports success loudly: when any probe reaches an
 * object with an `env` (a `process`), it logs and records "REACHED" with the secret it read, tries to write the
 * marker file, and allows the connection. A function that stayed inside denies. The tests run every entry through
 * `conngate test --local` and through the emulator's TestConnectionFunction and check that nothing was reached.
 */

/** Shared probes, prepended to every entry: `reach` tries a value as a Function constructor and as `process`. */
function probes(marker: string): string {
  return String.raw`
const MARKER = ${JSON.stringify(marker)};
function reach(x, c) {
  let p;
  try { p = typeof x === 'function' ? x('return process')() : x; } catch (e) { return; }
  let env;
  try { env = p !== null && p !== undefined && (typeof p === 'object' || typeof p === 'function') ? p.env : undefined; } catch (e) { return; }
  if (env === undefined || env === null) return;
  let secret = 'none';
  try { secret = String(env.AWS_SECRET_ACCESS_KEY); } catch (e) { /* keep going */ }
  console.log('REACHED ' + secret);
  c.logCustomData('REACHED ' + secret);
  try { p.mainModule.require('fs').writeFileSync(MARKER, secret); } catch (e) { console.log('REACHED but no fs: ' + e.message); }
  c.allow();
}
// Built-ins are frozen in the sandbox: a patch that is refused leaves nothing to probe, and the entry goes on.
function patch(f) { try { f(); } catch (e) { /* frozen */ } }
function probe(o, c) {
  let cur = o;
  for (let depth = 0; depth < 6 && cur !== null && cur !== undefined; depth++) {
    for (const k of ['constructor', '__proto__', 'caller', 'callee']) {
      let v;
      try { v = cur[k]; } catch (e) { continue; }
      reach(v, c);
      try { reach(v && v.constructor, c); } catch (e) { /* next */ }
    }
    try { cur = Object.getPrototypeOf(Object(cur)); } catch (e) { break; }
  }
  reach(o, c);
}
`;
}

export interface CorpusEntry {
  /** Also the case name and the function file name. */
  name: string;
  code: string;
  /** Store contents for the case (local runs) and for the emulator's store. */
  store?: Record<string, string>;
  /** The case makes every store read fail (local runs only). */
  storeFailure?: boolean;
}

const HEAD = "import cf from 'cloudfront';\n";

export function escapeCorpus(marker: string): CorpusEntry[] {
  const P = probes(marker);
  const fn = (body: string) => `${HEAD}${P}\nasync function connectionHandler(c) {\n${body}\nc.deny();\n}\n`;
  return [
    { name: 'connection-chains', code: fn(String.raw`
      for (const o of [c, c.allow, c.deny, c.logCustomData, c.clientCertificate, c.clientCertificate.certificates.leaf, Object.getPrototypeOf(c)]) probe(o, c);`) },
    { name: 'globals-chains', code: fn(String.raw`
      const topArgs = (function () { return this; })();
      for (const o of [globalThis, topArgs, console, console.log, require, Date, new Date(), Date.now, atob, btoa, TextEncoder,
        new TextEncoder(), new TextEncoder().encode('x'), new TextEncoder().encodeInto('x', new Uint8Array(4)), TextDecoder, new TextDecoder()]) probe(o, c);`) },
    { name: 'buffer-and-builtins-chains', code: fn(String.raw`
      for (const o of [Buffer, Buffer.from('x'), Buffer.alloc(2), Buffer.from('x').toJSON(), require('buffer'), JSON.parse('{"a":[1]}'), Math, Reflect, Proxy,
        new Uint8Array(2), new ArrayBuffer(2), Uint8Array, ArrayBuffer]) probe(o, c);`) },
    { name: 'crypto-querystring-chains', code: fn(String.raw`
      const crypto = require('crypto'), qs = require('querystring');
      const h = crypto.createHash('sha256');
      for (const o of [crypto, crypto.createHash, crypto.createHmac, h, h.update, h.update('a'), crypto.createHmac('sha1', 'k'),
        crypto.createHash('md5').update('a').digest(), crypto.createHash('md5').update('a').digest('hex'),
        qs, qs.parse, qs.parse('a=1&a=2&b=3'), qs.stringify({ a: [1, 2] }), qs.escape('a b'), qs.unescape('a%20b')]) probe(o, c);
      try { crypto.createHash('sha512'); } catch (e) { probe(e, c); }
      try { require('fs'); } catch (e) { probe(e, c); }`) },
    { name: 'cf-kvs-chains', store: { j: '{"a":{"b":[1]}}', s: 'text' }, code: fn(String.raw`
      const kvs = cf.kvs();
      for (const o of [cf, cf.kvs, kvs, kvs.get, kvs.exists, kvs.meta, kvs.get('s'), await kvs.get('j', { format: 'json' }),
        await kvs.get('s', { format: 'bytes' }), await kvs.meta(), await kvs.exists('s')]) probe(o, c);
      try { await kvs.get('missing'); } catch (e) { probe(e, c); }
      try { await kvs.get('s', { format: 'nope' }); } catch (e) { probe(e, c); }`) },
    { name: 'kvs-failure-chains', storeFailure: true, code: fn(String.raw`
      const kvs = cf.kvs();
      try { await kvs.exists('x'); } catch (e) { probe(e, c); probe(e.stack, c); }
      try { await kvs.meta(); } catch (e) { probe(e, c); }`) },
    { name: 'function-kinds-chains', code: fn(String.raw`
      const gen = function* () { yield 1; }, agen = async function* () { yield 1; };
      class K { m() { return this; } }
      for (const o of [async function () {}, gen, agen, gen(), agen(), () => 1, K, new K(), (async () => 1)(), Promise.resolve(1),
        function () {}.bind(null), Symbol('s'), 1n, /re/g, new Map(), new Set(), new WeakMap(), new Error('e'), new Proxy({}, {})]) probe(o, c);`) },
    { name: 'patched-reflect', store: { k: 'v' }, code: fn(String.raw`
      const seen = (xs) => { for (const x of xs) probe(x, c); };
      for (const name of Object.getOwnPropertyNames(Reflect)) {
        try { const orig = Reflect[name]; Reflect[name] = function () { seen(arguments); return orig.apply(undefined, arguments); }; } catch (e) { /* frozen */ }
      }
      patch(() => { Object.defineProperty = function (o, k, d) { seen([o, k, d]); return o; }; });
      patch(() => { JSON.parse = function (s) { seen([s]); return {}; }; });
      console.log('x'); c.logCustomData('y');
      require('crypto').createHash('sha256').update('a').digest();
      Buffer.from('a').toString('hex'); require('querystring').parse('a=1');
      await cf.kvs().exists('k'); await cf.kvs().get('k');`) },
    { name: 'patched-function-prototype', store: { k: 'v' }, code: fn(String.raw`
      const seen = (xs) => { for (const x of xs) probe(x, c); };
      for (const name of ['call', 'apply', 'bind', 'toString']) {
        const orig = Function.prototype[name];
        patch(() => { Function.prototype[name] = function () { seen([this]); seen(arguments); return orig === undefined ? undefined : Reflect.apply(orig, this, arguments); }; });
      }
      patch(() => Object.prototype.__defineGetter__('then', function () { seen([this]); return undefined; }));
      console.log('x'); require('crypto').createHmac('sha1', 'k').update('a').digest('hex');
      await cf.kvs().exists('k'); Buffer.compare(Buffer.from('a'), Buffer.from('b'));`) },
    { name: 'patched-promise', store: { k: 'v' }, code: fn(String.raw`
      const seen = (xs) => { for (const x of xs) probe(x, c); };
      const then = Promise.prototype.then;
      patch(() => { Promise.prototype.then = function (a, b) { seen([this, a, b]); return then.call(this, a, b); }; });
      const resolve = Promise.resolve;
      patch(() => { Promise.resolve = function (v) { seen([v]); return resolve.call(Promise, v); }; });
      patch(() => { globalThis.Promise = function FakePromise(executor) { seen([executor]); }; });
      await cf.kvs().exists('k');
      cf.kvs().get('k', { format: 'nope' }).catch((e) => probe(e, c));`) },
    { name: 'prepare-stack-trace', storeFailure: true, code: fn(String.raw`
      const hook = (e, frames) => { for (const f of frames) { try { probe(f.getFunction(), c); probe(f.getThis(), c); probe(f.getFileName(), c); } catch (x) { /* next */ } } return 'hooked'; };
      try { Error.prepareStackTrace = hook; } catch (e) { console.log('assign refused: ' + e.name); }
      try { Object.defineProperty(Error, 'prepareStackTrace', { value: hook }); } catch (e) { console.log('define refused: ' + e.name); }
      try { globalThis.Error = { prepareStackTrace: hook }; } catch (e) { console.log('replace refused: ' + e.name); }
      try { Error.captureStackTrace && Error.captureStackTrace({}); } catch (e) { probe(e, c); }
      console.log(new Error('where am I').stack);
      try { null.x; } catch (e) { console.log(String(e.stack)); }
      try { await cf.kvs().exists('x'); } catch (e) { console.log(String(e.stack)); }
      try { (function deep() { deep(); })(); } catch (e) { probe(e, c); console.log(e.name); }`) },
    { name: 'proxy-and-getter-traps', store: { k: 'v' }, code: fn(String.raw`
      let inTrap = false;
      const once = (f) => { if (inTrap) return; inTrap = true; try { f(); } finally { inTrap = false; } };
      const trap = new Proxy({}, { get(t, k, r) { once(() => { probe(t, c); probe(k, c); probe(r, c); }); return undefined; },
        has(t, k) { once(() => probe(t, c)); return false; }, getPrototypeOf(t) { once(() => probe(t, c)); return null; },
        ownKeys(t) { once(() => probe(t, c)); return []; } });
      const sneaky = { toString() { probe(this, c); probe(arguments, c); return 'k'; }, toJSON() { probe(this, c); probe(arguments, c); return 'j'; },
        get length() { probe(this, c); return 1; }, valueOf() { probe(this, c); return 1; } };
      console.log(trap); console.log(sneaky); c.logCustomData(sneaky); c.logCustomData(trap);
      await cf.kvs().get(sneaky, trap); await cf.kvs().exists(sneaky);
      try { Buffer.from(sneaky); } catch (e) { probe(e, c); }
      try { require('crypto').createHash('sha256').update(sneaky); } catch (e) { probe(e, c); }
      try { require('querystring').stringify(sneaky); } catch (e) { probe(e, c); }
      try { new TextDecoder().decode(trap); } catch (e) { probe(e, c); }
      return new Proxy({}, { get(t, k, r) { once(() => { probe(t, c); probe(k, c); probe(r, c); }); return undefined; } });`) },
    { name: 'thenables', store: { k: 'v' }, code: fn(String.raw`
      await { then(res, rej) { probe(res, c); probe(rej, c); res(1); } };
      const p = cf.kvs().exists('k');
      // Defined, not assigned: an assignment would meet the frozen Promise.prototype.then.
      Object.defineProperty(p, 'then', { value: function (a, b) { probe(a, c); probe(b, c); return Promise.prototype.then.call(this, a, b); } });
      await p;
      return { then(res, rej) { probe(res, c); probe(rej, c); res(undefined); } };`) },
  ];
}

/**
 * Code that hides text from the checker with HTML-like comments (the original escape: in a Script `<!--` and
 * `-->` start comments, in a Module they are operators). Every entry must be refused before anything runs.
 */
export function htmlCommentCorpus(marker: string): CorpusEntry[] {
  const payload = `globalThis.constructor.constructor('return process')().mainModule.require('fs').writeFileSync(${JSON.stringify(marker)}, 'x');`;
  return [
    { name: 'html-open-in-code', code: `const a = 1, b = 2;\nconst x = a <!-- b; ${payload}\nfunction connectionHandler(c) { c.deny(); }\n` },
    { name: 'html-close-at-line-start', code: `function connectionHandler(c) { c.deny(); }\n/*\n*/ --> ${payload}\n` },
    { name: 'html-open-in-block-comment', code: `/* <!-- */ function connectionHandler(c) { c.deny(); }\n` },
    { name: 'html-close-in-block-comment', code: `function connectionHandler(c) { c.deny(); } /*\n--> */\n` },
    { name: 'html-in-string', code: `function connectionHandler(c) { const s = "<!--"; c.deny(); }\n` },
    { name: 'html-in-template-and-regex', code: `function connectionHandler(c) { const r = /-->/; const t = \`x\`; c.deny(); }\n` },
    { name: 'html-closing-the-wrapper', code: `function connectionHandler(c) { c.deny(); }\nlet z = 0; z <!-- }); ${payload} (function () {\n` },
  ];
}
