import type { IncomingMessage } from 'node:http';
import type { MemoryBudget } from './memory-budget';

export type BodyOutcome =
  /** `release` gives the body's bytes back to the budget: call it once the request is answered. */
  | { kind: 'body'; body: Buffer; release: () => void }
  /** Over the limit: nothing kept; `drained` says whether the rest of the request was read (and discarded). */
  | { kind: 'too-large'; drained: boolean }
  /** The budget shared by all requests had no room for this body: nothing kept (retry later); `drained` as above. */
  | { kind: 'over-budget'; drained: boolean };

/**
 * Chunks smaller than this are copied together into buffers of this size. Node hands over each chunk of a chunked
 * body as an object of its own (some 170 bytes of heap), so a body of one-byte chunks kept chunk by chunk would
 * cost the emulator over a hundred times the bytes the budget counts. A buffer's whole size is counted.
 */
const STAGE_BYTES = 16 * 1024;

/** Content-Length as a number, or undefined when absent (chunked) or not a plain decimal. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const v = req.headers['content-length'];
  return v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : undefined;
}

/**
 * Reads a request body of at most `limit` bytes. A larger body is read on and thrown away, up to `drainLimit`
 * bytes in all, so that the client, which is still sending, can read the error response instead of meeting a
 * reset connection; past that the caller answers and closes the connection. Rejects when the client goes away.
 */
export function readBody(req: IncomingMessage, limit: number, drainLimit: number, budget?: MemoryBudget): Promise<BodyOutcome> {
  const declared = declaredLength(req) ?? 0;
  // More than would ever be drained: answer at once rather than wait (up to the request timeout) for bytes that
  // will be thrown away anyway.
  if (declared > limit && declared > drainLimit) {
    req.pause();
    return Promise.resolve({ kind: 'too-large', drained: false });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > limit;
    let overBudget = false;
    /** Bytes taken from the budget for the chunks kept. */
    let reserved = 0;
    /** Where small chunks are copied; its filled part is the last of `chunks`. */
    let stage: Buffer | undefined;
    let staged = 0;
    const take = (n: number): boolean => {
      if (budget && !budget.tryReserve(n)) return false;
      reserved += n;
      return true;
    };
    /** Keeps a chunk; false (nothing kept) when the budget has no room for it. */
    const keep = (c: Buffer): boolean => {
      if (c.length >= STAGE_BYTES) {
        if (!take(c.length)) return false;
        stage = undefined;
        chunks.push(c);
        return true;
      }
      if (!stage || staged + c.length > stage.length) {
        // No bigger than the rest of a declared body: a small request costs what it sends.
        const room = declared > 0 ? Math.max(c.length, Math.min(STAGE_BYTES, declared - (size - c.length))) : STAGE_BYTES;
        if (!take(room)) return false;
        stage = Buffer.allocUnsafeSlow(room);
        staged = 0;
        chunks.push(stage.subarray(0, 0));
      }
      c.copy(stage, staged);
      staged += c.length;
      chunks[chunks.length - 1] = stage.subarray(0, staged);
      return true;
    };
    let settled = false;
    const giveBack = () => {
      budget?.release(reserved);
      reserved = 0;
    };
    const finish = (o: BodyOutcome | Error) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('close', onClose);
      if (o instanceof Error || o.kind !== 'body') giveBack();
      if (o instanceof Error) reject(o);
      else resolve(o);
    };
    const refusal = (drained: boolean): BodyOutcome => (tooLarge ? { kind: 'too-large', drained } : { kind: 'over-budget', drained });
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) tooLarge = true;
      // A body is kept only while the budget shared by every request has room for it (the bytes are counted as
      // they arrive, so neither a false Content-Length nor a chunked body gets past it).
      if (!tooLarge && !overBudget && !keep(c)) overBudget = true;
      if (tooLarge || overBudget) {
        chunks.length = 0;
        stage = undefined;
        giveBack();
        if (size > drainLimit) {
          req.pause();
          finish(refusal(false));
        }
        return;
      }
    };
    req.on('data', onData);
    req.once('end', () => {
      if (tooLarge || overBudget) return finish(refusal(true));
      const held = reserved;
      let released = false;
      finish({ kind: 'body', body: Buffer.concat(chunks), release: () => {
        if (released) return;
        released = true;
        budget?.release(held);
      } });
    });
    req.once('error', (err) => finish(err));
    const onClose = () => finish(new Error('the client closed the connection before the request was complete'));
    req.once('close', onClose);
  });
}

/** Reads and throws away what is left of a request (at most `drainLimit` bytes); true when it all arrived. */
export async function discardBody(req: IncomingMessage, drainLimit: number): Promise<boolean> {
  if (req.complete) return true;
  try {
    const o = await readBody(req, 0, drainLimit);
    if (o.kind === 'body') o.release();
    return o.kind === 'body' || o.drained;
  } catch {
    return false;
  }
}
