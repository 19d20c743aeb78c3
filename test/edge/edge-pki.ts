import * as fs from 'node:fs';
import * as path from 'node:path';
import { webcrypto } from 'node:crypto';
import { x509 } from '../../revocation/x509-library';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

/** A client identity on disk, as curl and openssl take it. */
export interface ClientFiles { cert: string; key: string; serialHex: string; subject: string }

export interface EdgePki {
  dir: string;
  /** The trust store's CA (bundle), its key (for the OCSP responder). */
  caFile: string;
  /** The CA of `foreign`, which no trust store holds at first. */
  foreignCaFile: string;
  caKeyFile: string;
  valid: ClientFiles;
  revoked: ClientFiles;
  expired: ClientFiles;
  /** Issued by a CA no trust store holds. */
  foreign: ClientFiles;
  /** Issued through an intermediate the client sends along. */
  viaIntermediate: ClientFiles;
  /** With an OCSP responder URL: one the responder says is good, one it says is revoked. */
  ocspGood: ClientFiles;
  ocspRevoked: ClientFiles;
  /** openssl ocsp's index file: which serials are revoked. */
  ocspIndex: string;
}

async function pemKey(k: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', k), 'PRIVATE KEY');
}

/**
 * Real certificates (ECDSA P-256, made with Node's WebCrypto) for the edge tests: a root CA for the trust store,
 * an intermediate under it, a foreign CA, and clients valid, revoked (a high-bit serial), expired, foreign, via
 * the intermediate, and two with an OCSP responder URL on `ocspUrl`.
 */
export async function makeEdgePki(dir: string, ocspUrl: string): Promise<EdgePki> {
  fs.mkdirSync(dir, { recursive: true });
  const now = Date.now();
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const ca = async (serial: string, name: string, signer?: { cert: x509.X509Certificate; key: webcrypto.CryptoKey }) => {
    const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
    const extensions = [new x509.BasicConstraintsExtension(true, signer ? 0 : 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)];
    const cert = signer
      ? await x509.X509CertificateGenerator.create({ serialNumber: serial, subject: name, issuer: signer.cert.subject, notBefore: new Date(now - DAY),
        notAfter: new Date(now + 365 * DAY), publicKey: keys.publicKey, signingKey: signer.key, signingAlgorithm: ALG, extensions })
      : await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: serial, name, notBefore: new Date(now - DAY),
        notAfter: new Date(now + 365 * DAY), keys, signingAlgorithm: ALG, extensions });
    return { cert, key: keys.privateKey };
  };
  const root = await ca('01', 'C=US, O=Edge Test, CN=Edge Test Root CA');
  const intermediate = await ca('02', 'C=US, O=Edge Test, CN=Edge Test Intermediate CA', root);
  const foreignCa = await ca('03', 'C=US, O=Elsewhere, CN=Elsewhere Root CA');
  const client = async (name: string, serial: string, cn: string, issuer: { cert: x509.X509Certificate; key: webcrypto.CryptoKey },
    opts: { notAfter?: number; ocsp?: boolean; chain?: x509.X509Certificate[] } = {}): Promise<ClientFiles> => {
    const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
    const subject = `C=US, O=Edge Test, CN=${cn}`;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial, subject, issuer: issuer.cert.subject,
      notBefore: new Date(now - 30 * DAY), notAfter: new Date(opts.notAfter ?? now + 90 * DAY),
      publicKey: keys.publicKey, signingKey: issuer.key, signingAlgorithm: ALG,
      extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: cn }]),
        ...(opts.ocsp ? [new x509.AuthorityInfoAccessExtension({ ocsp: [new x509.GeneralName('url', ocspUrl)] })] : [])],
    });
    return {
      cert: write(`${name}.pem`, [cert, ...(opts.chain ?? [])].map((c) => c.toString('pem')).join('\n') + '\n'),
      key: write(`${name}-key.pem`, await pemKey(keys.privateKey)),
      serialHex: serial, subject,
    };
  };
  const expiredAt = now - 2 * DAY;
  const ocspGood = await client('ocsp-good', '4e11', 'ocsp-good.edge.test', root, { ocsp: true });
  const ocspRevoked = await client('ocsp-revoked', '4e22', 'ocsp-revoked.edge.test', root, { ocsp: true });
  // openssl ocsp's CA database: V(alid) / R(evoked) lines, tab separated: status, expiry, revocation date, serial, file, subject.
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  const ocspIndex = write('ocsp-index.txt', [
    ['V', stamp(now + 90 * DAY), '', '4E11', 'unknown', '/C=US/O=Edge Test/CN=ocsp-good.edge.test'],
    ['R', stamp(now + 90 * DAY), stamp(now - DAY), '4E22', 'unknown', '/C=US/O=Edge Test/CN=ocsp-revoked.edge.test'],
  ].map((f) => f.join('\t')).join('\n') + '\n');
  write('ocsp-index.txt.attr', 'unique_subject = no\n');
  return {
    dir,
    caFile: write('root-ca.pem', root.cert.toString('pem') + '\n'),
    caKeyFile: write('root-ca-key.pem', await pemKey(root.key)),
    foreignCaFile: write('foreign-ca.pem', foreignCa.cert.toString('pem') + '\n'),
    valid: await client('valid', '1a2b3c4d', 'valid.edge.test', root),
    revoked: await client('revoked', '9f3ac0ffee51d2e8', 'revoked.edge.test', root),
    expired: await client('expired', '0e0e', 'expired.edge.test', root, { notAfter: expiredAt }),
    foreign: await client('foreign', '5f5f', 'foreign.edge.test', foreignCa),
    viaIntermediate: await client('via-intermediate', '7a7a', 'via-intermediate.edge.test', intermediate, { chain: [intermediate.cert] }),
    ocspGood, ocspRevoked, ocspIndex,
  };
}
