import { createHash, createHmac } from 'node:crypto';
import * as querystring from 'node:querystring';
import * as vm from 'node:vm';
import { UserError } from '../diagnostics/user-error';
import { DEFAULT_TIMEOUT_MS, EXECUTION_BUDGET_MS, MAX_CUSTOM_DATA_BYTES, MAX_LOG_BYTES } from './limits';
import { SANDBOX_PRELUDE } from './sandbox-prelude';
import { transformSource } from './source-transform';
import type { ConnectionRunResult, KvsBackend, RunOptions } from './types';

const preludeScript = new vm.Script(SANDBOX_PRELUDE, { filename: 'conngate-runtime-prelude.js' });

interface SandboxApi {
  setWrapper(w: unknown): void;
  invoke(callId: number, connectionJson: string, nowMs: number, deadlineMs: number, hasKvs: boolean): void;
  settle(ticket: number, status: number, payload: string | undefined): void;
}

interface CallState {
  id: number;
  kvs?: KvsBackend;
  logs: CappedLines;
  customData: CappedLines;
  finished: boolean;
  decision: 'allow' | 'deny' | 'error';
  errorMessage?: string;
  pendingOps: number;
  deadlineMs: number;
  wake?: () => void;
  timer?: NodeJS.Timeout;
}

/** Output lines with a per-connection byte budget (logs, custom data). */
interface CappedLines {
  lines: string[];
  bytes: number;
}

/** Cuts a string to at most `maxBytes` of UTF-8 without splitting a character. */
function cutUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  const buf = Buffer.from(s, 'utf8').subarray(0, Math.max(0, maxBytes));
  return buf.toString('utf8').replace(/\uFFFD$/, '');
}

/** Appends `text` as far as `maxBytes` in total allows; output past the budget is dropped, as at the edge. */
function appendCapped(out: CappedLines, text: string, maxBytes: number): void {
  if (out.bytes >= maxBytes) return;
  const cut = cutUtf8(text, maxBytes - out.bytes);
  out.bytes += Buffer.byteLength(cut, 'utf8');
  out.lines.push(cut);
}

let nextCallId = 1;
let nextTicket = 1;

/**
 * A connection function compiled once into its own sandbox context. Reused for every run of the same code:
 * the top-level code re-runs per connection inside a wrapper function, so top-level variables start fresh each
 * time, while the context (built-ins, the driver) is built only once.
 */
export class CompiledConnectionFunction {
  /** SHA-256 (hex) of the function code: the candidate id. */
  readonly sha256: string;
  /** Where the code came from (file path), used in messages. */
  readonly where: string;
  /** Code size in UTF-8 bytes. */
  readonly sizeBytes: number;

  private readonly api: SandboxApi;
  private current: CallState | undefined;
  private valueSlot: string | number | undefined;
  private busy = false;
  private readonly waiting: Array<() => void> = [];

  /** @internal use compileConnectionFunction(), which caches by code hash. */
  constructor(code: string, where: string, sha256: string) {
    const { wrapperSource, sizeBytes } = transformSource(code, where);
    this.sha256 = sha256;
    this.where = where;
    this.sizeBytes = sizeBytes;
    // A null-prototype global: with a host `{}` the global's prototype chain would reach the host Object and,
    // through it, the host Function constructor.
    const context = vm.createContext(Object.create(null), {
      name: `connection function ${where}`,
      codeGeneration: { strings: false, wasm: false },
    });
    let wrapper: unknown;
    try {
      const script = new vm.Script(wrapperSource, { filename: where });
      wrapper = script.runInContext(context);
    } catch (err) {
      const e = err as Error;
      throw new UserError(where, `does not compile: ${e.name}: ${e.message}`, 'fix the function code at the reported position');
    }
    const makeApi = preludeScript.runInContext(context) as (bridge: object) => SandboxApi;
    this.api = makeApi(this.makeBridge());
    this.api.setWrapper(wrapper);
  }

  /** Host functions the driver calls; each returns primitives only and never throws into the sandbox. */
  private makeBridge(): object {
    const self = this;
    const live = (callId: number): CallState | undefined => (self.current && self.current.id === callId && !self.current.finished ? self.current : undefined);
    return {
      log(callId: number, text: string): void {
        const st = live(callId);
        if (st) appendCapped(st.logs, text, MAX_LOG_BYTES);
      },
      customData(callId: number, text: string): void {
        const st = live(callId);
        if (st) appendCapped(st.customData, text, MAX_CUSTOM_DATA_BYTES);
      },
      done(callId: number, decision: 'allow' | 'deny' | 'error', message: string): void {
        const st = self.current && self.current.id === callId ? self.current : undefined;
        if (!st || st.finished) return;
        self.finish(st, decision, decision === 'error' ? message : undefined);
      },
      value(): string | number | undefined {
        const v = self.valueSlot;
        self.valueSlot = undefined;
        return v;
      },
      kvs(callId: number, op: 'get' | 'meta', key: string): number {
        const st = live(callId);
        if (!st || !st.kvs) { self.valueSlot = 'KeyValueStore is not available'; return 2; }
        let r: unknown;
        try {
          if (op === 'meta') {
            if (!st.kvs.meta) { self.valueSlot = 'KeyValueStore metadata is not available'; return 2; }
            r = st.kvs.meta();
          } else r = st.kvs.get(key);
        } catch (err) {
          return self.encode(op, undefined, true, err);
        }
        if (r !== null && typeof r === 'object' && typeof (r as PromiseLike<unknown>).then === 'function') {
          const ticket = nextTicket++;
          st.pendingOps++;
          self.armTimer(st);
          Promise.resolve(r as PromiseLike<unknown>).then(
            (v) => self.settle(st, ticket, op, v, false, undefined),
            (err) => self.settle(st, ticket, op, undefined, true, err),
          );
          self.valueSlot = ticket;
          return 3;
        }
        return self.encode(op, r, false, undefined);
      },
      digest(alg: string, dataLatin1: string, keyLatin1: string | null, encoding: string): string {
        const data = Buffer.from(dataLatin1, 'latin1');
        const h = keyLatin1 === null ? createHash(alg) : createHmac(alg, Buffer.from(keyLatin1, 'latin1'));
        const digest = h.update(data).digest();
        return digest.toString(encoding as BufferEncoding);
      },
      qsParse(str: string, sep: string, eq: string): string {
        return JSON.stringify({ ...querystring.parse(str, sep, eq) });
      },
      qsStringify(json: string, sep: string, eq: string): string {
        return querystring.stringify(JSON.parse(json) as querystring.ParsedUrlQueryInput, sep, eq);
      },
      qsEscape(s: string): string { return querystring.escape(s); },
      qsUnescape(s: string): string { return querystring.unescape(s); },
    };
  }

  /** Turns a backend answer into a status code, leaving the payload in the value slot. */
  private encode(op: 'get' | 'meta', r: unknown, failed: boolean, err: unknown): number {
    if (failed) {
      this.valueSlot = `KeyValueStore request failed: ${(err as Error)?.message ?? String(err)}`;
      return 2;
    }
    if (op === 'meta') {
      const m = r as { creationDateTime?: unknown; lastUpdatedDateTime?: unknown; keyCount?: unknown } | undefined;
      this.valueSlot = JSON.stringify({ creationDateTime: String(m?.creationDateTime ?? ''), lastUpdatedDateTime: String(m?.lastUpdatedDateTime ?? ''), keyCount: Number(m?.keyCount ?? 0) });
      return 0;
    }
    if (r === undefined || r === null) { this.valueSlot = undefined; return 1; }
    this.valueSlot = String(r);
    return 0;
  }

  private settle(st: CallState, ticket: number, op: 'get' | 'meta', value: unknown, failed: boolean, err: unknown): void {
    st.pendingOps--;
    if (this.current !== st || st.finished) return;
    const status = this.encode(op, value, failed, err);
    const payload = this.valueSlot as string | undefined;
    this.valueSlot = undefined;
    this.api.settle(ticket, status, payload);
    if (!st.finished && st.pendingOps === 0) this.scheduleStallCheck(st);
  }

  private armTimer(st: CallState): void {
    if (st.timer) return;
    st.timer = setTimeout(() => {
      if (!st.finished) this.finish(st, 'error', 'execution time limit exceeded while waiting for the KeyValueStore');
    }, Math.max(1, st.deadlineMs - Date.now()));
  }

  /** After the microtask queue drains with nothing pending on the host, the handler can never settle. */
  private scheduleStallCheck(st: CallState): void {
    setImmediate(() => {
      if (!st.finished && st.pendingOps === 0 && this.current === st) {
        this.finish(st, 'error', 'connectionHandler returned a promise that never settled');
      }
    });
  }

  private finish(st: CallState, decision: 'allow' | 'deny' | 'error', errorMessage: string | undefined): void {
    st.finished = true;
    st.decision = decision;
    st.errorMessage = errorMessage;
    if (st.timer) clearTimeout(st.timer);
    st.wake?.();
  }

  /** Runs the function once against a connection object (or its JSON text). Runs of one function are serialized. */
  async run(connection: unknown, options: RunOptions = {}): Promise<ConnectionRunResult> {
    const json = typeof connection === 'string' ? connection : JSON.stringify(connection);
    if (typeof json !== 'string' || !/^\s*\{/.test(json)) {
      throw new UserError('connection object', 'must be a JSON object', 'pass an object like the documented connection object');
    }
    if (this.busy) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.busy = true;
    try {
      return await this.runExclusive(json, options);
    } finally {
      this.busy = false;
      const next = this.waiting.shift();
      if (next) next();
    }
  }

  private async runExclusive(json: string, options: RunOptions): Promise<ConnectionRunResult> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const nowMs = (options.now ?? new Date()).getTime();
    const st: CallState = {
      id: nextCallId++, kvs: options.kvs, logs: { lines: [], bytes: 0 }, customData: { lines: [], bytes: 0 },
      finished: false, decision: 'deny', pendingOps: 0, deadlineMs: Date.now() + timeoutMs,
    };
    this.current = st;
    const started = process.hrtime.bigint();
    try {
      this.api.invoke(st.id, json, nowMs, st.deadlineMs, options.kvs !== undefined);
    } catch (err) {
      // Only a malformed connection JSON can make the driver itself throw.
      this.finish(st, 'error', `invalid connection object: ${(err as Error)?.message ?? String(err)}`);
    }
    if (!st.finished) {
      await new Promise<void>((resolve) => {
        st.wake = resolve;
        if (st.finished) resolve();
        else if (st.pendingOps === 0) this.scheduleStallCheck(st);
      });
    }
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    this.current = undefined;
    const result: ConnectionRunResult = {
      decision: st.decision,
      logs: st.logs.lines,
      customData: st.customData.lines,
      computeUtilization: Math.round((durationMs / EXECUTION_BUDGET_MS) * 1000) / 10,
      durationMs,
    };
    if (st.errorMessage !== undefined) result.errorMessage = st.errorMessage;
    return result;
  }
}
