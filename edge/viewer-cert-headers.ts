import { createHash, type X509Certificate } from 'node:crypto';
import { connectionLogValidity } from '../connection-logs/connection-log-record';
import type { ConnectionCertificate } from '../runtime/payload';

/**
 * The headers CloudFront adds to origin requests on viewer-mTLS distributions (developer guide, "Viewer mTLS
 * headers for cache policies and forwarded to origin"), lowercase as Node sends them.
 */
export const VIEWER_CERT_HEADERS = [
  'cloudfront-viewer-cert-serial-number', 'cloudfront-viewer-cert-issuer', 'cloudfront-viewer-cert-subject',
  'cloudfront-viewer-cert-present', 'cloudfront-viewer-cert-sha256', 'cloudfront-viewer-cert-validity', 'cloudfront-viewer-cert-pem',
] as const;

/** "C=US, O=Example, CN=x" (the connection object's order) -> "CN=x,O=Example,C=US" (RFC 2253: most specific first). */
export function rfc2253(name: string): string {
  return name.split(/, (?=[A-Za-z0-9.]+=)/).reverse().join(',');
}

/**
 * A name as an HTTP header value can carry it: every character outside printable ASCII as RFC 4514's `\XX` escape
 * of its UTF-8 bytes. A subject is the client's to choose; Node refuses a header value with characters past
 * U+00FF or controls, and an origin request that cannot be sent must not be what a certificate can cause.
 */
function headerSafe(name: string): string {
  return name.replace(/[^\x20-\x7e]/gu, (ch) => [...Buffer.from(ch, 'utf8')].map((b) => `\\${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}

/**
 * The headers for a connection: the leaf's fields when the client presented a certificate, only `Present: 0`
 * when not. The PEM header is documented for required and optional modes only. INFERRED: the serial keeps the
 * connection object's form (lowercase colon hex with the DER leading 00; AWS's example has no high-bit serial), the
 * SHA-256 is lowercase hex of the DER bytes (as AWS's example), the PEM is percent-encoded with
 * encodeURIComponent (AWS's example shows %20 and %0A only).
 */
export function viewerCertHeaders(leaf: { described: ConnectionCertificate; cert: X509Certificate } | undefined,
  mode: string): Record<string, string> {
  if (!leaf) return { 'cloudfront-viewer-cert-present': '0' };
  const d = leaf.described;
  return {
    'cloudfront-viewer-cert-serial-number': d.serialNumber,
    'cloudfront-viewer-cert-issuer': headerSafe(rfc2253(d.issuer)),
    'cloudfront-viewer-cert-subject': headerSafe(rfc2253(d.subject)),
    'cloudfront-viewer-cert-present': '1',
    'cloudfront-viewer-cert-sha256': createHash('sha256').update(leaf.cert.raw).digest('hex'),
    'cloudfront-viewer-cert-validity': connectionLogValidity(d.validity.notBefore, d.validity.notAfter),
    ...(mode === 'passthrough' ? {} : { 'cloudfront-viewer-cert-pem': encodeURIComponent(leaf.cert.toString()) }),
  };
}
