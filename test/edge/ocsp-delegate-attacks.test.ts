// OCSP answers signed by someone other than the issuer: a responder the issuer delegated to counts only while its
// own certificate is valid (RFC 6960 4.2.2.2), and a look-alike responder certificate never counts. Each answer is
// real, signed by `openssl ocsp` with the responder key under test.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { webcrypto, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkOcsp } from '../../edge/ocsp-check';
import { x509 } from '../../revocation/x509-library';
import { tempDir } from '../emulator/harness';
import { makeEdgePki, type EdgePki } from './edge-pki';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
let dir: string;
let pki: EdgePki;
let ca: X509Certificate;
let server: Server;
let url: string;
/** The responder certificate and key `openssl ocsp` signs with for the next request. */
let signer: { cert: string; key: string };

async function responderCert(name: string, o: { selfSigned?: boolean; notAfter: number }): Promise<{ cert: string; key: string }> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const caKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decode(fs.readFileSync(pki.caKeyFile, 'utf8'))[0], ALG, false, ['sign']);
  const caCert = new x509.X509Certificate(fs.readFileSync(pki.caFile, 'utf8'));
  const common = { serialNumber: '0d', notBefore: new Date(o.notAfter - 30 * DAY), notAfter: new Date(o.notAfter), signingAlgorithm: ALG,
    extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.ocspSigning])] };
  const cert = o.selfSigned
    ? await x509.X509CertificateGenerator.createSelfSigned({ ...common, name: caCert.subject, keys })
    : await x509.X509CertificateGenerator.create({ ...common, subject: `CN=${name}`, issuer: caCert.subject, publicKey: keys.publicKey, signingKey: caKey });
  const out = { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}-key.pem`) };
  fs.writeFileSync(out.cert, cert.toString('pem') + '\n');
  fs.writeFileSync(out.key, x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'));
  return out;
}

beforeAll(async () => {
  dir = tempDir();
  pki = await makeEdgePki(path.join(dir, 'pki'), 'http://127.0.0.1:9/');
  ca = new X509Certificate(fs.readFileSync(pki.caFile));
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      fs.writeFileSync(path.join(dir, 'req.der'), Buffer.concat(chunks));
      execFileSync('openssl', ['ocsp', '-index', pki.ocspIndex, '-CA', pki.caFile, '-rsigner', signer.cert, '-rkey', signer.key,
        '-reqin', path.join(dir, 'req.der'), '-respout', path.join(dir, 'resp.der'), '-nmin', '5'], { stdio: 'ignore', timeout: 5000 });
      res.writeHead(200, { 'content-type': 'application/ocsp-response' });
      res.end(fs.readFileSync(path.join(dir, 'resp.der')));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}, 30_000);
afterAll(() => server?.close());

const good = () => new X509Certificate(fs.readFileSync(pki.ocspGood.cert));

test('a responder the issuer delegated to, within its validity: Good', async () => {
  signer = await responderCert('delegate', { notAfter: Date.now() + 30 * DAY });
  expect(await checkOcsp(good(), ca, url, new Date())).toEqual({ status: 'Good' });
});

test('a delegated responder whose certificate expired: SignatureInvalid (an old responder key cannot vouch any more)', async () => {
  signer = await responderCert('expired-delegate', { notAfter: Date.now() - DAY });
  expect(await checkOcsp(good(), ca, url, new Date())).toEqual({ status: 'Error', errorType: 'OCSP response verification failed: SignatureInvalid' });
});

test('a self-signed responder certificate named as the CA: SignatureInvalid', async () => {
  signer = await responderCert('look-alike', { selfSigned: true, notAfter: Date.now() + 30 * DAY });
  expect(await checkOcsp(good(), ca, url, new Date())).toEqual({ status: 'Error', errorType: 'OCSP response verification failed: SignatureInvalid' });
});
