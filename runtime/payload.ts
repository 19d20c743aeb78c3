import { createHash, X509Certificate } from 'node:crypto';
import { UserError } from '../diagnostics/user-error';
import { canonicalSerial, colonSerial } from '../revocation/canonical-serial';
import { children, contentBytes, oidText, readTlv, TAG } from '../revocation/der-reader';
import { buildRevocationStatus, type OcspOutcome, type RevocationStatus } from './ocsp-outcome';

/** The connection-object fields used when none are given: documentation values, not a real distribution. */
export const CONNECTION_DEFAULTS = {
  clientIp: '203.0.113.42',
  endpoint: 'd111111abcdef8.cloudfront.net',
  distributionId: 'E1NXS4MQZH501R',
} as const;

/** CloudFront validates chains of at most this many certificates (leaf included). */
export const MAX_CHAIN_DEPTH = 4;

/** Connection-object fields that do not come from the certificate. */
export interface ConnectionObjectOptions {
  /** @default "203.0.113.42" (a documentation address) */
  clientIp?: string;
  /** @default derived from the certificate fingerprint (56 base64url characters, stable per certificate) */
  connectionId?: string;
  /** @default "d111111abcdef8.cloudfront.net" */
  endpoint?: string;
  /** @default "E1NXS4MQZH501R" */
  distributionId?: string;
  /** Where the certificate came from, for error messages. @default "certificate" */
  source?: string;
  /** Intermediate certificates between the leaf and the trust store's CA (PEM bundle or DER), leaf's issuer first. */
  chain?: string | Buffer;
  /** The OCSP outcome CloudFront reports when the trust store checks OCSP; absent = OCSP off. */
  ocsp?: OcspOutcome;
}

/** One certificate as the connection object describes it. */
export interface ConnectionCertificate {
  subject: string;
  issuer: string;
  serialNumber: string;
  validity: { notBefore: string; notAfter: string };
  sha256Fingerprint: string;
  /** "DNS:a.example.com,DNS:b.example.com"; "" when the certificate has no SAN. */
  san: string;
  /** The SubjectAltName extension value (DER GeneralNames) in lowercase hex; "" without SAN. */
  sanHex: string;
  /** The DER SubjectPublicKeyInfo in lowercase hex (format not confirmed by AWS, see docs/runtime.md). */
  spki: string;
  /** The first OCSP responder URL of the Authority Information Access extension; "" without one. */
  ocspEndpoint: string;
}

/** The documented connection object of a viewer-mTLS connection function. */
export interface ConnectionObject {
  connectionId: string;
  clientIp: string;
  endpoint: string;
  distributionId: string;
  clientCertificate?: {
    certificates: { leaf: ConnectionCertificate; intermediates?: ConnectionCertificate[] };
    revocationStatus?: RevocationStatus;
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

/** Every certificate of a PEM bundle, or the one DER certificate. */
function parseBundle(bytes: string | Buffer, source: string): X509Certificate[] {
  const text = Buffer.isBuffer(bytes) ? bytes.toString('latin1') : bytes;
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  if (!blocks) return [parseCertificate(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes), source)];
  return blocks.map((b, i) => parseCertificate(b, `${source} (certificate ${i + 1})`));
}

/** SAN as CloudFront documents it: entries joined by "," (Node joins them with ", "). */
function sanOf(cert: X509Certificate): string {
  return cert.subjectAltName ? cert.subjectAltName.split(/, (?=[A-Za-z ]+:)/).join(',') : '';
}

const SAN_OID = '2.5.29.17';

/**
 * The value of a certificate's extension (the bytes inside its OCTET STRING, a view of `der`), read straight from
 * the DER (certificate -> tbsCertificate -> [3] extensions): the local edge reads extensions for every handshake,
 * and a full ASN.1 parse of the certificate costs milliseconds where this walk costs microseconds.
 */
export function certificateExtension(der: Buffer, oid: string): Buffer | undefined {
  const cert = readTlv(der, 0, der.length);
  const tbs = children(der, cert)[0];
  const extensions = children(der, tbs).find((t) => t.tag === 0xa3);
  if (!extensions) return undefined;
  for (const ext of children(der, children(der, extensions)[0])) {
    const parts = children(der, ext);
    if (parts[0]?.tag === TAG.OID && oidText(der, parts[0]) === oid) {
      const value = parts[parts.length - 1];
      return value.tag === TAG.OCTET_STRING ? contentBytes(der, value) : undefined;
    }
  }
  return undefined;
}

function sanHexOf(der: Buffer): string {
  return certificateExtension(der, SAN_OID)?.toString('hex') ?? '';
}

function ocspEndpointOf(cert: X509Certificate): string {
  const m = /^OCSP - URI:(\S+)$/m.exec(cert.infoAccess ?? '');
  return m ? m[1] : '';
}

function describeCertificate(cert: X509Certificate): ConnectionCertificate {
  return {
    subject: renderName(cert.subject),
    issuer: renderName(cert.issuer),
    serialNumber: colonSerial(canonicalSerial(cert.serialNumber) ?? '00'),
    validity: { notBefore: isoSeconds(new Date(cert.validFrom)), notAfter: isoSeconds(new Date(cert.validTo)) },
    sha256Fingerprint: base64UrlPadded(createHash('sha256').update(cert.raw).digest()),
    san: sanOf(cert),
    sanHex: sanHexOf(cert.raw),
    spki: (cert.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('hex'),
    ocspEndpoint: ocspEndpointOf(cert),
  };
}

/**
 * The intermediates must form the chain CloudFront would have validated: each certificate issued and signed by
 * the next, within the depth CloudFront accepts. A chain that does not link would give a function inputs
 * production never sends.
 */
function checkChain(leaf: X509Certificate, chain: X509Certificate[], source: string): void {
  if (chain.length + 1 > MAX_CHAIN_DEPTH) {
    throw new UserError(source, `chain of ${chain.length + 1} certificates (leaf included) is deeper than the ${MAX_CHAIN_DEPTH} CloudFront validates`,
      `pass at most ${MAX_CHAIN_DEPTH - 1} intermediates`);
  }
  let child = leaf;
  chain.forEach((ca, i) => {
    if (!child.checkIssued(ca) || !child.verify(ca.publicKey)) {
      throw new UserError(`${source} (certificate ${i + 1})`, `did not issue ${i === 0 ? 'the leaf' : `certificate ${i}`} (${renderName(child.issuer)})`,
        'list the intermediates in order, the leaf\'s issuer first, without the leaf or the root');
    }
    child = ca;
  });
}

/** 56 base64url characters, stable per certificate: CloudFront's connection logs show ids in the URL-safe alphabet. */
function connectionIdFor(cert: X509Certificate): string {
  const digest = createHash('sha256').update(cert.raw).digest();
  return Buffer.concat([digest, createHash('sha256').update(digest).digest().subarray(0, 10)]).toString('base64url');
}

/**
 * Builds the connection object CloudFront passes to a connection function for a client presenting this
 * certificate: subject and issuer as "C=.., O=.., CN=.." in the certificate's RDN order, serial as lowercase
 * colon hex with the DER leading 00 kept, validity in ISO 8601 without milliseconds, the SHA-256 fingerprint of
 * the DER bytes in base64 (URL-safe alphabet, `=` padded), san/sanHex/spki/ocspEndpoint, the intermediates of
 * `opts.chain`, and `revocationStatus` when `opts.ocsp` gives the OCSP outcome.
 */
export function buildConnectionObject(certPemOrDer: string | Buffer, opts: ConnectionObjectOptions = {}): ConnectionObject {
  const source = opts.source ?? 'certificate';
  const cert = parseCertificate(certPemOrDer, source);
  const chain = opts.chain !== undefined ? parseBundle(opts.chain, `${source} --chain`) : [];
  checkChain(cert, chain, `${source} --chain`);
  const leaf = describeCertificate(cert);
  const intermediates = chain.map(describeCertificate);
  if (opts.ocsp && !leaf.ocspEndpoint) {
    throw new UserError(source, 'has no OCSP responder URL: with OCSP checking on, CloudFront does not run the connection function for it',
      'use a certificate with an authorityInfoAccess OCSP URL, or leave the OCSP outcome out');
  }
  return {
    connectionId: opts.connectionId ?? connectionIdFor(cert),
    clientIp: opts.clientIp ?? CONNECTION_DEFAULTS.clientIp,
    endpoint: opts.endpoint ?? CONNECTION_DEFAULTS.endpoint,
    distributionId: opts.distributionId ?? CONNECTION_DEFAULTS.distributionId,
    clientCertificate: {
      certificates: { leaf, ...(intermediates.length > 0 ? { intermediates } : {}) },
      ...(opts.ocsp ? { revocationStatus: buildRevocationStatus(opts.ocsp, leaf, intermediates) } : {}),
    },
  };
}
