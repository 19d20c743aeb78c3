/**
 * The emulator's S3 subset, mounted under `/s3/`: what CRL sources and trust-store CA bundles need. Path-style
 * only (`/s3/<bucket>/<key>`): CreateBucket (PUT /s3/<bucket>), HeadBucket, ListObjectsV2 (GET /s3/<bucket>?list-type=2,
 * what a replay of connection logs under a prefix needs), PutObject, GetObject and HeadObject, with
 * ETag / Last-Modified and conditional GETs (If-None-Match, If-Modified-Since -> 304; If-Match ->
 * 412). Errors are S3's XML `<Error><Code/><Message/></Error>`. Like the rest of the emulator it accepts any
 * credentials. Clients: `createS3Client` in aws/clients.ts (endpoint `<emulator>/s3`, forcePathStyle).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mib, type MemoryBudget } from '../memory-budget';
import { readBody } from '../request-body';
import { ApiError, serviceError, writeError } from '../wire/api-error';
import { S3Buckets } from './s3-buckets';

/** Path prefix the subset answers under (errorShapeOfPath tells its requests apart). */
const S3_PATH_PREFIX = '/s3/';

/** Largest object accepted (CRLs of 1,000,000 entries are about 40 MB). */
const MAX_OBJECT_BYTES = 64 * 1024 * 1024;

/** An S3 error: `closeAfter` when the rest of the request was not read, so the connection cannot carry another one. */
class S3Error extends ApiError {
  constructor(code: string, status: number, message: string, readonly closeAfter = false) {
    super(code, status, message);
  }

  /** One of the emulator's own errors (api-error.ts), as S3 words it. */
  static of(kind: 'forbidden' | 'malformed' | 'too-large' | 'busy', message: string, closeAfter = false): S3Error {
    const e = serviceError(kind, 's3-xml', message);
    return new S3Error(e.code, e.status, e.message, closeAfter);
  }
}

/** How much of an oversized upload is read and thrown away so that the client gets the error, not a reset. */
const DRAIN_LIMIT_BYTES = 2 * MAX_OBJECT_BYTES;

/** Serves one S3 request; never rejects (errors become S3 error responses). */
export function handleS3Request(buckets: S3Buckets, req: IncomingMessage, res: ServerResponse, bodies: MemoryBudget,
  served: (operation: string) => void = () => undefined): Promise<void> {
  return serve(buckets, req, res, bodies, served).catch((err: unknown) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const e = err instanceof ApiError ? err : new ApiError('InternalError', 500, `The emulator failed: ${(err as Error).message}`);
    const closeAfter = e instanceof S3Error && e.closeAfter;
    const r = writeError('s3-xml', e);
    // A HEAD response has no body, so it announces none.
    const head = req.method === 'HEAD';
    res.writeHead(r.status, {
      ...r.headers, ...(head ? {} : { 'Content-Length': String(r.body.length) }), ...(closeAfter ? { Connection: 'close' } : {}),
    });
    res.end(head ? undefined : r.body);
    if (closeAfter) res.once('finish', () => req.socket.destroy());
  });
}

/** The S3 API operation a request is, by method and whether it names a key (what IAM and the operation log see). */
function s3Operation(method: string, key: string): string {
  if (key === '') return method === 'PUT' ? 'CreateBucket' : method === 'HEAD' ? 'HeadBucket' : method === 'GET' ? 'ListObjectsV2' : `${method}Bucket`;
  return method === 'PUT' ? 'PutObject' : method === 'HEAD' ? 'HeadObject' : method === 'GET' ? 'GetObject' : `${method}Object`;
}

async function serve(buckets: S3Buckets, req: IncomingMessage, res: ServerResponse, bodies: MemoryBudget, served: (operation: string) => void): Promise<void> {
  const requestId = randomUUID();
  // The raw path, not new URL(...).pathname: URL parsing resolves "." and ".." segments, so the key "a/../b" would
  // be stored as "b" and "../other-bucket/key" would read another bucket. S3 keeps keys literally.
  const rest = (req.url ?? '/').split('?')[0].slice(S3_PATH_PREFIX.length);
  const slash = rest.indexOf('/');
  const bucket = decodePart(slash < 0 ? rest : rest.slice(0, slash));
  const key = slash < 0 ? '' : decodePart(rest.slice(slash + 1));
  const method = req.method ?? 'GET';
  served(s3Operation(method, key));
  // SDK clients never send Origin; a browser page does. No page on any site may read or write these objects.
  const site = String(req.headers['sec-fetch-site'] ?? '');
  if (req.headers.origin !== undefined || (site !== '' && site !== 'none')) {
    throw S3Error.of('forbidden', 'Browser requests are not served by this emulator.');
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new S3Error('InvalidBucketName', 400, `The specified bucket is not valid: "${bucket}".`);
  // An upload over the limit is read on (within bounds) and answered with EntityTooLarge, as S3 does, rather than
  // with a reset connection the SDK reports as a network error.
  const read = await readBody(req, MAX_OBJECT_BYTES, DRAIN_LIMIT_BYTES, bodies);
  if (read.kind === 'too-large') {
    throw S3Error.of('too-large', `Your proposed upload exceeds the emulator's ${MAX_OBJECT_BYTES} bytes.`, !read.drained);
  }
  if (read.kind === 'over-budget') {
    throw S3Error.of('busy', `The emulator already holds ${mib(bodies.inUse)} of request bodies, its limit of ${mib(bodies.limit)}; reduce your request rate.`, !read.drained);
  }
  try {
    await answer(buckets, req, res, requestId, bucket, key, method, read.body);
  } finally {
    read.release();
  }
}

async function answer(buckets: S3Buckets, req: IncomingMessage, res: ServerResponse, requestId: string, bucket: string, key: string,
  method: string, body: Buffer): Promise<void> {
  if (key === '') {
    if (method === 'HEAD') {
      if (!buckets.hasBucket(bucket)) throw new S3Error('NotFound', 404, `The specified bucket does not exist: ${bucket}.`);
      res.writeHead(200, { 'x-amz-request-id': requestId, 'Content-Length': '0' });
      res.end();
      return;
    }
    if (method === 'GET') {
      listObjects(buckets, req, res, requestId, bucket);
      return;
    }
    if (method !== 'PUT') throw new S3Error('NotImplemented', 501, `This emulator's S3 subset has no ${method} on a bucket.`);
    const created = buckets.createBucket(bucket);
    if (created === 'exists') throw new S3Error('BucketAlreadyOwnedByYou', 409, `The bucket ${bucket} already exists.`);
    if (created === 'full') {
      throw new S3Error('InsufficientStorage', 507, `The emulator's S3 subset already stores ${mib(buckets.stored.inUse)} of objects and buckets, `
        + `its limit of ${mib(buckets.stored.limit)}; restart the emulator.`);
    }
    res.writeHead(200, { 'x-amz-request-id': requestId, Location: `/${bucket}`, 'Content-Length': '0' });
    res.end();
    return;
  }
  if (!buckets.hasBucket(bucket)) throw new S3Error('NoSuchBucket', 404, `The specified bucket does not exist: ${bucket}.`);
  if (method === 'PUT') {
    const obj = buckets.put(bucket, key, decodeAwsChunked(req, body), String(req.headers['content-type'] ?? 'binary/octet-stream'), new Date());
    if (!obj) {
      throw new S3Error('InsufficientStorage', 507, `The emulator's S3 subset already stores ${mib(buckets.stored.inUse)} of objects, `
        + `its limit of ${mib(buckets.stored.limit)}; overwrite an object or restart the emulator.`);
    }
    res.writeHead(200, { 'x-amz-request-id': requestId, ETag: obj.etag, 'Content-Length': '0' });
    res.end();
    return;
  }
  if (method !== 'GET' && method !== 'HEAD') throw new S3Error('NotImplemented', 501, `This emulator's S3 subset has no ${method} on an object.`);
  const obj = buckets.get(bucket, key);
  if (!obj) throw new S3Error('NoSuchKey', 404, 'The specified key does not exist.');
  const headers = {
    'x-amz-request-id': requestId, ETag: obj.etag, 'Last-Modified': obj.lastModified.toUTCString(),
  };
  const ifMatch = req.headers['if-match'];
  if (ifMatch !== undefined && !etagListMatches(ifMatch, obj.etag)) throw new S3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');
  const ifNoneMatch = req.headers['if-none-match'];
  const ifModifiedSince = req.headers['if-modified-since'];
  // RFC 9110: If-None-Match takes precedence; If-Modified-Since counts only without it.
  const notModified = ifNoneMatch !== undefined ? etagListMatches(ifNoneMatch, obj.etag)
    : ifModifiedSince !== undefined && !Number.isNaN(Date.parse(ifModifiedSince)) && obj.lastModified.getTime() <= Date.parse(ifModifiedSince);
  if (notModified) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': obj.contentType, 'Content-Length': String(obj.body.length) });
  res.end(method === 'HEAD' ? undefined : obj.body);
}

const xmlText = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' }[c]!));

/** ListObjectsV2: keys under `prefix`, at most `max-keys` (1,000) a page, continued by an opaque token. */
function listObjects(buckets: S3Buckets, req: IncomingMessage, res: ServerResponse, requestId: string, bucket: string): void {
  if (!buckets.hasBucket(bucket)) throw new S3Error('NoSuchBucket', 404, `The specified bucket does not exist: ${bucket}.`);
  const q = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
  if (q.get('list-type') !== '2') throw new S3Error('NotImplemented', 501, 'This emulator\'s S3 subset lists objects with ListObjectsV2 (list-type=2) only.');
  const prefix = q.get('prefix') ?? '';
  const maxRaw = q.get('max-keys');
  const max = maxRaw === null ? 1000 : Number(maxRaw);
  if (!Number.isInteger(max) || max < 0) throw new S3Error('InvalidArgument', 400, 'max-keys must be a whole number.');
  const token = q.get('continuation-token');
  const after = token !== null ? Buffer.from(token, 'base64url').toString('utf8') : q.get('start-after') ?? undefined;
  const page = buckets.list(bucket, prefix, after, Math.min(max, 1000));
  const contents = page.items.map(([k, o]) => `<Contents><Key>${xmlText(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified>`
    + `<ETag>${xmlText(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`).join('');
  const last = page.items.at(-1)?.[0];
  const body = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    + `<Name>${xmlText(bucket)}</Name><Prefix>${xmlText(prefix)}</Prefix><KeyCount>${page.items.length}</KeyCount><MaxKeys>${max}</MaxKeys>`
    + `<IsTruncated>${page.truncated}</IsTruncated>${contents}`
    + `${token !== null ? `<ContinuationToken>${xmlText(token)}</ContinuationToken>` : ''}`
    + `${page.truncated && last !== undefined ? `<NextContinuationToken>${Buffer.from(last).toString('base64url')}</NextContinuationToken>` : ''}</ListBucketResult>`);
  res.writeHead(200, { 'x-amz-request-id': requestId, 'Content-Type': 'application/xml', 'Content-Length': String(body.length) });
  res.end(body);
}

function decodePart(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw S3Error.of('malformed', 'Couldn\'t parse the specified URI.');
  }
}

function etagListMatches(header: string, etag: string): boolean {
  return header.split(',').map((s) => s.trim()).some((t) => t === '*' || t === etag || t.replace(/^W\//, '') === etag);
}

/**
 * The SDK sends streaming uploads in aws-chunked encoding (`<hex size>[;ext]\r\n<data>\r\n ... 0\r\n<trailers>`),
 * with checksums in trailers; the object is the data alone.
 */
function decodeAwsChunked(req: IncomingMessage, body: Buffer): Buffer {
  const enc = String(req.headers['content-encoding'] ?? '');
  const sha = String(req.headers['x-amz-content-sha256'] ?? '');
  if (!enc.includes('aws-chunked') && !sha.startsWith('STREAMING-')) return body;
  const parts: Buffer[] = [];
  let p = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', p);
    if (eol < 0) throw new S3Error('IncompleteBody', 400, 'The aws-chunked body is truncated.');
    const size = parseInt(body.subarray(p, eol).toString('latin1').split(';')[0], 16);
    if (!Number.isFinite(size) || size < 0 || eol + 2 + size > body.length) throw new S3Error('IncompleteBody', 400, 'Malformed aws-chunked body.');
    if (size === 0) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    p = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
