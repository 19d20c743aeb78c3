/**
 * CRLs from HTTP(S) distribution points (`--crl http://...`, and the URLs `--crl-from-cert` finds). The URL is
 * untrusted: redirects are followed by hand (http and https only, at most maxRedirects), the body is read up
 * to maxBytes, and one deadline covers the whole download. A conditional GET (If-None-Match /
 * If-Modified-Since) reuses the cached copy on 304. CRLs are signed, so plain http is what CAs publish.
 */
import { UserError } from '../diagnostics/user-error';
import { readCachedCrl, writeCachedCrl } from './crl-download-cache';
import { printable } from '../diagnostics/untrusted-text';
import { CRL_FETCH_DEFAULTS, CrlFetchOptions, FetchedCrl, readCapped } from './crl-fetch-limits';

/** True for the http(s) URLs this source reads. */
export function isHttpUrl(spec: string): boolean {
  return /^https?:\/\//i.test(spec);
}

/** Downloads a CRL. Failures are one-line UserErrors naming the URL (exit 1: the input was fine, the fetch was not). */
export async function fetchHttpCrl(url: string, opts: CrlFetchOptions = {}): Promise<FetchedCrl> {
  const maxBytes = opts.maxBytes ?? CRL_FETCH_DEFAULTS.maxBytes;
  const timeoutMs = opts.timeoutMs ?? CRL_FETCH_DEFAULTS.timeoutMs;
  const maxRedirects = opts.maxRedirects ?? CRL_FETCH_DEFAULTS.maxRedirects;
  const cached = opts.cacheDir ? readCachedCrl(opts.cacheDir, url) : undefined;
  const signal = AbortSignal.timeout(timeoutMs);
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { accept: 'application/pkix-crl, application/x-pkcs7-crl, */*' };
      if (cached?.etag) headers['if-none-match'] = cached.etag;
      if (cached?.lastModified) headers['if-modified-since'] = cached.lastModified;
      const res = await fetch(current, { redirect: 'manual', headers, signal });
      if (res.status >= 300 && res.status < 400 && res.status !== 304) {
        await res.body?.cancel();
        const location = res.headers.get('location');
        if (!location) throw fetchError(url, `HTTP ${res.status} without a Location header`);
        if (hop >= maxRedirects) throw fetchError(url, `more than ${maxRedirects} redirects`);
        const next = new URL(location, current);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') throw fetchError(url, `redirect to a ${next.protocol} URL refused`);
        current = next.toString();
        continue;
      }
      if (res.status === 304) {
        await res.body?.cancel();
        if (!cached) throw fetchError(url, 'HTTP 304 Not Modified to a request that had no validators');
        return { bytes: cached.bytes, how: '304 Not Modified (cached copy)' };
      }
      if (res.status !== 200) {
        await res.body?.cancel();
        throw fetchError(url, `HTTP ${res.status} ${printable(res.statusText)}`);
      }
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (declared > maxBytes) {
        await res.body?.cancel();
        throw tooLarge(url, maxBytes);
      }
      const bytes = await readCapped(res.body, maxBytes, () => tooLarge(url, maxBytes));
      if (opts.cacheDir) {
        writeCachedCrl(opts.cacheDir, url, { etag: res.headers.get('etag') ?? undefined, lastModified: res.headers.get('last-modified') ?? undefined, bytes });
      }
      return { bytes, how: `HTTP 200, ${bytes.length} bytes${current !== url ? ` from ${current}` : ''}` };
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    const err = e as Error & { cause?: { code?: string; message?: string } };
    if (err.name === 'TimeoutError' || err.name === 'AbortError') throw fetchError(url, `no complete answer within ${timeoutMs / 1000} s`);
    throw fetchError(url, printable(`${err.cause?.code ?? err.name}: ${err.cause?.message ?? err.message}`));
  }
}

function fetchError(url: string, what: string): UserError {
  return new UserError(url, `cannot download the CRL: ${what}`, 'check the URL and the network, or download the CRL and pass the file', 1);
}

function tooLarge(url: string, maxBytes: number): UserError {
  return new UserError(url, `the CRL is larger than ${maxBytes} bytes`, 'raise --crl-max-mb if this CA\'s CRL really is that large', 1);
}
