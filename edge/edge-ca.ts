import * as fs from 'node:fs';
import * as path from 'node:path';
import { webcrypto, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { UserError } from '../diagnostics/user-error';
import { x509 } from '../revocation/x509-library';
import { makeFolder } from '../host/make-folder';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
/** Server certificates made so far, at most this many (one per name a client asked for). */
const MAX_CACHED_NAMES = 256;

/** A server certificate and its key, in PEM, as `tls.createSecureContext` takes them. */
export interface ServerKeyPair { cert: string; key: string }

/** Where the edge's server certificates come from. */
export interface EdgeServerCertificates {
  /** The CA file clients trust (`curl --cacert`), or undefined with the user's own certificate. */
  readonly caFile?: string;
  /** The certificate served for this SNI name. */
  certFor(serverName: string): Promise<ServerKeyPair>;
}

function pem(der: ArrayBuffer, label: string): string {
  return x509.PemConverter.encode(der, label);
}

/**
 * The local CA conngate makes for the edge: created once in `dir` (ca.pem, ca-key.pem readable by the owner only) and
 * reused after, so a client told to trust it keeps trusting it. Server certificates for each name a client asks
 * for are issued on the fly, in memory (short-lived: a week).
 */
export async function localEdgeCa(dir: string): Promise<EdgeServerCertificates> {
  const caFile = path.join(dir, 'ca.pem');
  const keyFile = path.join(dir, 'ca-key.pem');
  let caCert: x509.X509Certificate;
  let caKey: webcrypto.CryptoKey;
  if (fs.existsSync(caFile) && fs.existsSync(keyFile)) {
    try {
      caCert = new x509.X509Certificate(fs.readFileSync(caFile, 'utf8'));
      const der = x509.PemConverter.decodeFirst(fs.readFileSync(keyFile, 'utf8'));
      caKey = await webcrypto.subtle.importKey('pkcs8', der, ALG, false, ['sign']);
    } catch (err) {
      throw new UserError(`edge CA ${dir}`, `ca.pem / ca-key.pem do not load (${(err as Error).message})`,
        'delete the folder to have a new CA made, or put back the files conngate wrote');
    }
  } else {
    makeFolder(dir, 0o700);
    const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
    const now = Date.now();
    caCert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1'),
      name: 'O=conngate, CN=conngate local edge CA', notBefore: new Date(now - 3_600_000),
      notAfter: new Date(now + 5 * 365 * 86_400_000), keys, signingAlgorithm: ALG,
      extensions: [new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
    });
    fs.writeFileSync(keyFile, pem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'), { mode: 0o600 });
    fs.writeFileSync(caFile, caCert.toString('pem'));
    caKey = keys.privateKey;
  }
  const issued = new Map<string, Promise<ServerKeyPair>>();
  const issue = async (name: string): Promise<ServerKeyPair> => {
    const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1'),
      subject: `CN=${name.replace(/[,=+<>#;"\\]/g, '')}`, issuer: caCert.subject,
      notBefore: new Date(now - 3_600_000), notAfter: new Date(now + 7 * 86_400_000),
      publicKey: keys.publicKey, signingKey: caKey, signingAlgorithm: ALG,
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: name }]),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth])],
    });
    return { cert: cert.toString('pem') + '\n' + caCert.toString('pem'), key: pem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY') };
  };
  return {
    caFile,
    certFor(serverName: string) {
      const name = serverName.toLowerCase();
      let p = issued.get(name);
      if (!p) {
        if (issued.size >= MAX_CACHED_NAMES) issued.delete(issued.keys().next().value as string);
        p = issue(name);
        issued.set(name, p);
        p.catch(() => issued.delete(name));
      }
      return p;
    },
  };
}

/** The user's own server certificate (PEM chain) and key, served for every name. */
export function userServerCertificate(certFile: string, keyFile: string): EdgeServerCertificates {
  let pair: ServerKeyPair;
  try {
    pair = { cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8') };
    new X509Certificate(pair.cert);
    // The key must be the certificate's: a mismatched pair would fail every handshake, each one silently.
    createSecureContext(pair);
  } catch (err) {
    throw new UserError(`emulator --edge-cert ${certFile}`, `does not load as a PEM certificate with --edge-key ${keyFile} (${(err as Error).message})`,
      'pass a PEM certificate (its chain after it) and its PEM private key');
  }
  return { certFor: async () => pair };
}
