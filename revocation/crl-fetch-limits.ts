/** The bounds every CRL download keeps, and where downloads are remembered between runs. */

export interface CrlFetchOptions {
  /** folder of the conditional-GET cache (ETag / Last-Modified and the body); undefined: no cache */
  cacheDir?: string;
  /** largest CRL accepted, bytes @default 64 MiB (a 1,000,000-entry CRL is about 40 MB) */
  maxBytes?: number;
  /** deadline for one download including every redirect, ms @default 60,000 */
  timeoutMs?: number;
  /** redirects followed @default 5 */
  maxRedirects?: number;
  /** progress lines */
  onProgress?: (line: string) => void;
}

export const CRL_FETCH_DEFAULTS = { maxBytes: 64 * 1024 * 1024, timeoutMs: 60_000, maxRedirects: 5 } as const;

/** A downloaded (or cached) CRL's bytes and how they were obtained. */
export interface FetchedCrl {
  bytes: Buffer;
  /** "200", "304 (cached copy)", ... for progress output */
  how: string;
}
