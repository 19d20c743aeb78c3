import { createHash, X509Certificate } from 'node:crypto';
import { UserError } from '../diagnostics/user-error';
import { canonicalSerial, colonSerial } from '../revocation/canonical-serial';

/** The connection-object fields used when none are given: documentation values, not a real distribution. */
export const CONNECTION_DEFAULTS = {
  clientIp: '203.0.113.42',
  endpoint: 'd111111abcdef8.cloudfront.net',
  distributionId: 'E1NXS4MQZH501R',
} as const;

/** Connection-object fields that do not come from the certificate. */
export interface ConnectionObjectOptions {
  /** @default "203.0.113.42" (a documentation address) */
  clientIp?: string;
  /** @default derived from the certificate fingerprint (56 base64 characters, stable per certificate) */
  connectionId?: string;
  /** @default "d111111abcdef8.cloudfront.net" */
  endpoint?: string;
  /** @default "E1NXS4MQZH501R" */
  distributionId?: string;
  /** Where the certificate came from, for error messages. @default "certificate" */
  source?: string;
}

/** The documented connection object of a viewer-mTLS connection function. */
export interface ConnectionObject {
  connectionId: string;
  clientIp: string;
  endpoint: string;
  distributionId: string;
  clientCertificate?: {
    certificates: {
      leaf: {
        subject: string;
        issuer: string;
        serialNumber: string;
        validity: { notBefore: string; notAfter: string };
        sha256Fingerprint: string;
      };
    };
  };
}

/** "C=US\nO=Example Corp\nCN=x" (Node's form, certificate order) -> "C=US, O=Example Corp, CN=x". */
function renderName(name: string): string {
  return name.split('\n').filter((l) => l.length > 0).join(', ');
}

/** ISO 8601 in UTC without milliseconds, as the documented connection object shows. */
function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Base64 with the URL-safe alphabet and `=` padding, the documented fingerprint form. */
function base64UrlPadded(buf: Buffer): string {
  return buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** Parses a PEM (text or bytes) or DER certificate with Node's X509Certificate; UserError when it is not one. */
function parseCertificate(certPemOrDer: string | Buffer, source = 'certificate'): X509Certificate {
  try {
    return new X509Certificate(certPemOrDer);
  } catch (err) {
    throw new UserError(source, `is not an X.509 certificate in PEM or DER form (${(err as Error).message})`,
      'pass a certificate file such as one written by `openssl req -x509` or `openssl x509 -outform der`');
  }
}

/**
 * Builds the connection object CloudFront passes to a connection function for a client presenting this
 * certificate: subject and issuer as "C=.., O=.., CN=.." in the certificate's RDN order, serial as lowercase
 * colon hex with the DER leading 00 kept, validity in ISO 8601 without milliseconds, and the SHA-256 fingerprint
 * of the DER bytes in base64 (URL-safe alphabet, `=` padded).
 */
export function buildConnectionObject(certPemOrDer: string | Buffer, opts: ConnectionObjectOptions = {}): ConnectionObject {
  const cert = parseCertificate(certPemOrDer, opts.source ?? 'certificate');
  const digest = createHash('sha256').update(cert.raw).digest();
  const connectionId = opts.connectionId
    ?? Buffer.concat([digest, createHash('sha256').update(digest).digest().subarray(0, 10)]).toString('base64');
  return {
    connectionId,
    clientIp: opts.clientIp ?? CONNECTION_DEFAULTS.clientIp,
    endpoint: opts.endpoint ?? CONNECTION_DEFAULTS.endpoint,
    distributionId: opts.distributionId ?? CONNECTION_DEFAULTS.distributionId,
    clientCertificate: {
      certificates: {
        leaf: {
          subject: renderName(cert.subject),
          issuer: renderName(cert.issuer),
          serialNumber: colonSerial(canonicalSerial(cert.serialNumber) ?? '00'),
          validity: { notBefore: isoSeconds(new Date(cert.validFrom)), notAfter: isoSeconds(new Date(cert.validTo)) },
          sha256Fingerprint: base64UrlPadded(digest),
        },
      },
    },
  };
}
