import { MAX_CUSTOM_DATA_BYTES, MAX_LOG_BYTES, MAX_LOG_LINES } from './limits';
import { SANDBOX_PRELUDE } from './sandbox-prelude';

/**
 * Source of the program a sandbox worker process runs (`node -e`, no file read). It hosts one connection function
 * in a vm context (its own ordinary global object, no host object behind it, no code generation from strings) behind
 * the prelude, keeps the store snapshot it was sent, runs batches of cases with samples (each from a fresh state) and
 * deadline checks, and reports results over IPC.
 *
 * The process itself is the outer wall: it starts with an empty environment, under Node's permission model (no
 * file system, no child processes, no workers, no addons) and a small V8 heap, and the powers that reach outside
 * it (signalling other processes, loading native code, loading any built-in module, the network, which the
 * permission model of Node 20/22 does not cover) are removed before any function code is compiled.
 * Messages are plain JSON; the host trusts nothing in them beyond their shape.
 */
export const SANDBOX_WORKER_PROGRAM = String.raw`'use strict';
const vm = require('node:vm');
const v8 = require('node:v8');
const { createHash, createHmac } = require('node:crypto');
const querystring = require('node:querystring');
const PRELUDE = ${JSON.stringify(SANDBOX_PRELUDE)};
const MAX_LOG_BYTES = ${MAX_LOG_BYTES}, MAX_CUSTOM_DATA_BYTES = ${MAX_CUSTOM_DATA_BYTES}, MAX_LOG_LINES = ${MAX_LOG_LINES};
const send = process.send.bind(process);
const exit = process.exit.bind(process);
const hrtime = process.hrtime.bigint;
const nextTick = process.nextTick.bind(process);
const MAX_ERROR_CHARS = 4096;
for (const name of ['kill', '_kill', 'dlopen', 'binding', '_linkedBinding', 'chdir', 'setuid', 'setgid', 'seteuid', 'setegid',
  'setgroups', 'initgroups', '_debugProcess', '_debugEnd', '_startProfilerIdleNotifier', '_stopProfilerIdleNotifier', 'loadEnvFile',
  // Hands out every built-in module (net, http, dgram, ...) without require.
  'getBuiltinModule']) {
  try { Object.defineProperty(process, name, { value: undefined, writable: false, configurable: false }); } catch (e) { /* absent on this Node */ }
}
process.on('disconnect', () => exit(0));
// node -e puts require and module on the global object; nothing after this point may load a module.
for (const name of ['require', 'module', 'exports', '__filename', '__dirname']) delete globalThis[name];
// The network: the permission model of Node 20/22 does not restrict it.
for (const name of ['fetch', 'WebSocket', 'EventSource', 'XMLHttpRequest']) delete globalThis[name];

let api = null, compileError = null;
let snapshot = { key: null, map: new Map(), meta: null };
let kvsMode = 'none';
let current = null;
let valueSlot;
let nextCallId = 1, nextTicket = 1;
const tickets = new Map();

function cutUtf8(s, maxBytes) {
  // The first maxBytes bytes come from at most maxBytes UTF-16 units: never encode more of a huge text than that.
  if (s.length > maxBytes) s = s.slice(0, maxBytes);
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  return Buffer.from(s, 'utf8').subarray(0, Math.max(0, maxBytes)).toString('utf8').replace(/\uFFFD$/, '');
}
function appendCapped(out, text, maxBytes) {
  if (out.bytes >= maxBytes || out.lines.length >= MAX_LOG_LINES) return;
  const cut = cutUtf8(String(text), maxBytes - out.bytes);
  out.bytes += Buffer.byteLength(cut, 'utf8');
  out.lines.push(cut);
}
// A full collection for the worker only: the flag is on just long enough to take gc from a throwaway context, so
// the function's context never has it.
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc');
v8.setFlagsFromString('--no-expose-gc');
// Array buffers freed by a collection are swept in the background and leave the external memory count only when the
// next collection starts: without the second one, dropped buffers still count and a function that churns small
// buffers reads as over the limit.
function collectFully() { collect(); collect(); }
let memoryBase = 0, memoryLimit = 0, liveAfterGc = Infinity, nextCollectAt = 0;
function heapUsed() { const h = v8.getHeapStatistics(); return h.used_heap_size + h.external_memory; }
function live(callId) { return current !== null && current.id === callId && !current.finished ? current : undefined; }

const bridge = {
  log(callId, text) { const st = live(callId); if (st) appendCapped(st.logs, text, MAX_LOG_BYTES); },
  customData(callId, text) { const st = live(callId); if (st) appendCapped(st.customData, text, MAX_CUSTOM_DATA_BYTES); },
  done(callId, decision, message) { const st = live(callId); if (st) finish(st, decision, decision === 'error' ? message : undefined); },
  value() { const v = valueSlot; valueSlot = undefined; return v; },
  // Growth of the heap (and array buffers) since the run started. Garbage counts until collected, so a reading
  // over the limit is confirmed after a full collection before the run is stopped.
  memoryStart(limit) {
    memoryLimit = limit;
    memoryBase = Math.min(heapUsed(), liveAfterGc);
    nextCollectAt = 0;
  },
  // pending: bytes of an array buffer about to be allocated (counted as if it already were).
  memoryOver(pending) {
    const extra = typeof pending === 'number' && pending > 0 ? pending : 0;
    const used = heapUsed() + extra;
    if (used - memoryBase <= memoryLimit || used < nextCollectAt) return false;
    collectFully();
    const after = heapUsed();
    liveAfterGc = Math.min(liveAfterGc, after);
    // Collect again only after another quarter of the limit was allocated.
    nextCollectAt = after + memoryLimit / 4;
    return after + extra - memoryBase > memoryLimit;
  },
  kvs(callId, op, key) {
    const st = live(callId);
    if (!st || kvsMode === 'none') { valueSlot = 'KeyValueStore is not available'; return 2; }
    if (kvsMode === 'snapshot') {
      if (op === 'meta') {
        if (!snapshot.meta) { valueSlot = 'KeyValueStore metadata is not available'; return 2; }
        valueSlot = JSON.stringify(snapshot.meta); return 0;
      }
      const v = snapshot.map.get(String(key));
      if (v === undefined) { valueSlot = undefined; return 1; }
      valueSlot = v; return 0;
    }
    const ticket = nextTicket++;
    tickets.set(ticket, st.id);
    st.pendingRemote++;
    markIdleWhenDrained(st);
    armRemoteTimer(st);
    send({ t: 'kvs', ticket, op: op === 'meta' ? 'meta' : 'get', key: String(key) });
    valueSlot = ticket;
    return 3;
  },
  digest(alg, dataLatin1, keyLatin1, encoding) {
    const h = keyLatin1 === null ? createHash(alg) : createHmac(alg, Buffer.from(keyLatin1, 'latin1'));
    return h.update(Buffer.from(dataLatin1, 'latin1')).digest().toString(encoding);
  },
  qsParse(str, sep, eq) { return JSON.stringify({ ...querystring.parse(str, sep, eq) }); },
  qsStringify(json, sep, eq) { return querystring.stringify(JSON.parse(json), sep, eq); },
  qsEscape(s) { return querystring.escape(s); },
  qsUnescape(s) { return querystring.unescape(s); },
};

// A context whose global object is an ordinary one (no interceptors forwarding to a host object), so that seal() in
// the prelude can lock its properties. Without it (an older Node) no function runs: each run reports why.
const ORDINARY_GLOBAL = vm.constants && vm.constants.DONT_CONTEXTIFY;
// Compiled once: a context that has to be replaced gets the same code run again, not compiled again.
const preludeScript = new vm.Script(PRELUDE, { filename: 'cloudfront-js-runtime.js' });
let loadedCode = null, wrapperScript = null;
function load(code) {
  loadedCode = code;
  try {
    if (!ORDINARY_GLOBAL) throw new Error('this Node has no vm.constants.DONT_CONTEXTIFY (Node >= 20.18 / 22.8 has it), so evaluations could not start from a fresh state');
    if (wrapperScript === null) wrapperScript = new vm.Script(code.wrapperSource, { filename: code.where });
    const context = vm.createContext(ORDINARY_GLOBAL, { name: 'connection function', codeGeneration: { strings: false, wasm: false } });
    const makeApi = preludeScript.runInContext(context);
    api = makeApi(bridge);
    api.setWrapper(wrapperScript.runInContext(context));
    api.seal();
  } catch (e) {
    api = null;
    compileError = 'does not compile: ' + (e && e.name ? e.name + ': ' : '') + (e && e.message ? e.message : String(e));
  }
}

// Whether the last evaluation left the state shared between evaluations (globals, built-ins) as it found it.
function pristine() {
  try { return api.pristine() === true; } catch (e) { return false; }
}
// At the edge no evaluation sees state from an earlier one: a context whose shared state changed is replaced.
function renew() { load(loadedCode); }

// Runs fn once the microtask queue is empty: a tick queued from a microtask runs only after the whole queue drained,
// and function code can queue microtasks but never ticks.
function afterMicrotasks(fn) { queueMicrotask(() => nextTick(fn)); }

// The decision is fixed when the handler settles, but the run ends only when the function's own microtasks are done:
// work queued before or after allow() (a promise chain still running) is compute time of this run, not free time
// between samples.
function finish(st, decision, errorMessage) {
  if (st.finished) return;
  st.finished = true;
  if (st.timer) clearTimeout(st.timer);
  if (current === st) current = null;
  afterMicrotasks(() => {
    const ended = hrtime();
    if (st.idleSince !== 0n) { st.waitNs += ended - st.idleSince; st.idleSince = 0n; }
    // A limit hit by work that ran after the decision still fails the run.
    const late = api.aborted();
    if (late !== null && decision !== 'error') { decision = 'error'; errorMessage = late; }
    // Cut here, not only in the host: a message of millions of characters would otherwise cross the IPC channel.
    const message = errorMessage === undefined ? undefined : String(errorMessage).slice(0, MAX_ERROR_CHARS);
    st.resolve({ decision, errorMessage: message, logs: st.logs.lines, customData: st.customData.lines,
      durationMs: Number(ended - st.started - st.waitNs) / 1e6 });
  });
}

// Only time the worker spends idle while a remote store lookup is outstanding is excluded from compute time: the
// clock stops once the function's microtasks have drained, not when the lookup was sent (work done meanwhile counts).
function markIdleWhenDrained(st) {
  if (st.idleMarkQueued) return;
  st.idleMarkQueued = true;
  afterMicrotasks(() => {
    st.idleMarkQueued = false;
    if (!st.finished && st.pendingRemote > 0 && st.idleSince === 0n) st.idleSince = hrtime();
  });
}

function armRemoteTimer(st) {
  if (st.timer) return;
  st.timer = setTimeout(() => finish(st, 'error', 'exceeded the execution time limit while waiting for the KeyValueStore'),
    Math.max(1, st.deadline - Date.now()));
}

// After the microtask queue drains with nothing pending on the host, the handler can never settle.
function scheduleStallCheck(st) {
  setImmediate(() => {
    if (!st.finished && st.pendingRemote === 0) finish(st, 'error', 'connectionHandler returned a promise that never settled');
  });
}

function settleRemote(m) {
  const callId = tickets.get(m.ticket);
  tickets.delete(m.ticket);
  const st = callId === undefined ? undefined : live(callId);
  if (!st) return;
  st.pendingRemote--;
  if (st.idleSince !== 0n) { st.waitNs += hrtime() - st.idleSince; st.idleSince = 0n; }
  api.settle(m.ticket, m.status, m.payload);
  if (!st.finished && st.pendingRemote > 0) markIdleWhenDrained(st);
  if (!st.finished && st.pendingRemote === 0) scheduleStallCheck(st);
}

function runOnce(c, job) {
  return new Promise((resolve) => {
    const st = { id: nextCallId++, logs: { lines: [], bytes: 0 }, customData: { lines: [], bytes: 0 }, finished: false,
      pendingRemote: 0, idleSince: 0n, idleMarkQueued: false, waitNs: 0n, timer: undefined, resolve, started: 0n, deadline: Date.now() + job.stopMs };
    current = st;
    st.started = hrtime();
    try {
      api.invoke(st.id, c.json, c.nowMs, st.deadline, kvsMode !== 'none', job.memoryLimit);
    } catch (e) {
      finish(st, 'error', 'invalid connection object: ' + (e && e.message ? e.message : String(e)));
    }
    if (!st.finished && st.pendingRemote === 0) scheduleStallCheck(st);
  });
}

const STOPPED = /^exceeded the (execution time|memory) limit/;
// Every sample starts from a pristine context, so each is a first evaluation as at the edge, and the first decides.
// Samples that decide differently (randomness, a store that changed) make the case fail as non-deterministic. A
// function that changes shared state is also run once more on the state it left, before the context is replaced:
// a decision that depends on that state fails the case the same way, since where state carries the edge decides
// differently from a first evaluation.
async function runCase(c, job) {
  if (compileError !== null) return { decision: 'error', errorMessage: compileError, logs: [], customData: [], durationMs: 0 };
  const decided = [];
  let first = null, fastest = null, stopped = null, samples = 0, carried = null;
  while (samples < job.maxSamples) {
    const r = await runOnce(c, job);
    samples++;
    decided.push(r);
    if (first === null) first = r;
    if (!pristine()) {
      if (carried === null && !(r.decision === 'error' && STOPPED.test(r.errorMessage))) carried = await runOnce(c, job);
      renew();
      if (compileError !== null) break;
    }
    if (r.decision === 'error' && STOPPED.test(r.errorMessage)) { stopped = r; break; }
    if (fastest === null || r.durationMs < fastest.durationMs) fastest = r;
    if (samples >= job.minSamples && fastest.durationMs <= job.timeLimitMs) break;
  }
  const result = { decision: first.decision, errorMessage: first.errorMessage, logs: first.logs, customData: first.customData,
    durationMs: stopped !== null ? stopped.durationMs : fastest !== null ? fastest.durationMs : first.durationMs };
  const disagree = decided.some((r) => r.decision !== first.decision) || (carried !== null && carried.decision !== first.decision);
  if (disagree) {
    result.decision = 'error';
    result.errorMessage = nonDeterministic(decided, carried);
  } else if (stopped === null && fastest !== null && fastest.durationMs > job.timeLimitMs) {
    result.decision = 'error';
    result.errorMessage = 'exceeded the execution time limit (fastest of ' + samples + ' runs took ' + fastest.durationMs.toFixed(2)
      + ' ms, the limit is ' + job.timeLimitMs + ' ms)';
  }
  return result;
}

// Short enough that every sample's decision fits in the one error message a case reports.
function sampleText(r) { return r.decision === 'error' ? 'error (' + String(r.errorMessage).slice(0, 200) + ')' : r.decision; }
function nonDeterministic(decided, carried) {
  let text = 'non-deterministic: samples decided ' + decided.map(sampleText).join(', ');
  if (carried !== null) text += '; run again on the global state the first left, it decided ' + sampleText(carried);
  return text + ' (the first evaluation decides, as at the edge; a function must decide the same way every time)';
}

async function runJob(job) {
  if (job.code && loadedCode === null) load(job.code);
  if (job.store) snapshot = { key: job.store.key, map: new Map(job.store.entries), meta: job.store.meta || null };
  if (job.store || liveAfterGc === Infinity) { collectFully(); liveAfterGc = heapUsed(); }
  kvsMode = job.kvs;
  let pending = [], lastSent = Date.now();
  for (const c of job.cases) {
    pending.push(await runCase(c, job));
    if (Date.now() - lastSent >= 50) { send({ t: 'progress', id: job.id, results: pending }); pending = []; lastSent = Date.now(); }
  }
  send({ t: 'done', id: job.id, results: pending });
}

process.on('message', (m) => {
  if (m === null || typeof m !== 'object') return;
  if (m.t === 'kvsr') settleRemote(m);
  else if (m.t === 'run') runJob(m).catch((e) => { process.stderr.write('worker failure: ' + (e && e.message) + '\n'); exit(70); });
});
send({ t: 'ready' });
`;
