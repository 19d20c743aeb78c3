import * as fs from 'node:fs';
import * as path from 'node:path';
import { webcrypto } from 'node:crypto';
import { x509 } from '../revocation/x509-library';
import { makeFolder } from '../host/make-folder';

/** A small private CA made fresh for the demo: real certificates and a real signed CRL, nothing canned. */
export interface DemoPki {
  caFile: string;
  crlFile: string;
  /** A client certificate the CRL revokes (its serial has the high bit set, so its DER form keeps a leading 00). */
  revokedCertFile: string;
  revokedSerial: string;
  /** A client certificate in good standing. */
  goodCertFile: string;
  /** The private keys of the two (PKCS #8 PEM), for real TLS clients. */
  revokedKeyFile: string;
  goodKeyFile: string;
  /** A client certificate of the demo CA that expired yesterday, and its key. */
  expiredCertFile: string;
  expiredKeyFile: string;
  /** A client certificate from a CA no trust store holds, and its key. */
  foreignCertFile: string;
  foreignKeyFile: string;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export async function createDemoPki(dir: string): Promise<DemoPki> {
  makeFolder(dir);
  const now = new Date();
  const inDays = (d: number) => new Date(now.getTime() + d * 86_400_000);
  const caKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const caName = 'C=US, O=Demo Corp, CN=Demo Corp Client CA';
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: caName, notBefore: inDays(-1), notAfter: inDays(365), keys: caKeys, signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  const foreignKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const foreignCa = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '02', name: 'C=US, O=Elsewhere Inc, CN=Elsewhere Client CA', notBefore: inDays(-1), notAfter: inDays(365), keys: foreignKeys, signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
  });
  const client = async (serial: string, cn: string, opts: { org?: string; issuer?: x509.X509Certificate; signingKey?: webcrypto.CryptoKey; notAfter?: Date; notBefore?: Date } = {}) => {
    const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial, subject: `C=US, O=${opts.org ?? 'Demo Corp'}, CN=${cn}`, issuer: (opts.issuer ?? ca).subject,
      notBefore: opts.notBefore ?? inDays(-1), notAfter: opts.notAfter ?? inDays(90),
      publicKey: keys.publicKey, signingKey: opts.signingKey ?? caKeys.privateKey, signingAlgorithm: ALG,
    });
    const key = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
    return { cert, key };
  };
  const revokedSerial = '9f3ac0ffee51d2e8';
  const { cert: revoked, key: revokedKey } = await client(revokedSerial, 'laptop-lost.demo.example');
  const { cert: good, key: goodKey } = await client('1c7e0a55d00d2b41', 'api-client.demo.example');
  const expired = await client('2d0e7a11ed0f1c3a', 'old-batch-job.demo.example', { notBefore: inDays(-90), notAfter: inDays(-1) });
  const foreign = await client('3e51f0e1d5a7b0c2', 'intruder.elsewhere.example', { org: 'Elsewhere Inc', issuer: foreignCa, signingKey: foreignKeys.privateKey });
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.subject, thisUpdate: now, nextUpdate: inDays(7), signingKey: caKeys.privateKey, signingAlgorithm: ALG,
    entries: [{ serialNumber: revokedSerial, revocationDate: now, reason: x509.X509CrlReason.keyCompromise }],
  });
  const write = (name: string, text: string, mode = 0o644) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text, { mode });
    return f;
  };
  return {
    caFile: write('demo-ca.pem', ca.toString('pem')),
    // RFC 7468 label, so openssl and other tools read it too.
    crlFile: write('demo-ca.crl.pem', x509.PemConverter.encode(crl.rawData, 'X509 CRL')),
    revokedCertFile: write('laptop-lost.pem', revoked.toString('pem')),
    revokedSerial,
    goodCertFile: write('api-client.pem', good.toString('pem')),
    revokedKeyFile: write('laptop-lost-key.pem', revokedKey, 0o600),
    goodKeyFile: write('api-client-key.pem', goodKey, 0o600),
    expiredCertFile: write('old-batch-job.pem', expired.cert.toString('pem')),
    expiredKeyFile: write('old-batch-job-key.pem', expired.key, 0o600),
    foreignCertFile: write('intruder-elsewhere.pem', foreign.cert.toString('pem')),
    foreignKeyFile: write('intruder-elsewhere-key.pem', foreign.key, 0o600),
  };
}
