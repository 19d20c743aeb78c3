import * as fs from 'node:fs';
import * as path from 'node:path';
import { webcrypto } from 'node:crypto';
import { x509 } from '../../revocation/x509-library';

/** A small private CA made fresh for the demo: real certificates and a real signed CRL, nothing canned. */
export interface DemoPki {
  caFile: string;
  crlFile: string;
  /** A client certificate the CRL revokes (its serial has the high bit set, so its DER form keeps a leading 00). */
  revokedCertFile: string;
  revokedSerial: string;
  /** A client certificate in good standing. */
  goodCertFile: string;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export async function createDemoPki(dir: string): Promise<DemoPki> {
  fs.mkdirSync(dir, { recursive: true });
  const now = new Date();
  const inDays = (d: number) => new Date(now.getTime() + d * 86_400_000);
  const caKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const caName = 'C=US, O=Demo Corp, CN=Demo Corp Client CA';
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: caName, notBefore: inDays(-1), notAfter: inDays(365), keys: caKeys, signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  const client = async (serial: string, cn: string) => {
    const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
    return x509.X509CertificateGenerator.create({
      serialNumber: serial, subject: `C=US, O=Demo Corp, CN=${cn}`, issuer: ca.subject, notBefore: inDays(-1), notAfter: inDays(90),
      publicKey: keys.publicKey, signingKey: caKeys.privateKey, signingAlgorithm: ALG,
    });
  };
  const revokedSerial = '9f3ac0ffee51d2e8';
  const revoked = await client(revokedSerial, 'laptop-lost.demo.example');
  const good = await client('1c7e0a55d00d2b41', 'api-client.demo.example');
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.subject, thisUpdate: now, nextUpdate: inDays(7), signingKey: caKeys.privateKey, signingAlgorithm: ALG,
    entries: [{ serialNumber: revokedSerial, revocationDate: now, reason: x509.X509CrlReason.keyCompromise }],
  });
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  return {
    caFile: write('demo-ca.pem', ca.toString('pem')),
    // RFC 7468 label, so openssl and other tools read it too.
    crlFile: write('demo-ca.crl.pem', x509.PemConverter.encode(crl.rawData, 'X509 CRL')),
    revokedCertFile: write('laptop-lost.pem', revoked.toString('pem')),
    revokedSerial,
    goodCertFile: write('api-client.pem', good.toString('pem')),
  };
}
