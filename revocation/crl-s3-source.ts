/**
 * CRLs in S3 (`--crl s3://bucket/key`), as AWS Private CA publishes them: `s3://<bucket>/crl/<ca-id>.crl`, DER.
 * Read through @aws-sdk/client-s3 with the same target (endpoint, region, credentials) as the CloudFront
 * clients, with the same size and time bounds as HTTP, and a conditional GET (If-None-Match) against the cache.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { UserError } from '../diagnostics/user-error';
import { readCachedCrl, writeCachedCrl } from './crl-download-cache';
import { printable } from '../diagnostics/untrusted-text';
import { CRL_FETCH_DEFAULTS, CrlFetchOptions, FetchedCrl, readCapped } from './crl-fetch-limits';
import { HostRefusedError, hostRefusal } from './crl-host-policy';

/** Bucket and key of an `s3://bucket/key` URL; undefined when `spec` is not one. Throws for a malformed one. */
export function parseS3Url(spec: string): { bucket: string; key: string } | undefined {
  if (!/^s3:\/\//i.test(spec)) return undefined;
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/i.exec(spec);
  if (!m) throw new UserError(spec, 'not an s3://bucket/key URL', 'write e.g. s3://my-pca-crls/crl/11223344-aaaa-bbbb-cccc-1234567890ab.crl');
  return { bucket: m[1], key: m[2] };
}

/** Downloads a CRL object. Failures are one-line UserErrors (exit 1). */
export async function fetchS3Crl(client: S3Client, url: string, opts: CrlFetchOptions = {}): Promise<FetchedCrl> {
  const { bucket, key } = parseS3Url(url)!;
  const maxBytes = opts.maxBytes ?? CRL_FETCH_DEFAULTS.maxBytes;
  const timeoutMs = opts.timeoutMs ?? CRL_FETCH_DEFAULTS.timeoutMs;
  const cached = opts.cacheDir ? readCachedCrl(opts.cacheDir, url) : undefined;
  const abortSignal = AbortSignal.timeout(timeoutMs);
  try {
    const out = await client.send(new GetObjectCommand({
      Bucket: bucket, Key: key, ...(cached?.etag ? { IfNoneMatch: cached.etag } : {}),
    }), { abortSignal });
    if ((out.ContentLength ?? 0) > maxBytes) {
      (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
      throw tooLarge(url, `the CRL is ${out.ContentLength} bytes, larger than ${maxBytes}`);
    }
    const bytes = await readCapped(out.Body as AsyncIterable<Uint8Array> | undefined, maxBytes,
      () => tooLarge(url, `the CRL is larger than ${maxBytes} bytes`));
    if (opts.cacheDir) writeCachedCrl(opts.cacheDir, url, { etag: out.ETag, bytes });
    return { bytes, how: `S3 GetObject, ${bytes.length} bytes` };
  } catch (e) {
    if (e instanceof UserError) throw e;
    if (e instanceof HostRefusedError) throw hostRefusal(url, e, 'S3 endpoint');
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    if (err.$metadata?.httpStatusCode === 304 && cached) return { bytes: cached.bytes, how: 'S3 304 Not Modified (cached copy)' };
    if (err.name === 'TimeoutError' || err.name === 'AbortError') throw failure(url, `no complete answer within ${timeoutMs / 1000} s`, 'check the endpoint and the network');
    const fix = /NoSuchKey|NotFound/.test(err.name) ? 'check the bucket and key (AWS Private CA writes crl/<ca-id>.crl)'
      : /AccessDenied|Credentials|Forbidden/i.test(err.name) ? 'check the AWS credentials and their s3:GetObject permission on the bucket'
        : 'check --endpoint / CONNGATE_ENDPOINT and the network';
    throw failure(url, `GetObject failed: ${printable(err.name)}: ${printable((err.message ?? '').split('\n')[0])}`, fix);
  }
}

function tooLarge(url: string, what: string): UserError {
  return failure(url, what, 'raise --crl-max-mb if this CA\'s CRL really is that large');
}

function failure(url: string, what: string, fix: string): UserError {
  return new UserError(url, `cannot download the CRL: ${what}`, fix, 1);
}
