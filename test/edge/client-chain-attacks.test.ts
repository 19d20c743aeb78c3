// Client chains CloudFront would refuse, held against the edge's trust-store validation: real certificates (ECDSA
// P-256 made with WebCrypto), each one a way a client might try to pass a chain that must not validate.
import { webcrypto, X509Certificate } from 'node:crypto';
import { validateClientChain, type TrustStoreView } from '../../edge/client-chain';
import { x509 } from '../../revocation/x509-library';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
const now = Date.now();
type Issuer = { cert: x509.X509Certificate; key: webcrypto.CryptoKey };
let serial = 1;

async function keys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>;
}

interface Opts { ca?: boolean; pathLen?: number; usages?: number; eku?: string[]; notBefore?: number; notAfter?: number }

async function issue(name: string, signer: Issuer | 'self', o: Opts = {}): Promise<Issuer> {
  const k = await keys();
  const extensions: x509.Extension[] = [];
  if (o.ca !== undefined) extensions.push(new x509.BasicConstraintsExtension(o.ca, o.pathLen, true));
  if (o.usages !== undefined) extensions.push(new x509.KeyUsagesExtension(o.usages, true));
  if (o.eku) extensions.push(new x509.ExtendedKeyUsageExtension(o.eku));
  const common = { serialNumber: (serial++).toString(16).padStart(2, '0'), notBefore: new Date(o.notBefore ?? now - DAY),
    notAfter: new Date(o.notAfter ?? now + 30 * DAY), signingAlgorithm: ALG, extensions };
  const cert = signer === 'self'
    ? await x509.X509CertificateGenerator.createSelfSigned({ ...common, name, keys: k })
    : await x509.X509CertificateGenerator.create({ ...common, subject: name, issuer: signer.cert.subject, publicKey: k.publicKey, signingKey: signer.key });
  return { cert, key: k.privateKey };
}

const CA_USAGES = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;
const node = (i: Issuer) => new X509Certificate(Buffer.from(i.cert.rawData));
const client = (issuer: Issuer, cn = 'client', o: Opts = {}) => issue(`CN=${cn}`, issuer, { eku: [x509.ExtendedKeyUsage.clientAuth], ...o });

let root: Issuer;
let store: TrustStoreView;
const check = (...chain: Issuer[]) => validateClientChain(chain.map(node), store, new Date(now));

beforeAll(async () => {
  root = await issue('CN=Attack Root CA', 'self', { ca: true, usages: CA_USAGES });
  store = { cas: [node(root)], ignoreCertificateExpiry: false, useOcsp: false };
});

test('an honest leaf, directly and through an intermediate, validates (the probes below are refused for their own fault)', async () => {
  expect(check(await client(root))).toMatchObject({ ok: true });
  const mid = await issue('CN=Mid', root, { ca: true, usages: CA_USAGES });
  expect(check(await client(mid), mid)).toMatchObject({ ok: true });
});

test('an intermediate whose issuer set pathLen 0 cannot issue another CA', async () => {
  const mid1 = await issue('CN=Mid One', root, { ca: true, pathLen: 0, usages: CA_USAGES });
  const mid2 = await issue('CN=Mid Two', mid1, { ca: true, usages: CA_USAGES });
  expect(check(await client(mid2), mid2, mid1)).toMatchObject({ ok: false, reason: 'ClientCertInvalid' });
});

test('a trust anchor with pathLen 0 admits no intermediate', async () => {
  const strictRoot = await issue('CN=Strict Root', 'self', { ca: true, pathLen: 0, usages: CA_USAGES });
  const mid = await issue('CN=Mid Under Strict', strictRoot, { ca: true, usages: CA_USAGES });
  const strict = { ...store, cas: [node(strictRoot)] };
  expect(validateClientChain([node(await client(mid)), node(mid)], strict, new Date(now))).toMatchObject({ ok: false, reason: 'ClientCertInvalid' });
  expect(validateClientChain([node(await client(strictRoot))], strict, new Date(now))).toMatchObject({ ok: true });
});

test("the trust store's own CA certificate presented as the client's is refused", async () => {
  expect(check(root)).toMatchObject({ ok: false, reason: 'ClientCertIntentInvalid' });
});

test('a leaf whose key usage excludes signing is refused', async () => {
  expect(check(await client(root, 'enc-only', { usages: x509.KeyUsageFlags.keyEncipherment }))).toMatchObject({ ok: false, reason: 'ClientCertIntentInvalid' });
  expect(check(await client(root, 'signs', { usages: x509.KeyUsageFlags.digitalSignature }))).toMatchObject({ ok: true });
});

test('a leaf signed by a non-CA certificate, or by a CA without keyCertSign, is refused', async () => {
  const notCa = await issue('CN=Not A CA', root, { ca: false, usages: CA_USAGES });
  expect(check(await client(notCa), notCa)).toMatchObject({ ok: false });
  const noCertSign = await issue('CN=No CertSign', root, { ca: true, usages: x509.KeyUsageFlags.cRLSign });
  expect(check(await client(noCertSign), noCertSign)).toMatchObject({ ok: false });
});

test('a chain deeper than 4 certificates is refused', async () => {
  const a = await issue('CN=A', root, { ca: true, usages: CA_USAGES });
  const b = await issue('CN=B', a, { ca: true, usages: CA_USAGES });
  const c = await issue('CN=C', b, { ca: true, usages: CA_USAGES });
  expect(check(await client(c), c, b, a)).toMatchObject({ ok: false, reason: 'ClientCertMaxChainDepthExceeded' });
});

test("a self-signed leaf named as the CA, and a foreign CA of the same name with another key, are untrusted", async () => {
  expect(check(await issue('CN=Attack Root CA', 'self', { eku: [x509.ExtendedKeyUsage.clientAuth] }))).toMatchObject({ ok: false, reason: 'ClientCertUntrusted' });
  const impostor = await issue('CN=Attack Root CA', 'self', { ca: true, usages: CA_USAGES });
  expect(check(await client(impostor), impostor)).toMatchObject({ ok: false, reason: 'ClientCertUntrusted' });
});

test('serverAuth-only leaves, expired intermediates and not-yet-valid leaves are refused', async () => {
  expect(check(await client(root, 'server', { eku: [x509.ExtendedKeyUsage.serverAuth] }))).toMatchObject({ ok: false, reason: 'ClientCertIntentInvalid' });
  const old = await issue('CN=Old Mid', root, { ca: true, usages: CA_USAGES, notBefore: now - 10 * DAY, notAfter: now - DAY });
  expect(check(await client(old), old)).toMatchObject({ ok: false, reason: 'ClientCertExpired' });
  expect(check(await client(root, 'future', { notBefore: now + DAY }))).toMatchObject({ ok: false, reason: 'ClientCertNotYetValid' });
});
