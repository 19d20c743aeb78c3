/**
 * Source of the trusted driver that runs inside each sandbox context before any function code. It builds the
 * cloudfront-js-2.0 globals (frozen Date, one-argument console.log, require('crypto'|'querystring'), TextEncoder,
 * TextDecoder, atob, btoa), removes what the edge lacks, and exposes `invoke` / `settle` to the host.
 *
 * Security rule: the host `bridge` object and its functions live only in this closure. Every value that crosses
 * into function code is built here, inside the context, from primitives; bridge calls are wrapped so a host
 * exception never reaches function code (a host object would hand out the host's Function constructor).
 * Built-ins the driver relies on are captured before function code can replace them.
 */
export const SANDBOX_PRELUDE = String.raw`(function (bridge) {
'use strict';
const G = globalThis;
const ObjectCtor = Object, ErrorCtor = Error, TypeErrorCtor = TypeError, StringCtor = String;
const PromiseCtor = Promise, promiseThen = Promise.prototype.then, promiseResolve = Promise.resolve;
const apply = Reflect.apply, construct = Reflect.construct, defineProperty = Object.defineProperty;
const create = Object.create, freeze = Object.freeze;
const JSONparse = JSON.parse, JSONstringify = JSON.stringify;
const RealDate = G.Date, realNow = G.Date.now, dateToString = G.Date.prototype.toString;
const U8 = Uint8Array, fromCharCode = String.fromCharCode, charCodeAt = String.prototype.charCodeAt;
const strSlice = String.prototype.slice, strIndexOf = String.prototype.indexOf;

function callBridge(fn, args) {
  try { return apply(fn, bridge, args); }
  catch (e) { throw new ErrorCtor('internal runtime error'); }
}

// ---- globals the edge does not have ----
for (const name of ['eval', 'WebAssembly', 'SharedArrayBuffer', 'Atomics', 'FinalizationRegistry', 'WeakRef', 'Intl', 'console']) {
  delete G[name];
}
function defineGlobal(name, value) {
  defineProperty(G, name, { value: value, writable: true, configurable: true, enumerable: false });
}

// ---- Date frozen at the start of each connection ----
let frozenNow = 0;
function Date() {
  if (new.target === undefined) return apply(dateToString, construct(RealDate, [frozenNow]), []);
  const args = [];
  for (let i = 0; i < arguments.length; i++) args[i] = arguments[i];
  return construct(RealDate, args.length === 0 ? [frozenNow] : args, new.target);
}
defineProperty(Date, 'prototype', { value: RealDate.prototype, writable: false });
defineProperty(RealDate.prototype, 'constructor', { value: Date, writable: true, configurable: true, enumerable: false });
defineProperty(Date, 'now', { value: function now() { return frozenNow; }, writable: true, configurable: true });
defineProperty(Date, 'parse', { value: RealDate.parse, writable: true, configurable: true });
defineProperty(Date, 'UTC', { value: RealDate.UTC, writable: true, configurable: true });
defineGlobal('Date', Date);

// ---- per-call state ----
let currentCall = 0, deadline = 0, ops = 0, aborted = false;
const TIMEOUT_MESSAGE = 'execution time limit exceeded (runaway function stopped)';
function guard() {
  if (aborted) throw new ErrorCtor(TIMEOUT_MESSAGE);
  if ((++ops & 1023) === 0 && realNow() > deadline) { aborted = true; throw new ErrorCtor(TIMEOUT_MESSAGE); }
}

function toLogText(v) {
  if (typeof v === 'string') return v;
  if (v === undefined) return 'undefined';
  if (typeof v === 'object' && v !== null) {
    try { const s = JSONstringify(v); if (typeof s === 'string') return s; } catch (e) { /* fall through */ }
  }
  try { return StringCtor(v); } catch (e) { return '[unprintable]'; }
}
const consoleObject = create(ObjectCtor.prototype);
// cloudfront-js-2.0 documents console.log with one argument: further arguments are ignored.
defineProperty(consoleObject, 'log', { value: function log(message) { callBridge(bridge.log, [currentCall, toLogText(message)]); }, writable: true, configurable: true, enumerable: true });
defineGlobal('console', consoleObject);

// ---- bytes helpers (UTF-8, latin1 byte strings) ----
function utf8Encode(str) {
  str = StringCtor(str);
  const out = [];
  for (let i = 0; i < str.length; i++) {
    let c = apply(charCodeAt, str, [i]);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
      const d = apply(charCodeAt, str, [i + 1]);
      if (d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; }
      else c = 0xfffd;
    } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out[out.length] = c;
    else if (c < 0x800) { out[out.length] = 0xc0 | (c >> 6); out[out.length] = 0x80 | (c & 63); }
    else if (c < 0x10000) { out[out.length] = 0xe0 | (c >> 12); out[out.length] = 0x80 | ((c >> 6) & 63); out[out.length] = 0x80 | (c & 63); }
    else { out[out.length] = 0xf0 | (c >> 18); out[out.length] = 0x80 | ((c >> 12) & 63); out[out.length] = 0x80 | ((c >> 6) & 63); out[out.length] = 0x80 | (c & 63); }
  }
  return new U8(out);
}
function utf8Decode(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    let c = 0xfffd, n = 1;
    if (b < 0x80) c = b;
    else if (b >= 0xc2 && b < 0xe0 && i + 1 < bytes.length && (bytes[i + 1] & 0xc0) === 0x80) { c = ((b & 31) << 6) | (bytes[i + 1] & 63); n = 2; }
    else if (b >= 0xe0 && b < 0xf0 && i + 2 < bytes.length && (bytes[i + 1] & 0xc0) === 0x80 && (bytes[i + 2] & 0xc0) === 0x80) {
      c = ((b & 15) << 12) | ((bytes[i + 1] & 63) << 6) | (bytes[i + 2] & 63); n = 3;
      if (c < 0x800 || (c >= 0xd800 && c <= 0xdfff)) c = 0xfffd;
    } else if (b >= 0xf0 && b < 0xf5 && i + 3 < bytes.length && (bytes[i + 1] & 0xc0) === 0x80 && (bytes[i + 2] & 0xc0) === 0x80 && (bytes[i + 3] & 0xc0) === 0x80) {
      c = ((b & 7) << 18) | ((bytes[i + 1] & 63) << 12) | ((bytes[i + 2] & 63) << 6) | (bytes[i + 3] & 63); n = 4;
      if (c < 0x10000 || c > 0x10ffff) c = 0xfffd;
    }
    if (c >= 0x10000) { c -= 0x10000; s += fromCharCode(0xd800 + (c >> 10), 0xdc00 + (c & 1023)); }
    else s += fromCharCode(c);
    i += n;
  }
  return s;
}
function bytesToLatin1(bytes) { let s = ''; for (let i = 0; i < bytes.length; i++) s += fromCharCode(bytes[i]); return s; }
function latin1ToBytes(s) { const out = new U8(s.length); for (let i = 0; i < s.length; i++) out[i] = apply(charCodeAt, s, [i]) & 255; return out; }
function toByteString(data) {
  if (typeof data === 'string') return bytesToLatin1(utf8Encode(data));
  if (data instanceof U8) return bytesToLatin1(data);
  if (data !== null && typeof data === 'object' && typeof data.byteLength === 'number' && data.buffer) return bytesToLatin1(new U8(data.buffer, data.byteOffset, data.byteLength));
  throw new TypeErrorCtor('data must be a string or a Uint8Array');
}

function TextEncoder() { if (new.target === undefined) throw new TypeErrorCtor("Constructor TextEncoder requires 'new'"); }
defineProperty(TextEncoder.prototype, 'encoding', { get: function () { return 'utf-8'; } });
TextEncoder.prototype.encode = function encode(input) { return utf8Encode(input === undefined ? '' : input); };
defineGlobal('TextEncoder', TextEncoder);
function TextDecoder(label) {
  if (new.target === undefined) throw new TypeErrorCtor("Constructor TextDecoder requires 'new'");
  if (label !== undefined && label !== 'utf-8' && label !== 'utf8') throw new TypeErrorCtor('only utf-8 is supported');
}
defineProperty(TextDecoder.prototype, 'encoding', { get: function () { return 'utf-8'; } });
TextDecoder.prototype.decode = function decode(input) {
  if (input === undefined) return '';
  if (input instanceof U8) return utf8Decode(input);
  if (input !== null && typeof input === 'object' && input.buffer) return utf8Decode(new U8(input.buffer, input.byteOffset || 0, input.byteLength));
  if (input instanceof ArrayBuffer) return utf8Decode(new U8(input));
  throw new TypeErrorCtor('decode expects an ArrayBuffer or a view');
};
defineGlobal('TextDecoder', TextDecoder);

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
defineGlobal('btoa', function btoa(s) {
  s = StringCtor(s);
  let out = '';
  for (let i = 0; i < s.length; i += 3) {
    const a = apply(charCodeAt, s, [i]), b = i + 1 < s.length ? apply(charCodeAt, s, [i + 1]) : -1, c = i + 2 < s.length ? apply(charCodeAt, s, [i + 2]) : -1;
    if (a > 255 || b > 255 || c > 255) throw new ErrorCtor('Invalid character');
    out += B64[a >> 2] + B64[((a & 3) << 4) | (b < 0 ? 0 : b >> 4)] + (b < 0 ? '=' : B64[((b & 15) << 2) | (c < 0 ? 0 : c >> 6)]) + (c < 0 ? '=' : B64[c & 63]);
  }
  return out;
});
defineGlobal('atob', function atob(s) {
  s = StringCtor(s);
  let clean = '';
  for (let i = 0; i < s.length; i++) { const ch = s[i]; if (ch !== ' ' && ch !== '\n' && ch !== '\t' && ch !== '\r' && ch !== '\f') clean += ch; }
  if (clean.length % 4 === 0 && clean.length > 0) {
    if (clean[clean.length - 1] === '=') clean = apply(strSlice, clean, [0, clean[clean.length - 2] === '=' ? -2 : -1]);
  }
  if (clean.length % 4 === 1) throw new ErrorCtor('The string to be decoded is not correctly encoded.');
  let out = '', buf = 0, bits = 0;
  for (let i = 0; i < clean.length; i++) {
    const v = apply(strIndexOf, B64, [clean[i]]);
    if (v < 0) throw new ErrorCtor('The string to be decoded is not correctly encoded.');
    buf = (buf << 6) | v; bits += 6;
    if (bits >= 8) { bits -= 8; out += fromCharCode((buf >> bits) & 255); }
  }
  return out;
});

// ---- require('crypto') and require('querystring') ----
const HASHES = { md5: true, sha1: true, sha256: true };
const DIGEST_ENCODINGS = { hex: true, base64: true, base64url: true };
function makeDigester(alg, keyBytes) {
  if (typeof alg !== 'string' || HASHES[alg] !== true) throw new ErrorCtor('Digest method not supported: ' + StringCtor(alg) + ' (md5, sha1, sha256)');
  let data = '', done = false;
  const obj = create(ObjectCtor.prototype);
  obj.update = function update(chunk) {
    if (done) throw new ErrorCtor('Digest already called');
    data += toByteString(chunk);
    return obj;
  };
  obj.digest = function digest(encoding) {
    if (done) throw new ErrorCtor('Digest already called');
    if (encoding !== undefined && DIGEST_ENCODINGS[encoding] !== true) throw new ErrorCtor('Unsupported digest encoding: ' + StringCtor(encoding));
    done = true;
    const r = callBridge(bridge.digest, [alg, data, keyBytes, encoding === undefined ? 'latin1' : encoding]);
    return encoding === undefined ? latin1ToBytes(r) : r;
  };
  return obj;
}
const cryptoModule = create(ObjectCtor.prototype);
cryptoModule.createHash = function createHash(alg) { return makeDigester(alg, null); };
cryptoModule.createHmac = function createHmac(alg, key) { return makeDigester(alg, toByteString(key)); };
freeze(cryptoModule);
const qsModule = create(ObjectCtor.prototype);
qsModule.parse = qsModule.decode = function parse(str, sep, eq) {
  return JSONparse(callBridge(bridge.qsParse, [str === undefined ? '' : StringCtor(str), sep === undefined ? '&' : StringCtor(sep), eq === undefined ? '=' : StringCtor(eq)]));
};
qsModule.stringify = qsModule.encode = function stringify(obj, sep, eq) {
  const json = JSONstringify(obj === undefined || obj === null ? {} : obj);
  return callBridge(bridge.qsStringify, [json === undefined ? '{}' : json, sep === undefined ? '&' : StringCtor(sep), eq === undefined ? '=' : StringCtor(eq)]);
};
qsModule.escape = function escape(s) { return callBridge(bridge.qsEscape, [StringCtor(s)]); };
qsModule.unescape = function unescape(s) { return callBridge(bridge.qsUnescape, [StringCtor(s)]); };
freeze(qsModule);
defineGlobal('require', function require(name) {
  if (name === 'crypto') return cryptoModule;
  if (name === 'querystring') return qsModule;
  throw new ErrorCtor("Cannot find module '" + StringCtor(name) + "'");
});

// ---- cf.kvs() ----
const pending = create(null);
function kvsError(message) { return new ErrorCtor(message); }
// Status codes from bridge.kvs*: 0 found (value in bridge.value()), 1 missing, 2 error (message in bridge.value()), 3 pending (ticket in bridge.value()).
function lookup(callId, op, key) {
  return new PromiseCtor(function (resolve, reject) {
    const status = callBridge(bridge.kvs, [callId, op, key]);
    const payload = callBridge(bridge.value, []);
    if (status === 3) { pending[payload] = { resolve: resolve, reject: reject }; return; }
    deliver(status, payload, resolve, reject);
  });
}
function deliver(status, payload, resolve, reject) {
  if (status === 0) resolve({ found: true, value: payload });
  else if (status === 1) resolve({ found: false, value: undefined });
  else reject(kvsError(typeof payload === 'string' ? payload : 'KeyValueStore request failed'));
}
function makeKvs(callId) {
  const kvs = create(ObjectCtor.prototype);
  kvs.exists = function exists(key) {
    return apply(promiseThen, lookup(callId, 'get', StringCtor(key)), [function (r) { return r.found; }]);
  };
  kvs.get = function get(key, options) {
    const format = options !== undefined && options !== null && options.format !== undefined ? options.format : 'string';
    if (format !== 'string' && format !== 'json' && format !== 'bytes') {
      return apply(promiseResolve, PromiseCtor, [undefined]).then(function () { throw new TypeErrorCtor('Unknown format: ' + StringCtor(format) + " (use 'string', 'json' or 'bytes')"); });
    }
    const k = StringCtor(key);
    return apply(promiseThen, lookup(callId, 'get', k), [function (r) {
      if (!r.found) throw kvsError('Key ' + k + ' not found');
      if (format === 'json') return JSONparse(r.value);
      if (format === 'bytes') return utf8Encode(r.value);
      return r.value;
    }]);
  };
  kvs.meta = function meta() {
    return apply(promiseThen, lookup(callId, 'meta', ''), [function (r) { return JSONparse(r.value); }]);
  };
  return kvs;
}

// ---- host entry points ----
let wrapper = undefined;
function errorText(e) {
  try {
    if (e !== null && typeof e === 'object' && typeof e.message === 'string') {
      return (typeof e.name === 'string' && e.name ? e.name + ': ' : '') + e.message;
    }
    return 'uncaught ' + toLogText(e);
  } catch (x) { return 'uncaught exception'; }
}
function invoke(callId, connectionJson, nowMs, deadlineMs, hasKvs) {
  currentCall = callId; frozenNow = nowMs; deadline = deadlineMs; ops = 0; aborted = false;
  let decision = null, finished = false;
  function finish(kind, message) {
    if (finished) return;
    finished = true;
    if (aborted) { kind = 'error'; message = TIMEOUT_MESSAGE; }
    callBridge(bridge.done, [callId, kind === 'error' ? 'error' : (decision === null ? 'deny' : decision), kind === 'error' ? message : (decision === null ? 'none' : '')]);
  }
  const connection = JSONparse(connectionJson);
  defineProperty(connection, 'allow', { value: function allow() { if (!finished && decision === null) decision = 'allow'; }, writable: true, configurable: true });
  // Both called is undocumented at the edge; locally deny wins (fail closed).
  defineProperty(connection, 'deny', { value: function deny() { if (!finished) decision = 'deny'; }, writable: true, configurable: true });
  defineProperty(connection, 'logCustomData', { value: function logCustomData(data) { callBridge(bridge.customData, [callId, toLogText(data)]); }, writable: true, configurable: true });
  let kvsHandle = undefined;
  const cf = create(ObjectCtor.prototype);
  cf.kvs = function kvs() {
    if (!hasKvs) throw new ErrorCtor('no KeyValueStore is associated with this function');
    if (kvsHandle === undefined) kvsHandle = makeKvs(callId);
    return kvsHandle;
  };
  let result;
  try {
    const handler = wrapper(cf, guard);
    if (typeof handler !== 'function') throw new TypeErrorCtor('connectionHandler is not a function');
    result = handler(connection);
  } catch (e) { finish('error', errorText(e)); return; }
  if (result !== null && (typeof result === 'object' || typeof result === 'function')) {
    let p;
    try { p = apply(promiseResolve, PromiseCtor, [result]); } catch (e) { finish('error', errorText(e)); return; }
    apply(promiseThen, p, [function () { finish('ok'); }, function (e) { finish('error', errorText(e)); }]);
  } else finish('ok');
}
function settle(ticket, status, payload) {
  const p = pending[ticket];
  if (p === undefined) return;
  delete pending[ticket];
  deliver(status, payload, p.resolve, p.reject);
}
const api = create(null);
api.setWrapper = function (w) { wrapper = w; };
api.invoke = invoke;
api.settle = settle;
return freeze(api);
})`;
