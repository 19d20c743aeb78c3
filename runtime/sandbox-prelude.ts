/**
 * Source of the trusted driver that runs inside each sandbox context before any function code. It builds the
 * cloudfront-js-2.0 globals (frozen Date, one-argument console.log, require('crypto'|'querystring'|'buffer'),
 * Buffer, TextEncoder, TextDecoder, atob, btoa), removes what the edge lacks, caps allocations, and exposes
 * `invoke` / `settle` to the worker program that hosts the context (runtime/sandbox-worker-program.ts).
 *
 * Security rule: the host `bridge` object and its functions live only in this closure. Every value that crosses
 * into function code is built here, inside the context, from primitives; bridge calls are wrapped so a host
 * exception never reaches function code (a host object would hand out the host's Function constructor).
 * Built-ins the driver relies on are captured before function code can replace them.
 */
/** The module names the prelude's `require()` serves (lint refuses any other). */
export const REQUIRABLE_MODULES: readonly string[] = ['crypto', 'querystring', 'buffer'];

export const SANDBOX_PRELUDE = String.raw`(function (bridge) {
'use strict';
const G = globalThis;
const ObjectCtor = Object, ErrorCtor = Error, TypeErrorCtor = TypeError, RangeErrorCtor = RangeError, StringCtor = String;
const ProxyCtor = Proxy, ArrayBufferCtor = ArrayBuffer, isView = ArrayBuffer.isView;
const mathMin = Math.min, mathMax = Math.max, mathFloor = Math.floor, isArray = Array.isArray;
const PromiseCtor = Promise, promiseThen = Promise.prototype.then, promiseResolve = Promise.resolve;
const apply = Reflect.apply, construct = Reflect.construct, defineProperty = Object.defineProperty;
const create = Object.create, freeze = Object.freeze;
const JSONparse = JSON.parse, JSONstringify = JSON.stringify;
const RealDate = G.Date, realNow = G.Date.now, dateToString = G.Date.prototype.toString;
const U8 = Uint8Array, fromCharCode = String.fromCharCode, charCodeAt = String.prototype.charCodeAt;
const strSlice = String.prototype.slice, strIndexOf = String.prototype.indexOf, toLower = String.prototype.toLowerCase, strReplace = String.prototype.replace;

function callBridge(fn, args) {
  try { return apply(fn, bridge, args); }
  catch (e) { throw new ErrorCtor('internal runtime error'); }
}

// A stack-trace hook would hand function code CallSite objects of the worker's own frames: lock it off.
defineProperty(ErrorCtor, 'prepareStackTrace', { value: undefined, writable: false, configurable: false, enumerable: false });
defineProperty(G, 'Error', { value: ErrorCtor, writable: false, configurable: false, enumerable: false });

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
let currentCall = 0, deadline = 0, ops = 0, aborted = null, memoryLimit = 0;
const TIMEOUT_MESSAGE = 'exceeded the execution time limit (runaway function stopped)';
const MEMORY_MESSAGE = 'exceeded the memory limit';
// Called at every loop body and function entry: once a limit is hit every check throws, so even code that
// catches the error is unwound.
function guard() {
  if (aborted !== null) throw new ErrorCtor(aborted);
  // Memory is read every 128 checks (a loop can allocate a lot per iteration), the clock every 1,024.
  if ((++ops & 127) === 0) {
    if ((ops & 1023) === 0 && realNow() > deadline) aborted = TIMEOUT_MESSAGE;
    else if (callBridge(bridge.memoryOver, []) === true) aborted = MEMORY_MESSAGE;
    if (aborted !== null) throw new ErrorCtor(aborted);
  }
}

// ---- allocation caps: array buffers live outside the V8 heap limit, so a single one may not exceed the budget,
// and the run's memory is read again after every further MiB of them. The deadline checks alone read memory every
// 128 loop bodies or calls; one expression can create hundreds of buffers, gigabytes outside the heap cap. ----
const BUFFER_CHECK_STEP = 1024 * 1024;
let bufferBytes = 0, nextBufferCheck = 0;
function checkBytes(n) {
  if (typeof n !== 'number' || !(n > 0)) return;
  if (n > memoryLimit) { aborted = MEMORY_MESSAGE; throw new RangeErrorCtor(MEMORY_MESSAGE); }
  bufferBytes += n;
  if (bufferBytes < nextBufferCheck) return;
  nextBufferCheck = bufferBytes + BUFFER_CHECK_STEP;
  if (callBridge(bridge.memoryOver, [n]) === true) { aborted = MEMORY_MESSAGE; throw new RangeErrorCtor(MEMORY_MESSAGE); }
}
// Sizes are read once, through built-in getters captured here (a getter, valueOf or a replaced 'length' could
// otherwise answer the check one size and the real constructor another), and what reaches a real constructor is a
// number, an existing buffer (a view, no allocation) or a typed array of known length.
const getOwnDescriptor = ObjectCtor.getOwnPropertyDescriptor;
const TypedArrayProto = ObjectCtor.getPrototypeOf(U8.prototype);
const abByteLength = getOwnDescriptor(ArrayBufferCtor.prototype, 'byteLength').get;
const taLength = getOwnDescriptor(TypedArrayProto, 'length').get;
const taByteLength = getOwnDescriptor(TypedArrayProto, 'byteLength').get;
const symIterator = Symbol.iterator;
function brandedLength(getter, v) { try { return apply(getter, v, []); } catch (e) { return -1; } }
function isObject(v) { return v !== null && (typeof v === 'object' || typeof v === 'function'); }
/** An array-like or iterable source copied into a new typed array of Ctor, its size checked before allocation. */
function copyOf(Ctor, bytesPerElement, src) {
  const method = src[symIterator];
  let values = src, length;
  if (method !== undefined && method !== null) {
    const it = apply(method, src, []);
    if (!isObject(it)) throw new TypeErrorCtor('Result of the Symbol.iterator method is not an object');
    const next = it.next;
    values = [];
    for (;;) {
      const step = apply(next, it, []);
      if (!isObject(step)) throw new TypeErrorCtor('Iterator result is not an object');
      if (step.done) break;
      defineProperty(values, values.length, { value: step.value, writable: true, enumerable: true, configurable: true });
    }
    length = values.length;
  } else {
    length = +src.length;
    length = length !== length || length <= 0 ? 0 : mathFloor(length);
  }
  checkBytes(length * bytesPerElement);
  const out = construct(Ctor, [length]);
  for (let i = 0; i < length; i++) out[i] = values[i];
  return out;
}
/** The first argument of a typed array constructor in a form whose allocation size was checked. */
function checkedSource(Ctor, bytesPerElement, a0, given) {
  if (!isObject(a0)) {
    if (!given || a0 === undefined) return undefined;
    const n = +a0;
    checkBytes(n * bytesPerElement);
    return n;
  }
  if (brandedLength(abByteLength, a0) >= 0) return a0;
  const length = brandedLength(taLength, a0);
  if (length >= 0) { checkBytes(length * bytesPerElement); return a0; }
  return copyOf(Ctor, bytesPerElement, a0);
}
function capConstructor(name, Ctor, checkedArgs) {
  const capped = new ProxyCtor(Ctor, {
    construct: function (target, args, newTarget) { return construct(target, checkedArgs(args), newTarget === capped ? target : newTarget); },
  });
  defineProperty(Ctor.prototype, 'constructor', { value: capped, writable: true, configurable: true, enumerable: false });
  defineGlobal(name, capped);
}
capConstructor('ArrayBuffer', ArrayBufferCtor, function (args) {
  // Resizable buffers are ES2024, beyond cloudfront-js-2.0; refusing them keeps every buffer's size fixed at creation.
  if (isObject(args[1]) && args[1].maxByteLength !== undefined) throw new TypeErrorCtor('resizable ArrayBuffers are not available in cloudfront-js-2.0');
  const n = args.length === 0 || args[0] === undefined ? 0 : +args[0];
  checkBytes(n);
  return [n];
});
for (const name of ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array']) {
  const Ctor = G[name], bytesPerElement = Ctor.BYTES_PER_ELEMENT;
  capConstructor(name, Ctor, function (args) { return [checkedSource(Ctor, bytesPerElement, args[0], args.length > 0), args[1], args[2]]; });
}
// Built-in methods that allocate a new buffer without going through a global constructor (species lookups fall back
// to the real constructors when an object's 'constructor' is removed; toSorted and friends always use them): the
// result, at most the receiver's size, is counted before the call.
function capMethod(proto, name, sizeOf) {
  const original = proto[name];
  if (typeof original !== 'function') return;
  const wrapped = { [name]: function () { checkBytes(sizeOf(this)); return apply(original, this, arguments); } }[name];
  defineProperty(proto, name, { value: wrapped, writable: true, configurable: true, enumerable: false });
}
for (const name of ['slice', 'map', 'filter', 'toReversed', 'toSorted', 'with']) capMethod(TypedArrayProto, name, function (v) { return brandedLength(taByteLength, v); });
capMethod(ArrayBufferCtor.prototype, 'slice', function (v) { return brandedLength(abByteLength, v); });
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
function latin1ToBytes(s) { checkBytes(s.length); const out = new U8(s.length); for (let i = 0; i < s.length; i++) out[i] = apply(charCodeAt, s, [i]) & 255; return out; }
function toByteString(data) {
  if (typeof data === 'string') return bytesToLatin1(utf8Encode(data));
  if (data instanceof U8) return bytesToLatin1(data);
  if (isView(data)) return bytesToLatin1(new U8(data.buffer, data.byteOffset, data.byteLength));
  throw new TypeErrorCtor('data must be a string, a Buffer or a Uint8Array');
}

function TextEncoder() { if (new.target === undefined) throw new TypeErrorCtor("Constructor TextEncoder requires 'new'"); }
defineProperty(TextEncoder.prototype, 'encoding', { get: function () { return 'utf-8'; } });
TextEncoder.prototype.encode = function encode(input) { return utf8Encode(input === undefined ? '' : input); };
// Writes whole characters only (as the Encoding standard says) and reports UTF-16 units read and bytes written.
TextEncoder.prototype.encodeInto = function encodeInto(source, destination) {
  if (!(destination instanceof U8)) throw new TypeErrorCtor('The "dest" argument must be an instance of Uint8Array.');
  source = StringCtor(source);
  let read = 0, written = 0;
  while (read < source.length) {
    const c = apply(charCodeAt, source, [read]);
    const pair = c >= 0xd800 && c <= 0xdbff && read + 1 < source.length && (apply(charCodeAt, source, [read + 1]) & 0xfc00) === 0xdc00;
    const units = pair ? 2 : 1;
    const bytes = utf8Encode(apply(strSlice, source, [read, read + units]));
    if (written + bytes.length > destination.length) break;
    for (let i = 0; i < bytes.length; i++) destination[written + i] = bytes[i];
    written += bytes.length; read += units;
  }
  const out = create(ObjectCtor.prototype);
  out.read = read; out.written = written;
  return out;
};
defineGlobal('TextEncoder', TextEncoder);
function TextDecoder(label, options) {
  if (new.target === undefined) throw new TypeErrorCtor("Constructor TextDecoder requires 'new'");
  if (label !== undefined && label !== 'utf-8' && label !== 'utf8' && label !== 'unicode-1-1-utf-8') {
    throw new RangeErrorCtor('The "' + StringCtor(label) + '" encoding is not supported');
  }
  const fatal = options !== null && typeof options === 'object' && options.fatal === true;
  const ignoreBOM = options !== null && typeof options === 'object' && options.ignoreBOM === true;
  defineProperty(this, 'fatal', { value: fatal, enumerable: true });
  defineProperty(this, 'ignoreBOM', { value: ignoreBOM, enumerable: true });
}
defineProperty(TextDecoder.prototype, 'encoding', { get: function () { return 'utf-8'; } });
TextDecoder.prototype.decode = function decode(input) {
  let bytes;
  if (input === undefined) return '';
  if (input instanceof U8) bytes = input;
  else if (input instanceof ArrayBufferCtor) bytes = new U8(input);
  else if (isView(input)) bytes = new U8(input.buffer, input.byteOffset, input.byteLength);
  else throw new TypeErrorCtor('The "input" argument must be an instance of ArrayBuffer or ArrayBufferView.');
  let s = utf8Decode(bytes);
  if (this.fatal === true && !validUtf8(bytes)) throw new TypeErrorCtor('The encoded data was not valid for encoding utf-8');
  // Without ignoreBOM a leading byte order mark is consumed, as the Encoding standard says.
  if (this.ignoreBOM !== true && apply(charCodeAt, s, [0]) === 0xfeff) s = apply(strSlice, s, [1]);
  return s;
};
defineGlobal('TextDecoder', TextDecoder);
/** Whether bytes are well-formed UTF-8 (shortest forms, no surrogates, at most U+10FFFF). */
function validUtf8(bytes) {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    let n = 0, min = 0, c = 0;
    if (b < 0x80) { i++; continue; }
    if (b >= 0xc2 && b < 0xe0) { n = 1; min = 0x80; c = b & 31; }
    else if (b >= 0xe0 && b < 0xf0) { n = 2; min = 0x800; c = b & 15; }
    else if (b >= 0xf0 && b < 0xf5) { n = 3; min = 0x10000; c = b & 7; }
    else return false;
    if (i + n >= bytes.length) return false;
    for (let k = 1; k <= n; k++) { const d = bytes[i + k]; if ((d & 0xc0) !== 0x80) return false; c = (c << 6) | (d & 63); }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
// Base64 of a byte string (characters 0-255): btoa, and Buffer's base64/base64url output.
function base64OfByteString(s) {
  let out = '';
  for (let i = 0; i < s.length; i += 3) {
    const a = apply(charCodeAt, s, [i]), b = i + 1 < s.length ? apply(charCodeAt, s, [i + 1]) : -1, c = i + 2 < s.length ? apply(charCodeAt, s, [i + 2]) : -1;
    if (a > 255 || b > 255 || c > 255) throw new ErrorCtor('Invalid character');
    out += B64[a >> 2] + B64[((a & 3) << 4) | (b < 0 ? 0 : b >> 4)] + (b < 0 ? '=' : B64[((b & 15) << 2) | (c < 0 ? 0 : c >> 6)]) + (c < 0 ? '=' : B64[c & 63]);
  }
  return out;
}
defineGlobal('btoa', function btoa(s) { return base64OfByteString(StringCtor(s)); });
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

// ---- Buffer (runtime 2.0): a Uint8Array subclass built here, never the host's Buffer ----
const HEX = '0123456789abcdef';
const ENCODING_NAMES = { utf8: 'utf8', 'utf-8': 'utf8', hex: 'hex', base64: 'base64', base64url: 'base64url', latin1: 'latin1', binary: 'latin1', ascii: 'ascii', ucs2: 'utf16le', 'ucs-2': 'utf16le', utf16le: 'utf16le', 'utf-16le': 'utf16le' };
function encodingOf(enc) {
  if (enc === undefined || enc === null) return 'utf8';
  const e = ENCODING_NAMES[apply(toLower, StringCtor(enc), [])];
  if (typeof e !== 'string') throw new TypeErrorCtor('Unknown encoding: ' + StringCtor(enc));
  return e;
}
function base64Bytes(str) {
  const out = [];
  let buf = 0, bits = 0;
  for (let i = 0; i < str.length; i++) {
    const ch = str[i];
    if (ch === '=') break;
    let v = apply(strIndexOf, B64, [ch]);
    if (ch === '-') v = 62; else if (ch === '_') v = 63;
    if (v < 0) continue;
    buf = ((buf << 6) | v) & 0xffffff; bits += 6;
    if (bits >= 8) { bits -= 8; out[out.length] = (buf >> bits) & 255; }
  }
  return out;
}
function stringToBytes(str, enc) {
  switch (enc) {
    case 'utf8': return utf8Encode(str);
    case 'hex': {
      const out = [];
      for (let i = 0; i + 1 < str.length; i += 2) {
        const hi = apply(strIndexOf, HEX, [apply(toLower, str[i], [])]), lo = apply(strIndexOf, HEX, [apply(toLower, str[i + 1], [])]);
        if (hi < 0 || lo < 0) break;
        out[out.length] = hi * 16 + lo;
      }
      return new U8(out);
    }
    case 'base64': case 'base64url': return new U8(base64Bytes(str));
    case 'utf16le': {
      checkBytes(str.length * 2);
      const out = new U8(str.length * 2);
      for (let i = 0; i < str.length; i++) { const c = apply(charCodeAt, str, [i]); out[2 * i] = c & 255; out[2 * i + 1] = c >> 8; }
      return out;
    }
    default: return latin1ToBytes(str);
  }
}
function bytesToString(bytes, enc) {
  switch (enc) {
    case 'utf8': return utf8Decode(bytes);
    case 'hex': { let s = ''; for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15]; return s; }
    case 'base64': case 'base64url': {
      const s = base64OfByteString(bytesToLatin1(bytes));
      if (enc === 'base64url') {
        let u = '';
        for (let i = 0; i < s.length; i++) { const ch = s[i]; if (ch === '+') u += '-'; else if (ch === '/') u += '_'; else if (ch !== '=') u += ch; }
        return u;
      }
      return s;
    }
    case 'ascii': { let s = ''; for (let i = 0; i < bytes.length; i++) s += fromCharCode(bytes[i] & 127); return s; }
    case 'utf16le': { let s = ''; for (let i = 0; i + 1 < bytes.length; i += 2) s += fromCharCode(bytes[i] | (bytes[i + 1] << 8)); return s; }
    default: return bytesToLatin1(bytes);
  }
}
function clampIndex(v, dflt, len) {
  if (v === undefined) return dflt;
  let n = +v;
  if (n !== n) n = 0;
  n = n < 0 ? mathMax(len + mathFloor(n), 0) : mathFloor(n);
  return mathMin(n, len);
}
class Buffer extends U8 {
  constructor(a, b, c) {
    const source = checkedSource(U8, 1, a, arguments.length > 0);
    if (b === undefined) super(source); else if (c === undefined) super(source, b); else super(source, b, c);
  }
  static alloc(size, fill, encoding) {
    if (typeof size !== 'number' || size < 0 || size !== size) throw new RangeErrorCtor('The "size" argument must be a non-negative number.');
    const b = new Buffer(size);
    if (fill !== undefined && fill !== 0) b.fill(fill, 0, b.length, encoding);
    return b;
  }
  static allocUnsafe(size) { return Buffer.alloc(size); }
  static allocUnsafeSlow(size) { return Buffer.alloc(size); }
  static from(value, encodingOrOffset, length) {
    if (typeof value === 'string') {
      const bytes = stringToBytes(value, encodingOf(encodingOrOffset));
      const b = new Buffer(bytes.length);
      for (let i = 0; i < bytes.length; i++) b[i] = bytes[i];
      return b;
    }
    if (value instanceof ArrayBufferCtor) {
      const off = encodingOrOffset === undefined ? 0 : +encodingOrOffset;
      return new Buffer(value, off, length === undefined ? value.byteLength - off : +length);
    }
    if (value !== null && typeof value === 'object') {
      const src = isArray(value) || isView(value) || typeof value.length === 'number' ? value
        : value.type === 'Buffer' && isArray(value.data) ? value.data : undefined;
      if (src !== undefined) {
        const b = new Buffer(src.length >>> 0);
        for (let i = 0; i < b.length; i++) b[i] = src[i] & 255;
        return b;
      }
    }
    throw new TypeErrorCtor('The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object.');
  }
  static isBuffer(b) { return b instanceof Buffer; }
  static isEncoding(e) { return typeof e === 'string' && typeof ENCODING_NAMES[apply(toLower, e, [])] === 'string'; }
  static byteLength(value, encoding) {
    if (typeof value === 'string') return stringToBytes(value, encodingOf(encoding)).length;
    if (isView(value) || value instanceof ArrayBufferCtor) return value.byteLength;
    throw new TypeErrorCtor('The "string" argument must be of type string or an instance of Buffer or ArrayBuffer.');
  }
  static concat(list, totalLength) {
    if (!isArray(list)) throw new TypeErrorCtor('The "list" argument must be an instance of Array.');
    let total = 0;
    for (let i = 0; i < list.length; i++) total += list[i].length;
    const b = Buffer.alloc(totalLength === undefined ? total : totalLength);
    let at = 0;
    for (let i = 0; i < list.length && at < b.length; i++) { const part = list[i]; for (let k = 0; k < part.length && at < b.length; k++) b[at++] = part[k]; }
    return b;
  }
  static compare(a, b) { return Buffer.prototype.compare.call(a, b); }
  toString(encoding, start, end) {
    const s = clampIndex(start, 0, this.length), e = clampIndex(end, this.length, this.length);
    return bytesToString(e <= s ? new U8(0) : new U8(this.buffer, this.byteOffset + s, e - s), encodingOf(encoding));
  }
  toJSON() { const data = []; for (let i = 0; i < this.length; i++) data[i] = this[i]; const o = create(ObjectCtor.prototype); o.type = 'Buffer'; o.data = data; return o; }
  equals(other) { return this.compare(other) === 0; }
  compare(target) {
    if (!(target instanceof U8)) throw new TypeErrorCtor('The "target" argument must be an instance of Buffer or Uint8Array.');
    const n = mathMin(this.length, target.length);
    for (let i = 0; i < n; i++) if (this[i] !== target[i]) return this[i] < target[i] ? -1 : 1;
    return this.length === target.length ? 0 : this.length < target.length ? -1 : 1;
  }
  copy(target, targetStart, sourceStart, sourceEnd) {
    const ts = targetStart === undefined ? 0 : +targetStart, ss = sourceStart === undefined ? 0 : +sourceStart;
    const se = sourceEnd === undefined ? this.length : mathMin(+sourceEnd, this.length);
    let n = 0;
    for (let i = ss; i < se && ts + n < target.length; i++, n++) target[ts + n] = this[i];
    return n;
  }
  slice(start, end) { return this.subarray(start, end); }
  write(string, offset, length, encoding) {
    if (typeof offset === 'string') { encoding = offset; offset = 0; length = undefined; }
    else if (typeof length === 'string') { encoding = length; length = undefined; }
    const at = offset === undefined ? 0 : +offset;
    const bytes = stringToBytes(StringCtor(string), encodingOf(encoding));
    const n = mathMin(bytes.length, this.length - at, length === undefined ? bytes.length : +length);
    for (let i = 0; i < n; i++) this[at + i] = bytes[i];
    return n;
  }
  fill(value, offset, end, encoding) {
    if (typeof offset === 'string') { encoding = offset; offset = 0; end = this.length; }
    const s = offset === undefined ? 0 : +offset, e = end === undefined ? this.length : +end;
    const bytes = typeof value === 'string' ? stringToBytes(value, encodingOf(encoding)) : isView(value) ? new U8(value.buffer, value.byteOffset, value.byteLength) : null;
    if (bytes === null) { for (let i = s; i < e; i++) this[i] = value & 255; return this; }
    if (bytes.length === 0) { for (let i = s; i < e; i++) this[i] = 0; return this; }
    for (let i = s, k = 0; i < e; i++, k = (k + 1) % bytes.length) this[i] = bytes[k];
    return this;
  }
  indexOf(value, byteOffset, encoding) {
    const needle = typeof value === 'number' ? [value & 255] : typeof value === 'string' ? stringToBytes(value, encodingOf(encoding)) : value;
    let from = byteOffset === undefined ? 0 : +byteOffset;
    if (from < 0) from = mathMax(this.length + from, 0);
    for (let i = from; i + needle.length <= this.length; i++) {
      let k = 0;
      while (k < needle.length && this[i + k] === needle[k]) k++;
      if (k === needle.length) return i;
    }
    return -1;
  }
  includes(value, byteOffset, encoding) { return this.indexOf(value, byteOffset, encoding) !== -1; }
}
function checkOffset(buf, offset, size) {
  const at = offset === undefined ? 0 : offset;
  if (typeof at !== 'number' || at !== at || at < 0 || at + size > buf.length || at % 1 !== 0) {
    throw new RangeErrorCtor('The value of "offset" is out of range. It must be >= 0 and <= ' + (buf.length - size) + '. Received ' + StringCtor(at));
  }
  return at;
}
const DataViewCtor = DataView;
function view(buf) { return new DataViewCtor(buf.buffer, buf.byteOffset, buf.byteLength); }
const ACCESSORS = [['UInt8', 'Uint8', 1], ['Int8', 'Int8', 1], ['UInt16LE', 'Uint16', 2, true], ['UInt16BE', 'Uint16', 2, false], ['Int16LE', 'Int16', 2, true], ['Int16BE', 'Int16', 2, false],
  ['UInt32LE', 'Uint32', 4, true], ['UInt32BE', 'Uint32', 4, false], ['Int32LE', 'Int32', 4, true], ['Int32BE', 'Int32', 4, false],
  ['FloatLE', 'Float32', 4, true], ['FloatBE', 'Float32', 4, false], ['DoubleLE', 'Float64', 8, true], ['DoubleBE', 'Float64', 8, false],
  ['BigUInt64LE', 'BigUint64', 8, true], ['BigUInt64BE', 'BigUint64', 8, false], ['BigInt64LE', 'BigInt64', 8, true], ['BigInt64BE', 'BigInt64', 8, false]];
for (const [name, dv, size, little] of ACCESSORS) {
  const getter = DataViewCtor.prototype['get' + dv], setter = DataViewCtor.prototype['set' + dv];
  const read = function (offset) { const at = checkOffset(this, offset, size); return apply(getter, view(this), [at, little === true]); };
  const write = function (value, offset) { const at = checkOffset(this, offset, size); apply(setter, view(this), [at, value, little === true]); return at + size; };
  for (const n of [name, apply(strReplace, name, ['UInt', 'Uint'])]) {
    defineProperty(Buffer.prototype, 'read' + n, { value: read, writable: true, configurable: true });
    defineProperty(Buffer.prototype, 'write' + n, { value: write, writable: true, configurable: true });
  }
}
defineGlobal('Buffer', Buffer);
const bufferModule = create(ObjectCtor.prototype);
bufferModule.Buffer = Buffer;
freeze(bufferModule);

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
    // Runtime 2.0: without an encoding, digest() returns a Buffer.
    return encoding === undefined ? Buffer.from(latin1ToBytes(r)) : r;
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
  if (name === 'buffer') return bufferModule;
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

// ---- every evaluation starts from the state the context had before any function code ran ----
// At the edge each connection is evaluated with no state from earlier evaluations. Top-level code already re-runs
// per evaluation (runtime/source-transform.ts), so state could only outlive an evaluation in objects the context
// shares: the built-ins, the prelude's objects and the global object. A fresh context per evaluation costs
// milliseconds, and comparing the shared objects after each one costs more than the evaluation itself; instead
// seal() freezes every shared object once, and locks the global object's own properties, so that what an
// evaluation can still change is only what it adds to the global object. pristine() sees that in a few
// operations, and the worker then replaces the context (runtime/sandbox-worker-program.ts).
// Frozen prototypes would turn an ordinary assignment such as this.name = 'X' in an Error subclass into a
// TypeError (an inherited read-only property cannot be shadowed by assignment): the properties code commonly
// shadows that way become accessors whose setter gives the object its own property, as before.
const ownKeys = Reflect.ownKeys, getProto = ObjectCtor.getPrototypeOf, isExtensible = ObjectCtor.isExtensible;
const hasOwn = ObjectCtor.hasOwn, isFrozen = ObjectCtor.isFrozen;
const regexpExec = RegExp.prototype.exec, legacyReset = /(?:)/;
const SHADOWED = ['constructor', 'toString', 'valueOf', 'toLocaleString', 'toJSON', 'name', 'message'];
let globalProto = null, globalKeyCount = -1;
/** Objects reachable from nothing but syntax (iterators, generators, async functions) whose prototypes are shared. */
function syntaxRoots() {
  const roots = [];
  const tries = [
    function () { return [][symIterator](); }, function () { return ''[symIterator](); },
    function () { return new Map()[symIterator](); }, function () { return new Set()[symIterator](); },
    function () { return apply(RegExp.prototype[Symbol.matchAll], /(?:)/g, ['']); },
    function () { return function* () {}; }, function () { return (function* () {})(); },
    function () { return async function () {}; }, function () { return async () => {}; },
    function () { return async function* () {}; }, function () { return (async function* () {})(); },
    function () { return G.Iterator.from({ next: function () { return { done: true }; } }); },
    function () { return [][symIterator]().map(function (x) { return x; }); },
    function () { return (function () { return arguments; })(); },
  ];
  for (let i = 0; i < tries.length; i++) { try { roots[roots.length] = tries[i](); } catch (e) { /* not in this engine */ } }
  return roots;
}
function allowShadowing(proto, key) {
  const d = getOwnDescriptor(proto, key);
  if (d === undefined || !hasOwn(d, 'value') || d.writable !== true || d.configurable !== true) return;
  const value = d.value;
  // Methods, not function expressions: these accessors are made after seal() walked the shared objects, so a
  // 'prototype' object of theirs would be the one shared object left unfrozen, a place for state between evaluations.
  const pair = {
    get() { return value; },
    set(v) {
      if (this === proto) throw new TypeErrorCtor("Cannot assign to read only property '" + StringCtor(key) + "' of a built-in object");
      defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true });
    },
  };
  const get = pair.get, set = pair.set;
  freeze(get); freeze(set);
  defineProperty(proto, key, { get: get, set: set, enumerable: d.enumerable, configurable: false });
}
function seal() {
  const seen = new Set(), list = [], prototypes = new Set();
  function add(o) { if (isObject(o) && !seen.has(o)) { seen.add(o); list[list.length] = o; } }
  add(G); add(bufferModule); add(cryptoModule); add(qsModule); add(wrapper);
  const roots = syntaxRoots();
  for (let i = 0; i < roots.length; i++) add(roots[i]);
  for (let i = 0; i < list.length; i++) {
    const o = list[i], proto = getProto(o);
    if (proto !== null) prototypes.add(proto);
    add(proto);
    const keys = ownKeys(o);
    for (let j = 0; j < keys.length; j++) {
      const d = getOwnDescriptor(o, keys[j]);
      if (hasOwn(d, 'value')) { add(d.value); if (keys[j] === 'prototype' && typeof o === 'function') prototypes.add(d.value); }
      else { add(d.get); add(d.set); }
    }
  }
  for (const proto of prototypes) {
    if (proto === G || isFrozen(proto)) continue;
    for (let j = 0; j < SHADOWED.length; j++) allowShadowing(proto, SHADOWED[j]);
  }
  for (let i = 0; i < list.length; i++) if (list[i] !== G) freeze(list[i]);
  // The global object stays extensible (code may add globals for the length of one evaluation); what it had is locked.
  const keys = ownKeys(G);
  for (let j = 0; j < keys.length; j++) {
    const d = getOwnDescriptor(G, keys[j]);
    if (d.configurable !== true) continue;
    if (hasOwn(d, 'value')) defineProperty(G, keys[j], { writable: false, configurable: false });
    else defineProperty(G, keys[j], { configurable: false });
  }
  globalProto = getProto(G);
  globalKeyCount = ownKeys(G).length;
  return list.length;
}
/** Whether the shared state is as seal() left it: everything else is frozen, so only the global object can differ. */
function pristine() {
  return globalKeyCount >= 0 && isExtensible(G) && getProto(G) === globalProto && ownKeys(G).length === globalKeyCount;
}
function invoke(callId, connectionJson, nowMs, deadlineMs, hasKvs, memoryLimitBytes) {
  // RegExp.input, RegExp.$1 and the other legacy statics hold the last match of the context: start from one known match.
  apply(regexpExec, legacyReset, ['']);
  currentCall = callId; frozenNow = nowMs; deadline = deadlineMs; ops = 0; aborted = null; bufferBytes = 0; nextBufferCheck = 0;
  memoryLimit = memoryLimitBytes; callBridge(bridge.memoryStart, [memoryLimitBytes]);
  let decision = null, finished = false;
  function finish(kind, message) {
    if (finished) return;
    finished = true;
    if (aborted !== null) { kind = 'error'; message = aborted; }
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
api.seal = seal;
api.pristine = pristine;
api.settle = settle;
// The limit the current run hit, also when it was hit after the decision (in work the function left queued).
api.aborted = function () { return aborted; };
return freeze(api);
})`;
