import { X509Certificate } from 'node:crypto';
import type { HandlerContext } from '../handler-context';
import { LIMITS } from '../limits';
import { ApiError } from '../wire/api-error';

/** What reading a bundle gave: its CA count, or why the trust store fails (its `Reason`). */
export type CaBundleOutcome = { count?: number; pems?: string[]; reason?: undefined } | { count?: undefined; pems?: undefined; reason: string };

/**
 * Reads a trust store's CA bundle as CloudFront does once per create or update. CloudFront reads it after the call
 * has returned (the store is `pending`), so a bundle it cannot use ends the store `failed` with a `Reason` rather
 * than failing the call: the outcome is decided here and shown once the store leaves `pending`.
 */
export function readCaBundleOutcome(ctx: HandlerContext, s3: { Bucket?: string; Key?: string }): CaBundleOutcome {
  try {
    const pems = readCaBundle(ctx, s3);
    return pems ? { count: pems.length, pems } : {};
  } catch (err) {
    if (err instanceof ApiError) return { reason: err.message };
    throw err;
  }
}

/**
 * Reads a trust store's CA bundle from the emulator's S3 subset and applies CloudFront's quotas: 64 KB, 25
 * certificates, chains of at most 4 certificates. Returns undefined when the
 * bucket is not one the emulator holds (then nothing can be read and the bundle is taken on trust, as before the
 * S3 subset existed). The subset keeps no object versions, so a Version in the location is not checked.
 * Returns the bundle's PEM certificates (what the local edge validates client certificates against).
 */
export function readCaBundle(ctx: HandlerContext, s3: { Bucket?: string; Key?: string }): string[] | undefined {
  if (!ctx.s3 || !s3.Bucket || !s3.Key || !ctx.s3.hasBucket(s3.Bucket)) return undefined;
  const obj = ctx.s3.get(s3.Bucket, s3.Key);
  if (!obj) throw new ApiError('InvalidArgument', 400, `The CA bundle s3://${s3.Bucket}/${s3.Key} does not exist.`);
  const checked = checkCaBundle(obj.body);
  if ('reason' in checked) throw new ApiError('InvalidArgument', 400, checked.reason);
  return checked.pems;
}

/**
 * CloudFront's checks of a CA bundle's bytes: 64 KB, at least one and at most 25 PEM certificates that parse,
 * chains of at most 4 certificates with the client's. The emulator's trust stores and `conngate doctor` both judge
 * a bundle by this, so doctor passes only what the store would take.
 */
export function checkCaBundle(body: Buffer): { pems: string[]; certs: X509Certificate[] } | { reason: string } {
  if (body.length > LIMITS.caBundleBytes) return { reason: `The CA bundle is ${body.length} bytes; the limit is ${LIMITS.caBundleBytes} bytes.` };
  const pems = body.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (pems.length === 0) return { reason: 'The CA bundle holds no PEM certificate.' };
  if (pems.length > LIMITS.caBundleCertificates) return { reason: `The CA bundle holds ${pems.length} certificates; the limit is ${LIMITS.caBundleCertificates}.` };
  let certs: X509Certificate[];
  try {
    certs = pems.map((p) => new X509Certificate(p));
  } catch (err) {
    return { reason: `The CA bundle holds a certificate that does not parse: ${(err as Error).message}` };
  }
  // Depth of the chain below each certificate's root within the bundle, plus the leaf it will validate. A
  // self-signed certificate is a root: nothing is above it, even when the bundle holds another certificate with
  // its name and key (a root re-issued with new dates, or the same root twice).
  const depth = (c: X509Certificate, seen: Set<X509Certificate>): number => {
    if (c.checkIssued(c) && c.verify(c.publicKey)) return 1;
    const issuer = certs.find((i) => i !== c && !seen.has(i) && c.checkIssued(i) && c.verify(i.publicKey));
    return issuer ? 1 + depth(issuer, new Set([...seen, c])) : 1;
  };
  const deepest = Math.max(...certs.map((c) => depth(c, new Set())));
  if (deepest + 1 > LIMITS.trustStoreChainDepth) {
    return { reason: `The CA bundle's chains are ${deepest} certificates deep; with the client certificate that exceeds the maximum chain depth of ${LIMITS.trustStoreChainDepth}.` };
  }
  return { pems, certs };
}
