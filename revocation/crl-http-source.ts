/**
 * CRLs from HTTP(S) distribution points (`--crl http://...`, and the URLs `--crl-from-cert` finds). The URL is
 * untrusted: redirects are followed by hand (http and https only, at most maxRedirects), every hop's host is held
 * to the address policy (crl-host-policy.ts: public addresses only unless allowed, checked on the address the
 * socket connects to), the body is read up to maxBytes, and one deadline covers the whole download. A conditional
 * GET (If-None-Match / If-Modified-Since) reuses the cached copy on 304. CRLs are signed, so plain http is what
 * CAs publish.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { UserError } from '../diagnostics/user-error';
import { readCachedCrl, writeCachedCrl } from './crl-download-cache';
import { printable } from '../diagnostics/untrusted-text';
import { CRL_FETCH_DEFAULTS, CrlFetchOptions, FetchedCrl, readCapped } from './crl-fetch-limits';
import { guardHop, HostRefusedError, hostRefusal } from './crl-host-policy';

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
      const res = await get(new URL(current), headers, signal, opts);
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && status !== 304) {
        res.destroy();
        const location = res.headers.location;
        if (!location) throw fetchError(url, `HTTP ${status} without a Location header`);
        if (hop >= maxRedirects) throw fetchError(url, `more than ${maxRedirects} redirects`);
        const next = new URL(location, current);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') throw fetchError(url, `redirect to a ${printable(next.protocol)} URL refused`);
        current = next.toString();
        continue;
      }
      if (status === 304) {
        res.destroy();
        if (!cached) throw fetchError(url, 'HTTP 304 Not Modified to a request that had no validators');
        return { bytes: cached.bytes, how: '304 Not Modified (cached copy)' };
      }
      if (status !== 200) {
        res.destroy();
        throw fetchError(url, `HTTP ${status} ${printable(res.statusMessage ?? '')}`);
      }
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (declared > maxBytes) {
        res.destroy();
        throw tooLarge(url, maxBytes);
      }
      const bytes = await readCapped(res, maxBytes, () => tooLarge(url, maxBytes));
      if (opts.cacheDir) {
        const lastModified = res.headers['last-modified'];
        writeCachedCrl(opts.cacheDir, url, { etag: res.headers.etag ?? undefined, lastModified: lastModified ?? undefined, bytes });
      }
      return { bytes, how: `HTTP 200, ${bytes.length} bytes${current !== url ? ` from ${current}` : ''}` };
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    if (e instanceof HostRefusedError) throw hostRefusal(url, e, current !== url ? `redirect to ${current}` : undefined);
    const err = e as Error & { code?: string; cause?: { code?: string; message?: string } };
    if (err.name === 'TimeoutError' || err.name === 'AbortError' || signal.aborted) throw fetchError(url, `no complete answer within ${timeoutMs / 1000} s`);
    throw fetchError(url, printable(`${err.code ?? err.cause?.code ?? err.name}: ${err.cause?.message ?? err.message}`));
  }
}

/**
 * One GET, through node:http(s) rather than fetch: only a socket's own `lookup` lets the address that was checked
 * be the address connected to. No agent: no connection is reused across hops or downloads.
 */
function get(url: URL, headers: Record<string, string>, signal: AbortSignal, opts: CrlFetchOptions): Promise<http.IncomingMessage> {
  const lookup = guardHop(url, opts.privateHosts, opts.resolveHost);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { method: 'GET', headers, signal, agent: false, ...(lookup ? { lookup } : {}) }, resolve);
    req.on('error', reject);
    req.end();
  });
}

function fetchError(url: string, what: string): UserError {
  return new UserError(url, `cannot download the CRL: ${what}`, 'check the URL and the network, or download the CRL and pass the file', 1);
}

function tooLarge(url: string, maxBytes: number): UserError {
  return new UserError(url, `the CRL is larger than ${maxBytes} bytes`, 'raise --crl-max-mb if this CA\'s CRL really is that large', 1);
}
