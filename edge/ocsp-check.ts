import { createHash, verify as verifySignature, X509Certificate } from 'node:crypto';
import { request } from 'node:http';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate } from '@peculiar/asn1-x509';
import {
  BasicOCSPResponse, CertID, OCSPRequest, OCSPResponse, OCSPResponseStatus, Request, TBSRequest, id_kp_OCSPSigning, id_pkix_ocsp_basic,
} from '@peculiar/asn1-ocsp';
import type { OcspStatus } from '../runtime/ocsp-outcome';

/** What one OCSP check gave, as `revocationStatus` words it. */
export interface OcspAnswer { status: OcspStatus; errorType?: string }

/** Limits of one check: a responder that is slow or sends too much makes the check an Error, never a hang. */
export interface OcspLimits { deadlineMs: number; maxResponseBytes: number }
export const DEFAULT_OCSP_LIMITS: OcspLimits = { deadlineMs: 3000, maxResponseBytes: 64 * 1024 };

const SHA1 = '1.3.14.3.2.26';
/** Signature algorithms a responder may use, by OID: the digest Node's verify takes (null for Ed25519). */
const SIGNATURE_DIGESTS: Record<string, string | null> = {
  '1.2.840.10045.4.3.2': 'sha256', '1.2.840.10045.4.3.3': 'sha384', '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.113549.1.1.11': 'sha256', '1.2.840.113549.1.1.12': 'sha384', '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.113549.1.1.5': 'sha1', '1.3.101.112': null,
};
/** A responder's clock may be this far ahead of ours. */
const CLOCK_SKEW_MS = 5 * 60_000;

const failed = (type: string): OcspAnswer => ({ status: 'Error', errorType: `OCSP response verification failed: ${type}` });

function certIdOf(cert: X509Certificate, issuer: X509Certificate): CertID {
  const issuerCert = AsnConvert.parse(issuer.raw, Certificate);
  const subject = AsnConvert.serialize(issuerCert.tbsCertificate.subject);
  const key = issuerCert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey;
  return new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: SHA1, parameters: null }),
    issuerNameHash: new OctetString(createHash('sha1').update(Buffer.from(subject)).digest()),
    issuerKeyHash: new OctetString(createHash('sha1').update(Buffer.from(key)).digest()),
    serialNumber: AsnConvert.parse(cert.raw, Certificate).tbsCertificate.serialNumber,
  });
}

function same(a: ArrayBuffer | OctetString, b: ArrayBuffer | OctetString): boolean {
  const bytes = (x: ArrayBuffer | OctetString) => Buffer.from(x instanceof OctetString ? x.buffer : x);
  return bytes(a).equals(bytes(b));
}

/** POSTs the request and reads the answer within the limits; rejects on any transport failure. */
function post(url: URL, body: Buffer, limits: OcspLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST', timeout: limits.deadlineMs, agent: false,
      headers: { 'Content-Type': 'application/ocsp-request', 'Content-Length': body.length, Connection: 'close', Accept: 'application/ocsp-response' },
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limits.maxResponseBytes) req.destroy(new Error(`response larger than ${limits.maxResponseBytes} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new Error('no answer in time')), limits.deadlineMs);
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(new Error('no answer in time')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The responder's signature checks against the issuer, or against a certificate the issuer delegated OCSP signing
 * to and that is within its validity now (RFC 6960 4.2.2.2: an expired responder key no longer speaks for the issuer).
 */
function signedByIssuerOrDelegate(basic: BasicOCSPResponse, issuer: X509Certificate, now: Date): boolean {
  const algorithm = basic.signatureAlgorithm.algorithm;
  if (!(algorithm in SIGNATURE_DIGESTS)) return false;
  const digest = SIGNATURE_DIGESTS[algorithm];
  const data = Buffer.from(basic.tbsResponseDataRaw ?? AsnConvert.serialize(basic.tbsResponseData));
  const signature = Buffer.from(basic.signature);
  const signers = [issuer.publicKey];
  for (const c of basic.certs ?? []) {
    const delegate = new X509Certificate(Buffer.from(AsnConvert.serialize(c)));
    const current = Date.parse(delegate.validFrom) <= now.getTime() && now.getTime() <= Date.parse(delegate.validTo);
    if (current && delegate.checkIssued(issuer) && delegate.verify(issuer.publicKey) && (delegate.keyUsage ?? []).includes(id_kp_OCSPSigning)) {
      signers.push(delegate.publicKey);
    }
  }
  return signers.some((key) => {
    try {
      return verifySignature(digest, data, key.asymmetricKeyType === 'ec' ? { key, dsaEncoding: 'der' } : key, signature);
    } catch {
      return false;
    }
  });
}

/**
 * Asks the certificate's own OCSP responder (the URL in its Authority Information Access) about it, as CloudFront
 * does for trust stores with UseClientCertificateOCSPEndpoint: an unsigned request over HTTP, a response that must
 * be signed by the issuer (or its delegated responder), name this certificate, and be current. Anything else is an
 * `Error` with the documented errorType forms; the Type words after "verification failed:" are ours.
 */
export async function checkOcsp(cert: X509Certificate, issuer: X509Certificate, responder: string, now: Date,
  limits: OcspLimits = DEFAULT_OCSP_LIMITS): Promise<OcspAnswer> {
  let url: URL;
  try {
    url = new URL(responder);
  } catch {
    return failed('ResponderUrlInvalid');
  }
  if (url.protocol !== 'http:') return failed('ResponderUrlInvalid');
  const certId = certIdOf(cert, issuer);
  const body = Buffer.from(AsnConvert.serialize(new OCSPRequest({ tbsRequest: new TBSRequest({ requestList: [new Request({ reqCert: certId })] }) })));
  let raw: Buffer;
  try {
    raw = await post(url, body, limits);
  } catch {
    return { status: 'Error', errorType: 'InternalError' };
  }
  let basic: BasicOCSPResponse;
  try {
    const response = AsnConvert.parse(raw, OCSPResponse);
    if (response.responseStatus !== OCSPResponseStatus.successful || !response.responseBytes) return failed('Unsuccessful');
    if (response.responseBytes.responseType !== id_pkix_ocsp_basic) return failed('UnsupportedResponseType');
    basic = AsnConvert.parse(response.responseBytes.response.buffer, BasicOCSPResponse);
  } catch {
    return failed('Malformed');
  }
  if (!signedByIssuerOrDelegate(basic, issuer, now)) return failed('SignatureInvalid');
  const single = basic.tbsResponseData.responses.find((r) => same(r.certID.serialNumber, certId.serialNumber)
    && same(r.certID.issuerNameHash, certId.issuerNameHash) && same(r.certID.issuerKeyHash, certId.issuerKeyHash));
  if (!single) return failed('CertIdMismatch');
  const t = now.getTime();
  if (single.thisUpdate.getTime() > t + CLOCK_SKEW_MS || (single.nextUpdate && single.nextUpdate.getTime() < t - CLOCK_SKEW_MS)) {
    return failed('ResponseNotCurrent');
  }
  if (single.certStatus.revoked) return { status: 'Revoked' };
  if (single.certStatus.good !== undefined) return { status: 'Good' };
  return { status: 'Unknown' };
}

/** The first OCSP responder URL of a certificate's Authority Information Access, if any. */
export function ocspResponderOf(cert: X509Certificate): string | undefined {
  return /^OCSP - URI:(\S+)$/m.exec(cert.infoAccess ?? '')?.[1];
}

