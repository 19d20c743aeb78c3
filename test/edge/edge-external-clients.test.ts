// The local edge against clients no one here wrote: curl and openssl s_client, with real certificates, through
// the emulator's distributions in every viewer-mTLS mode. What each client sees, what the origin sees, and what
// the connection log says.
import * as fs from 'node:fs';
import { X509Certificate } from 'node:crypto';
import * as cf from '@aws-sdk/client-cloudfront';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../aws/clients';
import { logRecords, run, startEdgeFixture, type DistributionKey, type EdgeFixture } from './edge-fixture';

let f: EdgeFixture;
beforeAll(async () => { f = await startEdgeFixture(); }, 60_000);
afterAll(async () => f?.stop());

/** curl through the edge: --resolve pins the SNI name to loopback; the edge's CA is the only one trusted. */
async function curl(key: DistributionKey | string, client?: { cert: string; key: string }, extra: string[] = []) {
  const name = key in (f?.names ?? {}) ? f.names[key as DistributionKey] : key;
  const args = ['-sS', '--max-time', '10', '--cacert', f.edge.caFile!, '--resolve', `${name}:${f.edge.port}:127.0.0.1`,
    ...(client ? ['--cert', client.cert, '--key', client.key] : []), ...extra, `https://${name}:${f.edge.port}/hello`];
  return run('curl', args);
}

function lastRecord(key: DistributionKey) {
  const all = logRecords(f, key);
  return all[all.length - 1];
}

const serialOf = (file: string) => new X509Certificate(fs.readFileSync(file)).serialNumber.toLowerCase().replace(/^0+/, '');
const colon = (hex: string) => (hex.length % 2 ? `0${hex}` : hex).match(/../g)!.join(':');

test('valid certificate: allowed, the origin sees the viewer-certificate headers', async () => {
  const before = f.originSeen.length;
  const r = await curl('required', f.pki.valid);
  expect(r).toMatchObject({ code: 0, stdout: 'origin saw /hello\n' });
  const seen = f.originSeen[before].headers;
  expect(seen['cloudfront-viewer-cert-present']).toBe('1');
  expect(seen['cloudfront-viewer-cert-serial-number']).toBe('1a:2b:3c:4d');
  expect(seen['cloudfront-viewer-cert-subject']).toBe('CN=valid.edge.test,O=Edge Test,C=US');
  expect(seen['cloudfront-viewer-cert-issuer']).toBe('CN=Edge Test Root CA,O=Edge Test,C=US');
  const leaf = new X509Certificate(fs.readFileSync(f.pki.valid.cert));
  expect(seen['cloudfront-viewer-cert-sha256']).toBe(leaf.fingerprint256.replace(/:/g, '').toLowerCase());
  expect(decodeURIComponent(String(seen['cloudfront-viewer-cert-pem']))).toBe(leaf.toString());
  expect(seen['cloudfront-viewer-cert-validity']).toMatch(/^NotBefore=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ;NotAfter=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  expect(lastRecord('required')).toMatchObject({ connectionStatus: 'Success', clientLeafCertSerialNumber: '1a:2b:3c:4d' });
});

test('the alias reaches the same distribution, and a client cannot forge the viewer-certificate headers', async () => {
  const before = f.originSeen.length;
  const r = await curl(f.alias, f.pki.valid, ['-H', 'CloudFront-Viewer-Cert-Serial-Number: 00:de:ad', '-H', 'CloudFront-Viewer-Cert-Present: 1']);
  expect(r).toMatchObject({ code: 0, stdout: 'origin saw /hello\n' });
  expect(f.originSeen[before].headers['cloudfront-viewer-cert-serial-number']).toBe('1a:2b:3c:4d');
  expect(lastRecord('required')).toMatchObject({ connectionStatus: 'Success', tlsSni: f.alias });
});

test('revoked certificate: refused by the function (the connection is closed, the origin never asked)', async () => {
  const before = f.originSeen.length;
  const r = await curl('required', f.pki.revoked);
  expect(r.code).not.toBe(0);
  expect(f.originSeen.length).toBe(before);
  expect(lastRecord('required')).toMatchObject({ connectionStatus: 'Failed:ConnectionFunctionDenied',
    clientLeafCertSerialNumber: '00:9f:3a:c0:ff:ee:51:d2:e8', connectionLogCustomData: 'deny: revoked 9f3ac0ffee51d2e8' });
});

test('foreign-CA certificate: refused by the certificate check, the function never runs', async () => {
  const r = await curl('required', f.pki.foreign);
  expect(r.code).not.toBe(0);
  const rec = lastRecord('required');
  expect(rec).toMatchObject({ connectionStatus: 'Failed:ClientCertUntrusted', clientLeafCertSerialNumber: '5f:5f',
    clientLeafCertIssuer: 'C=US, O=Elsewhere, CN=Elsewhere Root CA' });
  // The function writes custom data on every path it takes: none means it did not run.
  expect(rec).not.toHaveProperty('connectionLogCustomData');
});

test('expired certificate: refused without IgnoreCertificateExpiry, allowed (the function decides) with it', async () => {
  expect((await curl('required', f.pki.expired)).code).not.toBe(0);
  expect(lastRecord('required')).toMatchObject({ connectionStatus: 'Failed:ClientCertExpired', clientLeafCertSerialNumber: '0e:0e' });
  expect(await curl('ignoreExpiry', f.pki.expired)).toMatchObject({ code: 0, stdout: 'origin saw /hello\n' });
  expect(lastRecord('ignoreExpiry')).toMatchObject({ connectionStatus: 'Success', clientLeafCertSerialNumber: '0e:0e' });
});

test('no certificate: refused in required mode, allowed without the function in optional mode, the function decides in passthrough', async () => {
  expect((await curl('required')).code).not.toBe(0);
  expect(lastRecord('required')).toMatchObject({ connectionStatus: 'Failed:ClientCertMissing' });

  let before = f.originSeen.length;
  expect(await curl('optional')).toMatchObject({ code: 0, stdout: 'origin saw /hello\n' });
  expect(f.originSeen[before].headers['cloudfront-viewer-cert-present']).toBe('0');
  const opt = lastRecord('optional');
  expect(opt.connectionStatus).toBe('Success');
  expect(opt).not.toHaveProperty('connectionLogCustomData');
  expect(opt).not.toHaveProperty('clientLeafCertSerialNumber');

  before = f.originSeen.length;
  expect(await curl('passthrough')).toMatchObject({ code: 0, stdout: 'origin saw /hello\n' });
  expect(f.originSeen[before].headers['cloudfront-viewer-cert-present']).toBe('0');
  expect(lastRecord('passthrough')).toMatchObject({ connectionStatus: 'Success', connectionLogCustomData: expect.stringMatching(/^no cert /) });
});

test('passthrough: a certificate no trust store vouches for still reaches the function; no PEM header', async () => {
  const before = f.originSeen.length;
  expect(await curl('passthrough', f.pki.foreign)).toMatchObject({ code: 0 });
  expect(f.originSeen[before].headers).toMatchObject({ 'cloudfront-viewer-cert-present': '1', 'cloudfront-viewer-cert-serial-number': '5f:5f' });
  expect(f.originSeen[before].headers).not.toHaveProperty('cloudfront-viewer-cert-pem');
  expect(lastRecord('passthrough')).toMatchObject({ connectionStatus: 'Success', connectionLogCustomData: expect.stringMatching(/^cert 5f:5f /) });
});

test('a chain through an intermediate the client sends validates', async () => {
  expect(await curl('required', f.pki.viaIntermediate)).toMatchObject({ code: 0, stdout: 'origin saw /hello\n' });
  expect(lastRecord('required')).toMatchObject({ connectionStatus: 'Success', clientLeafCertIssuer: 'C=US, O=Edge Test, CN=Edge Test Intermediate CA' });
});

test('OCSP through a loopback responder (openssl ocsp): Good passes, Revoked is denied by the function', async () => {
  expect(await curl('ocsp', f.pki.ocspGood)).toMatchObject({ code: 0, stdout: 'origin saw /hello\n' });
  expect(lastRecord('ocsp')).toMatchObject({ connectionStatus: 'Success', clientLeafCertSerialNumber: '4e:11' });
  expect((await curl('ocsp', f.pki.ocspRevoked)).code).not.toBe(0);
  expect(lastRecord('ocsp')).toMatchObject({ connectionStatus: 'Failed:ConnectionFunctionDenied', clientLeafCertSerialNumber: '4e:22',
    connectionLogCustomData: 'deny: OCSP revoked 4e:22' });
  // OCSP on and no responder URL in the certificate: the function is not run.
  expect((await curl('ocsp', f.pki.valid)).code).not.toBe(0);
  expect(lastRecord('ocsp')).toMatchObject({ connectionStatus: 'Failed:ClientCertRejected' });
  expect(lastRecord('ocsp')).not.toHaveProperty('connectionLogCustomData');
});

test('openssl s_client: valid gets the origin\'s answer, revoked gets a closed connection', async () => {
  const sClient = (client: { cert: string; key: string }) => run('openssl', ['s_client', '-connect', `127.0.0.1:${f.edge.port}`,
    '-servername', f.names.required, '-CAfile', f.edge.caFile!, '-verify_return_error', '-cert', client.cert, '-key', client.key, '-quiet', '-ign_eof'],
  `GET /s-client HTTP/1.1\r\nHost: ${f.names.required}\r\nConnection: close\r\n\r\n`);
  const ok = await sClient(f.pki.valid);
  expect(ok.stdout).toMatch(/^HTTP\/1\.1 200 OK/);
  expect(ok.stdout).toContain('origin saw /s-client');
  const denied = await sClient(f.pki.revoked);
  expect(denied.stdout).not.toContain('HTTP/1.1');
  expect(lastRecord('required')).toMatchObject({ connectionStatus: 'Failed:ConnectionFunctionDenied', clientLeafCertSerialNumber: colon('00' + serialOf(f.pki.revoked.cert)) });
});

test('the edge trusts what the trust store read: a new bundle object counts only after UpdateTrustStore (last: it changes the store)', async () => {
  const s3 = createS3Client({ endpoint: f.h.emu.endpoint, region: 'us-east-1' });
  try {
    const bundle = fs.readFileSync(f.pki.caFile, 'utf8') + fs.readFileSync(f.pki.foreignCaFile, 'utf8');
    await s3.send(new PutObjectCommand({ Bucket: 'edge-ca', Key: 'bundle.pem', Body: bundle }));
    expect((await curl('required', f.pki.foreign)).code).not.toBe(0);
    expect(lastRecord('required')).toMatchObject({ connectionStatus: 'Failed:ClientCertUntrusted' });
    const current = await f.h.cf.send(new cf.GetTrustStoreCommand({ Identifier: 'edge-ts' }));
    await f.h.cf.send(new cf.UpdateTrustStoreCommand({ Id: current.TrustStore!.Id!, IfMatch: current.ETag!,
      CaCertificatesBundleSource: { CaCertificatesBundleS3Location: { Bucket: 'edge-ca', Key: 'bundle.pem', Region: 'us-east-1' } } }));
    expect(await curl('required', f.pki.foreign)).toMatchObject({ code: 0, stdout: 'origin saw /hello\n' });
    expect(lastRecord('required')).toMatchObject({ connectionStatus: 'Success', clientLeafCertSerialNumber: '5f:5f' });
  } finally {
    s3.destroy();
  }
});
