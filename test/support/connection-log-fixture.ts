/**
 * Connection logs as CloudFront writes them, made from real certificates: two CAs (one the trust store holds, one
 * foreign), client certificates signed by them, and JSON-lines records of handshakes by those certificates, with
 * the fields of each certificate exactly as the connection object (and so the log) spells them.
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { connectionLogValidity, connectionStatus, type ConnectionFailureReason, type ConnectionLogRecord } from '../../connection-logs/connection-log-record';
import { x509 } from '../../revocation/x509-library';
import { buildConnectionObject, type ConnectionObject } from '../../runtime/payload';
import { canonicalSerial } from '../../revocation/canonical-serial';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface FixtureCertificate {
  /** The leaf as the connection object describes it. */
  leaf: NonNullable<ConnectionObject['clientCertificate']>['certificates']['leaf'];
  /** CN of the subject. */
  cn: string;
  trusted: boolean;
  revoked: boolean;
}

export interface LogFixture {
  certs: FixtureCertificate[];
  /** The store: canonical serials of the revoked certificates. */
  store: [string, string][];
}

/**
 * `count` client certificates of the trusted CA (every `revokedEvery`-th revoked; CNs from `cnOf`) and `foreign`
 * certificates of a CA the trust store does not hold. Serials are random 8 bytes, so about half keep a DER 00.
 */
export async function makeLogFixture(opts: { count: number; foreign: number; revokedEvery: number; cnOf?: (i: number) => string }): Promise<LogFixture> {
  const now = Date.now();
  const day = 86_400_000;
  const mkCa = async (name: string) => {
    const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01', name, notBefore: new Date(now - day), notAfter: new Date(now + 365 * day), keys, signingAlgorithm: ALG,
      extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
    });
    return { keys, cert };
  };
  const trusted = await mkCa('C=US, O=Example Corp, CN=Example Corp Client CA');
  const foreign = await mkCa('C=US, O=Elsewhere Inc, CN=Elsewhere Root');
  const leafKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const certs: FixtureCertificate[] = [];
  const make = async (ca: typeof trusted, cn: string, isTrusted: boolean, revoked: boolean) => {
    const c = await x509.X509CertificateGenerator.create({
      serialNumber: randomBytes(8).toString('hex'), subject: `C=US, O=Example Corp, CN=${cn}`, issuer: ca.cert.subject,
      notBefore: new Date(now - day), notAfter: new Date(now + 90 * day), publicKey: leafKeys.publicKey, signingKey: ca.keys.privateKey, signingAlgorithm: ALG,
    });
    const leaf = buildConnectionObject(c.toString('pem')).clientCertificate!.certificates.leaf;
    certs.push({ leaf, cn, trusted: isTrusted, revoked });
  };
  const cnOf = opts.cnOf ?? ((i: number) => `client-${i}.example.com`);
  for (let i = 0; i < opts.count; i++) await make(trusted, cnOf(i), true, i % opts.revokedEvery === opts.revokedEvery - 1);
  for (let i = 0; i < opts.foreign; i++) await make(foreign, `stranger-${i}.example.net`, false, false);
  return { certs, store: certs.filter((c) => c.revoked).map((c) => [canonicalSerial(c.leaf.serialNumber)!, 'revoked']) };
}

/** One handshake record of `cert` at `at`, with the status CloudFront logs for what happened. */
export function logRecord(cert: FixtureCertificate | undefined, at: number, reason?: ConnectionFailureReason, distributionId = 'E1NXS4MQZH501R'): ConnectionLogRecord {
  const port = 1024 + Math.floor(Math.random() * 60000);
  return {
    eventTimestamp: at,
    connectionId: randomBytes(40).toString('base64url') + '==',
    connectionStatus: connectionStatus(reason),
    clientIp: `198.51.100.${1 + Math.floor(Math.random() * 250)}`,
    clientPort: port,
    serverIp: '192.0.2.10',
    distributionId,
    tlsProtocol: 'TLSv1.3',
    tlsCipher: 'TLS_AES_128_GCM_SHA256',
    tlsHandshakeDuration: 3 + Math.floor(Math.random() * 40),
    tlsSni: 'd111111abcdef8.cloudfront.net',
    ...(cert ? {
      clientLeafCertSerialNumber: cert.leaf.serialNumber,
      clientLeafCertSubject: cert.leaf.subject,
      clientLeafCertIssuer: cert.leaf.issuer,
      clientLeafCertValidity: connectionLogValidity(cert.leaf.validity.notBefore, cert.leaf.validity.notAfter),
    } : {}),
    ...(reason === 'ConnectionFunctionDenied' ? { connectionLogCustomData: `deny: revoked ${canonicalSerial(cert!.leaf.serialNumber)}` } : {}),
  };
}

/**
 * `n` handshakes as JSON lines, round robin over the certificates: a trusted certificate's handshake succeeds (or is
 * denied by the function when revoked); a foreign one fails the handshake (ClientCertUntrusted, function not run).
 * `distributionId`: the distribution the records name (default: the documentation's example id).
 */
export function logLines(fx: LogFixture, n: number, start = Date.now() - 3_600_000, distributionId?: string): string[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const cert = fx.certs[i % fx.certs.length];
    const reason = !cert.trusted ? 'ClientCertUntrusted' : cert.revoked ? 'ConnectionFunctionDenied' : undefined;
    lines.push(JSON.stringify(logRecord(cert, start + i * 100, reason, distributionId)));
  }
  return lines;
}
