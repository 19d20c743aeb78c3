/**
 * Where `--logs` points: one file, a folder (every regular file under it, in name order; CloudFront's S3 delivery
 * nests logs in date folders), or `s3://bucket/prefix` (every object under the prefix, through the S3 client). Each
 * log is streamed, never read whole.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { UserError } from '../../diagnostics/user-error';
import { printable } from '../../diagnostics/untrusted-text';

/** One log file: its name (for line reports) and its bytes. */
export interface LogFile { name: string; chunks: AsyncIterable<Uint8Array> }

/** Files (or objects) one replay reads at most: a prefix that lists more is the wrong prefix. */
export const MAX_LOG_FILES = 100_000;
/** Folder depth followed under a logs folder (date folders are 4 deep). */
const MAX_DEPTH = 8;
/** Time one S3 request may take before the replay stops with an error. */
const S3_TIMEOUT_MS = 60_000;
/** Time to stream one log object. */
const S3_OBJECT_TIMEOUT_MS = 15 * 60_000;

const READ_CHUNK = 256 * 1024;

function badSource(spec: string, what: string, fix: string): UserError {
  return new UserError(printable(spec), what, fix);
}

/**
 * A regular file's bytes, streamed from the descriptor that was checked: a path swapped for a pipe after the check
 * cannot block the replay (revocation/source-file.ts explains the same for CRL files).
 */
async function* fileChunks(file: string): AsyncGenerator<Uint8Array> {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    if (!fs.fstatSync(fd).isFile()) throw badSource(file, 'is not a regular file (it changed since it was listed)', 'pass connection-log files or a folder of them');
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    for (;;) {
      const n = await new Promise<number>((resolve, reject) => fs.read(fd, buf, 0, READ_CHUNK, null, (e, read) => (e ? reject(e) : resolve(read))));
      if (n === 0) return;
      yield Buffer.from(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
}

function listFolder(dir: string, depth: number, out: string[]): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    // Symbolic links are not followed: a link out of the logs folder (or a loop) is not a log.
    if (entry.isDirectory() && depth < MAX_DEPTH) listFolder(full, depth + 1, out);
    else if (entry.isFile()) out.push(full);
    if (out.length > MAX_LOG_FILES) throw badSource(dir, `holds more than ${MAX_LOG_FILES} files`, 'point --logs at the folder of the days to replay');
  }
}

/** Checks that `spec` names something readable; throws UserError (exit 2) before anything runs. */
export function checkLogSource(spec: string): void {
  if (/^s3:\/\//i.test(spec)) {
    if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/i.test(spec)) throw badSource(spec, 'not an s3://bucket/prefix URL', 'write e.g. s3://my-logs/cloudfront/E1NXS4MQZH501R/');
    return;
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(spec);
  } catch {
    throw badSource(spec, 'no such log file or folder', 'pass a connection-log file (JSON lines), a folder of them, or s3://bucket/prefix');
  }
  if (!st.isFile() && !st.isDirectory()) throw badSource(spec, 'is neither a regular file nor a folder', 'pass a connection-log file, a folder of them, or s3://bucket/prefix');
}

/** The logs `spec` names, one after the other. `s3` is needed only for an s3:// source. */
export async function* openLogSource(spec: string, s3?: () => S3Client): AsyncGenerator<LogFile> {
  checkLogSource(spec);
  if (/^s3:\/\//i.test(spec)) {
    if (!s3) throw badSource(spec, 'S3 logs need an S3 client', 'run conngate replay with the stage\'s AWS access (or --endpoint)');
    yield* s3Logs(spec, s3());
    return;
  }
  if (fs.statSync(spec).isFile()) {
    yield { name: spec, chunks: fileChunks(spec) };
    return;
  }
  const files: string[] = [];
  listFolder(spec, 0, files);
  for (const f of files) yield { name: f, chunks: fileChunks(f) };
}

function s3Failure(spec: string, op: string, e: unknown): UserError {
  const err = e as Error;
  const fix = /NoSuchBucket|NotFound/.test(err.name) ? 'check the bucket and prefix of --logs'
    : /AccessDenied|Credentials|Forbidden/i.test(err.name) ? 'check the AWS credentials and their s3:ListBucket / s3:GetObject permissions'
      : 'check --endpoint / CONNGATE_ENDPOINT and the network';
  return new UserError(printable(spec), `${op} failed: ${printable(err.name ?? 'Error')}: ${printable((err.message ?? '').split('\n')[0])}`, fix, 1);
}

async function* s3Logs(spec: string, client: S3Client): AsyncGenerator<LogFile> {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(spec)!;
  const bucket = m[1];
  const prefix = m[2];
  let token: string | undefined;
  let listed = 0;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }),
      { abortSignal: AbortSignal.timeout(S3_TIMEOUT_MS) }).catch((e) => { throw s3Failure(spec, 'ListObjectsV2', e); });
    for (const o of page.Contents ?? []) {
      if (!o.Key || o.Key.endsWith('/')) continue;
      if (++listed > MAX_LOG_FILES) throw badSource(spec, `lists more than ${MAX_LOG_FILES} objects`, 'point --logs at the prefix of the days to replay');
      const key = o.Key;
      yield { name: `s3://${bucket}/${key}`, chunks: s3Object(spec, client, bucket, key) };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

async function* s3Object(spec: string, client: S3Client, bucket: string, key: string): AsyncGenerator<Uint8Array> {
  // The deadline covers the body too, so it is the time to stream one object, not to answer.
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: AbortSignal.timeout(S3_OBJECT_TIMEOUT_MS) })
    .catch((e) => { throw s3Failure(spec, `GetObject ${key}`, e); });
  try {
    yield* out.Body as AsyncIterable<Uint8Array>;
  } catch (e) {
    // Cut off while streaming: the replay stops (exit 1) rather than judge half a log.
    throw s3Failure(spec, `reading ${key}`, e);
  }
}
