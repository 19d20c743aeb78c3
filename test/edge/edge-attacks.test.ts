// The edge against clients that try to make it forward what it must not: certificate names the origin request
// cannot carry as they are, forged and smuggled requests. After each, an honest client is still served.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UNMATCHED_LOG } from '../../edge/connection-log-writer';
import { webcrypto } from 'node:crypto';
import { connect, type TLSSocket } from 'node:tls';
import { x509 } from '../../revocation/x509-library';
import { logRecords, run, startEdgeFixture, type DistributionKey, type EdgeFixture } from './edge-fixture';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
let f: EdgeFixture;
beforeAll(async () => { f = await startEdgeFixture(); }, 60_000);
afterAll(async () => f?.stop());

/** A client certificate under the fixture's trust-store CA with the given subject, written as curl takes it. */
async function clientNamed(file: string, cn: string): Promise<{ cert: string; key: string }> {
  const der = x509.PemConverter.decode(fs.readFileSync(f.pki.caKeyFile, 'utf8'))[0];
  const caKey = await webcrypto.subtle.importKey('pkcs8', der, ALG, false, ['sign']);
  const ca = new x509.X509Certificate(fs.readFileSync(f.pki.caFile, 'utf8'));
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  // As a JSON name: the string form would read the CN's own commas and newlines as syntax.
  const subject = new x509.Name([{ C: ['US'] }, { O: ['Edge Test'] }, { CN: [cn] }]);
  const cert = await x509.X509CertificateGenerator.create({ serialNumber: '0c0ffee1', subject, issuer: ca.subject,
    notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 86_400_000), publicKey: keys.publicKey,
    signingKey: caKey, signingAlgorithm: ALG, extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])] });
  const out = { cert: path.join(f.dir, `${file}.pem`), key: path.join(f.dir, `${file}-key.pem`) };
  fs.writeFileSync(out.cert, cert.toString('pem') + '\n');
  fs.writeFileSync(out.key, x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'));
  return out;
}

function curl(client: { cert: string; key: string }) {
  const name = f.names.required;
  return run('curl', ['-sS', '--max-time', '10', '--cacert', f.edge.caFile!, '--resolve', `${name}:${f.edge.port}:127.0.0.1`,
    '--cert', client.cert, '--key', client.key, `https://${name}:${f.edge.port}/hello`]);
}

test('a subject with characters beyond Latin-1 and controls reaches the origin escaped, and the edge serves on', async () => {
  // Node refuses such a header value by throwing; thrown in the request handler it ended the emulator.
  const client = await clientNamed('unicode', '客户 ünï\r\nX-Injected: 1');
  const before = f.originSeen.length;
  expect(await curl(client)).toMatchObject({ code: 0, stdout: 'origin saw /hello\n' });
  const seen = f.originSeen[before].headers;
  expect(seen['x-injected']).toBeUndefined();
  const subject = String(seen['cloudfront-viewer-cert-subject']);
  expect(subject).toMatch(/^CN=\\E5\\AE\\A2\\E6\\88\\B7 \\C3\\BC/);
  expect(subject).toMatch(/^[\x20-\x7e]+,O=Edge Test,C=US$/);
  // One log line per handshake, whatever the subject holds.
  const records = logRecords(f, 'required');
  expect(records[records.length - 1]).toMatchObject({ connectionStatus: 'Success', clientLeafCertSerialNumber: '0c:0f:fe:e1' });
  expect(await curl(f.pki.valid)).toMatchObject({ code: 0, stdout: 'origin saw /hello\n' });
});

/** Sends raw bytes on an allowed connection and returns what came back before the edge closed it (2 s at most). */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: f.edge.port, servername: f.names.required, ca: fs.readFileSync(f.edge.caFile!),
      cert: fs.readFileSync(f.pki.valid.cert), key: fs.readFileSync(f.pki.valid.key) }, () => s.write(bytes));
    let got = '';
    s.on('data', (d: Buffer) => { got += d.toString('latin1'); });
    s.on('error', reject);
    s.on('close', () => resolve(got));
    setTimeout(() => s.destroy(), 2000).unref();
  });
}

test('a request smuggled behind Content-Length and Transfer-Encoding together never reaches the origin', async () => {
  const before = f.originSeen.length;
  const answer = await raw('POST /first HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
    + 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n');
  // The edge closes a request its parser refuses without an answer.
  expect(answer).not.toMatch(/HTTP\/1\.1 200/);
  expect(f.originSeen.length).toBe(before);
});

test('a request target with a raw control character is refused before the origin, and the edge serves on', async () => {
  const before = f.originSeen.length;
  const answer = await raw('GET /a\tb HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  expect(answer).not.toMatch(/HTTP\/1\.1 200/);
  expect(f.originSeen.length).toBe(before);
  expect(await curl(f.pki.valid)).toMatchObject({ code: 0, stdout: 'origin saw /hello\n' });
});

/** One request with Node's TLS client, offering `session` for resumption: the status line, whether it resumed, the session it got. */
function requestWith(key: DistributionKey, client: { cert: string; key: string }, maxVersion: 'TLSv1.2' | 'TLSv1.3', session?: Buffer) {
  return new Promise<{ status: string; reused: boolean; session?: Buffer }>((resolve) => {
    let got: Buffer | undefined;
    let body = '';
    let reused = false;
    const s: TLSSocket = connect({ host: '127.0.0.1', port: f.edge.port, servername: f.names[key], ca: fs.readFileSync(f.edge.caFile!), maxVersion,
      cert: fs.readFileSync(client.cert), key: fs.readFileSync(client.key), ...(session ? { session } : {}) }, () => {
      reused = s.isSessionReused();
      s.write('GET /resume HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    s.on('session', (b: Buffer) => { got = b; });
    s.on('data', (d: Buffer) => { body += d.toString(); });
    s.on('error', () => undefined);
    s.on('close', () => resolve({ status: body.split('\r\n')[0], reused, session: got }));
    setTimeout(() => s.destroy(), 3000).unref();
  });
}

test.each(['TLSv1.3', 'TLSv1.2'] as const)('%s: no session resumes, so every connection is decided on the certificates it sends', async (v) => {
  // A resumed session carries the leaf alone: an honest client with an intermediate was refused (ClientCertUntrusted).
  const first = await requestWith('required', f.pki.viaIntermediate, v);
  expect(first.status).toBe('HTTP/1.1 200 OK');
  expect(first.session).toBeDefined();
  const again = await requestWith('required', f.pki.viaIntermediate, v, first.session);
  expect(again).toMatchObject({ status: 'HTTP/1.1 200 OK', reused: false });
  // A session of the passthrough distribution, where nothing is validated, does not carry over to a required one.
  const elsewhere = await requestWith('passthrough', f.pki.foreign, v);
  const carried = await requestWith('required', f.pki.foreign, v, elsewhere.session);
  expect(carried.reused).toBe(false);
  expect(carried.status).toBe('');
  const records = logRecords(f, 'required');
  expect(records[records.length - 1]).toMatchObject({ connectionStatus: 'Failed:ClientCertUntrusted', clientLeafCertSerialNumber: '5f:5f' });
});

test('a client\'s own X-Forwarded-For gets the viewer address appended, as CloudFront does', async () => {
  const name = f.names.required;
  const base = ['-sS', '--max-time', '10', '--cacert', f.edge.caFile!, '--resolve', `${name}:${f.edge.port}:127.0.0.1`,
    '--cert', f.pki.valid.cert, '--key', f.pki.valid.key];
  let before = f.originSeen.length;
  expect(await run('curl', [...base, '-H', 'X-Forwarded-For: 203.0.113.7', `https://${name}:${f.edge.port}/xff`])).toMatchObject({ code: 0 });
  expect(f.originSeen[before].headers['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
  before = f.originSeen.length;
  expect(await run('curl', [...base, `https://${name}:${f.edge.port}/xff`])).toMatchObject({ code: 0 });
  expect(f.originSeen[before].headers['x-forwarded-for']).toBe('127.0.0.1');
});

test('a probe with a name no distribution answers to is logged with its TCP addresses', async () => {
  const r = await run('curl', ['-sS', '--max-time', '5', '--cacert', f.edge.caFile!, '--resolve', `nobody.example:${f.edge.port}:127.0.0.1`,
    `https://nobody.example:${f.edge.port}/`]);
  expect(r.code).not.toBe(0);
  const lines = fs.readFileSync(path.join(f.edge.connectionLogDir, UNMATCHED_LOG), 'utf8').trim().split('\n');
  const last = JSON.parse(lines[lines.length - 1]);
  expect(last).toMatchObject({ connectionStatus: 'Failed:UnmappedConnectionError', tlsSni: 'nobody.example', clientIp: '127.0.0.1', serverIp: '127.0.0.1' });
  expect(last.clientPort).toEqual(expect.any(Number));
  expect(last.tlsHandshakeDuration).toEqual(expect.any(Number));
});
