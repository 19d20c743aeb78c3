/** The bounds every CRL download keeps, and where downloads are remembered between runs. */
import type { HostResolver, PrivateHostAllowance } from './crl-host-policy';

export interface CrlFetchOptions {
  /** folder of the conditional-GET cache (ETag / Last-Modified and the body); undefined: no cache */
  cacheDir?: string;
  /** largest CRL accepted, bytes @default 64 MiB (a 1,000,000-entry CRL is about 50 MB) */
  maxBytes?: number;
  /** deadline for one download including every redirect, ms @default 60,000 */
  timeoutMs?: number;
  /** redirects followed @default 5 */
  maxRedirects?: number;
  /** private hosts downloads may reach (default: none, public addresses only) */
  privateHosts?: PrivateHostAllowance;
  /** how host names are resolved (default dns.lookup); a test seam for resolver answers */
  resolveHost?: HostResolver;
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

/**
 * A download's body, read up to `maxBytes` whatever length was declared (a chunked or lying server), for every
 * source. Throwing out of the loop ends the iteration, which cancels a fetch body and destroys a Node stream, so
 * the rest is never read.
 */
export async function readCapped(body: AsyncIterable<Uint8Array> | null | undefined, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  if (!body) return Buffer.alloc(0);
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
  }
  return Buffer.concat(chunks, size);
}
