/**
 * Reads CloudFront connection logs as JSON lines, one record per line, streaming: a log of any size, or one line of
 * a gigabyte, is read in bounded memory. Logs are untrusted input (anyone who can write to the bucket or folder
 * writes them), so every line that is not a record is reported by its number and never stops the reading.
 *
 * Only the JSON output format is read. The other delivery formats (plain, w3c, raw, Parquet) are recognised and
 * reported as unsupported, line by line, rather than guessed at: their field order depends on the delivery's field
 * selection, which the lines themselves do not carry reliably.
 */
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { printable } from '../diagnostics/untrusted-text';
import { CONNECTION_LOG_FIELDS, type ConnectionLogRecord } from './connection-log-record';

/**
 * Longest line read as a record. A CloudFront record is well under 4 KiB (custom data is capped at 800 bytes, DNs
 * are short); longer lines are skipped while they stream, so they cost no memory.
 */
export const MAX_LOG_LINE_BYTES = 64 * 1024;

/** Longest value of one field: no field CloudFront writes comes close. */
export const MAX_LOG_FIELD_CHARS = 8 * 1024;

/** One line of a log: a record, or why the line is not one. `line` counts from 1 within its file. */
export type ConnectionLogLine =
  | { file: string; line: number; record: ConnectionLogRecord }
  | { file: string; line: number; problem: string };

const NUMERIC_FIELDS = new Set<string>(['eventTimestamp', 'clientPort', 'tlsHandshakeDuration']);
const KNOWN_FIELDS = new Set<string>(CONNECTION_LOG_FIELDS);

/** The start of an untrusted line, safe to print in one line. */
function excerpt(text: string): string {
  const cut = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return JSON.stringify(printable(cut));
}

/**
 * A JSON record's known fields, type-checked. `-` and null mean "not delivered" (the other formats write `-` for an
 * empty field; JSON deliveries are assumed to do the same, unconfirmed). Unknown fields are ignored, so a delivery
 * with fields added after this reader was written still replays.
 */
export function checkLogRecord(value: unknown): { record: ConnectionLogRecord } | { problem: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { problem: 'is JSON but not an object (a record is one JSON object per line)' };
  const record: Record<string, string | number> = {};
  const fields = value as Record<string, unknown>;
  for (const name in fields) {
    if (!KNOWN_FIELDS.has(name)) continue;
    const v = fields[name];
    if (v === null || v === '-' || v === undefined) continue;
    if (NUMERIC_FIELDS.has(name)) {
      // Numbers may come as numeric text (the w3c forms write everything as text).
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,16}(\.\d{1,6})?$/.test(v) ? Number(v) : NaN;
      if (!Number.isFinite(n) || n < 0) return { problem: `field ${name} is ${excerpt(JSON.stringify(v) ?? String(v))}, not a number` };
      record[name] = n;
    } else {
      if (typeof v !== 'string') return { problem: `field ${name} is a ${Array.isArray(v) ? 'list' : typeof v}, not text` };
      if (v.length > MAX_LOG_FIELD_CHARS) return { problem: `field ${name} is ${v.length} characters, longer than any CloudFront writes (${MAX_LOG_FIELD_CHARS})` };
      record[name] = v;
    }
  }
  return { record: record as ConnectionLogRecord };
}

/** Why a decoded line is not a JSON record: the format it looks like, when it looks like one. */
function notJson(text: string, lineNo: number): string {
  if (lineNo === 1 && text.startsWith('PAR1')) return 'is a Parquet file: unsupported (deliver connection logs as JSON)';
  if (/^#(Version|Fields):/.test(text)) return 'is a w3c header line: the w3c format is unsupported (deliver connection logs as JSON)';
  if (text.includes('\t')) return `is tab-separated text (w3c, plain or raw format?): unsupported (deliver connection logs as JSON): ${excerpt(text)}`;
  return `is not a JSON record (unsupported format): ${excerpt(text)}`;
}

function parseLine(bytes: Buffer, file: string, line: number): ConnectionLogLine | undefined {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return { file, line, problem: 'is not valid UTF-8' };
  }
  if (text.endsWith('\r')) text = text.slice(0, -1);
  if (text.trim() === '') return undefined;
  const t = text.trimStart();
  if (!t.startsWith('{')) return { file, line, problem: notJson(t, line) };
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    return { file, line, problem: `is not valid JSON (truncated or mixed with another format?): ${excerpt(t)}` };
  }
  const checked = checkLogRecord(value);
  return 'record' in checked ? { file, line, record: checked.record } : { file, line, problem: checked.problem };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Most bytes a gzipped log may expand to per compressed byte. Records compress about 11 times (each carries a
 * random connectionId), about 75 in a delivery without connectionId or clientPort from one client; gzip reaches
 * about 1,000 on repeated bytes, so one megabyte in the bucket could cost a gigabyte of reading. Beyond this ratio
 * (plus MAX_LOG_LINE_BYTES of slack) the rest of the file is skipped and reported.
 */
export const MAX_GZIP_RATIO = 250;

/** Thrown by `decompressed` when a file expands beyond MAX_GZIP_RATIO; reported like a broken stream. */
const GZIP_BOMB = 'Z_CONNGATE_RATIO';

/** The bytes as they are, or gunzipped when they start with gzip's magic (S3 deliveries are often .gz). */
async function* decompressed(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  const it = chunks[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = Buffer.from(first.value);
  let compressed = 0;
  const rest = async function* (): AsyncGenerator<Buffer> {
    try {
      compressed += head.length;
      yield head;
      for (let n = await it.next(); !n.done; n = await it.next()) {
        compressed += n.value.length;
        yield Buffer.from(n.value);
      }
    } finally {
      // Stopped early (a broken or expanding gzip stream): the source closes its file or download.
      await it.return?.();
    }
  };
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    let expanded = 0;
    const source = Readable.from(rest());
    try {
      for await (const out of source.pipe(createGunzip()) as AsyncIterable<Buffer>) {
        expanded += out.length;
        if (expanded > compressed * MAX_GZIP_RATIO + MAX_LOG_LINE_BYTES) {
          throw Object.assign(new Error(`expands more than ${MAX_GZIP_RATIO} times (a gzip bomb?): the rest of the file is skipped`), { code: GZIP_BOMB });
        }
        yield out;
      }
    } finally {
      source.destroy();
    }
  } else {
    yield* rest();
  }
}

/**
 * The lines of one log file (its bytes as `chunks`), each as a record or a problem, in order. Blank lines are no
 * records and not reported. Never throws for what the bytes hold; a broken gzip stream ends the file with one
 * problem line.
 */
export async function* readConnectionLog(chunks: AsyncIterable<Uint8Array>, file: string): AsyncGenerator<ConnectionLogLine> {
  let parts: Buffer[] = [];
  let held = 0;
  /** Bytes of the current line while it is over the limit (its bytes are dropped, only counted). */
  let overBy = -1;
  let line = 1;
  const finish = (): ConnectionLogLine | undefined => {
    if (overBy >= 0) return { file, line, problem: `is ${held + overBy} bytes, longer than the ${MAX_LOG_LINE_BYTES} a record can be: skipped` };
    return parseLine(parts.length === 1 ? parts[0] : Buffer.concat(parts), file, line);
  };
  /** `copy`: the piece is the tail of a chunk, which must not keep the whole chunk alive. */
  const take = (piece: Buffer, copy = false) => {
    if (overBy >= 0) { overBy += piece.length; return; }
    if (held + piece.length > MAX_LOG_LINE_BYTES) { overBy = piece.length; parts = []; return; }
    parts.push(copy ? Buffer.from(piece) : piece);
    held += piece.length;
  };
  try {
    for await (const chunk of decompressed(chunks)) {
      let from = 0;
      for (let nl = chunk.indexOf(10, from); nl >= 0; nl = chunk.indexOf(10, from)) {
        take(chunk.subarray(from, nl));
        const out = finish();
        if (out) yield out;
        parts = [];
        held = 0;
        overBy = -1;
        line++;
        from = nl + 1;
      }
      if (from < chunk.length) take(chunk.subarray(from), true);
    }
  } catch (e) {
    // A broken compressed stream is what the file holds: reported like a bad line. Any other failure is the source
    // failing (a download cut off, a disk error): the caller must not take a half-read log for a whole one.
    if (!String((e as NodeJS.ErrnoException)?.code ?? '').startsWith('Z_')) throw e;
    yield { file, line, problem: `cannot be read: ${printable(String((e as Error)?.message ?? e))}` };
    return;
  }
  if (held > 0 || overBy >= 0) {
    const out = finish();
    if (out) yield out;
  }
}
