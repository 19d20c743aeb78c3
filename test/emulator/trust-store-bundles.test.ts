// Trust stores read their CA bundle from the emulator's S3 subset once, at create or update, under CloudFront's
// quotas (64 KB, 25 certificates, chain depth 4), going pending -> active, or failed with a Reason when the bundle
// cannot be used; real CA certificates made with openssl.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cf from '@aws-sdk/client-cloudfront';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../aws/clients';
import { failure, startHarness, stopHarness, type Harness } from './harness';

let h: Harness;
let s3: S3Client;
let tmp: string;
const pem = (n: string) => fs.readFileSync(path.join(tmp, `${n}.pem`));

function ca(name: string, issuer?: string): void {
  const o = (args: string[]) => execFileSync('openssl', args, { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  fs.writeFileSync(path.join(tmp, 'ca.cnf'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  o(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  const signer = issuer ? ['-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`] : ['-signkey', `${name}.key`];
  o(['x509', '-req', '-in', `${name}.csr`, ...signer, '-set_serial', '0x01', '-days', '30', '-extfile', 'ca.cnf', '-out', `${name}.pem`]);
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-bundles-'));
  ca('root'); ca('int1', 'root'); ca('int2', 'int1'); ca('int3', 'int2');
  // The root re-issued with new dates: same name, same key, another serial.
  execFileSync('openssl', ['x509', '-req', '-in', 'root.csr', '-signkey', 'root.key', '-set_serial', '0x02', '-days', '60',
    '-extfile', 'ca.cnf', '-out', 'root-reissued.pem'], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  h = await startHarness();
  s3 = createS3Client({ endpoint: h.emu.endpoint, region: 'us-east-1' });
  await s3.send(new CreateBucketCommand({ Bucket: 'bundles' }));
}, 60_000);
afterAll(async () => {
  s3?.destroy();
  await stopHarness(h);
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function put(key: string, body: Buffer) {
  await s3.send(new PutObjectCommand({ Bucket: 'bundles', Key: key, Body: body }));
}
const create = (name: string, key: string) => h.cf.send(new cf.CreateTrustStoreCommand({
  Name: name, CaCertificatesBundleSource: { CaCertificatesBundleS3Location: { Bucket: 'bundles', Key: key, Region: 'us-east-1' } } }));

test('counts the CA certificates of the bundle, read once: overwriting the object changes nothing until an update', async () => {
  await put('two.pem', Buffer.concat([pem('root'), pem('int1')]));
  const t = await create('two', 'two.pem');
  expect(t.TrustStore!.NumberOfCaCertificates).toBe(2);
  await put('two.pem', pem('root'));
  const got = await h.cf.send(new cf.GetTrustStoreCommand({ Identifier: t.TrustStore!.Id! }));
  expect(got.TrustStore!.NumberOfCaCertificates).toBe(2);
  const upd = await h.cf.send(new cf.UpdateTrustStoreCommand({ Id: t.TrustStore!.Id!, IfMatch: got.ETag!,
    CaCertificatesBundleSource: { CaCertificatesBundleS3Location: { Bucket: 'bundles', Key: 'two.pem', Region: 'us-east-1' } } }));
  expect(upd.TrustStore!.NumberOfCaCertificates).toBe(1);
});

test.each<[string, () => Buffer, RegExp]>([
  ['a missing object', () => Buffer.alloc(0), /does not exist/],
  ['more than 64 KB', () => Buffer.concat([pem('root'), Buffer.from(`\n${'#'.repeat(64 * 1024)}\n`)]), /limit is 65536 bytes/],
  ['more than 25 certificates', () => Buffer.concat(Array.from({ length: 26 }, () => pem('root'))), /holds 26 certificates; the limit is 25/],
  ['no certificate', () => Buffer.from('not a bundle'), /holds no PEM certificate/],
  ['a certificate that does not parse', () => Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), /does not parse/],
  ['a chain deeper than 4 with the client certificate', () => Buffer.concat([pem('root'), pem('int1'), pem('int2'), pem('int3')]), /maximum chain depth of 4/],
])('a store created from %s ends failed with the reason', async (what, body, msg) => {
  const key = `bad-${what.replace(/\W/g, '')}.pem`;
  if (what !== 'a missing object') await put(key, body());
  const t = await create(`bad-${what.replace(/\W/g, '')}`.slice(0, 60), key);
  expect(t.TrustStore!.Status).toBe('pending');
  const got = await h.cf.send(new cf.GetTrustStoreCommand({ Identifier: t.TrustStore!.Id! }));
  expect(got.TrustStore).toMatchObject({ Status: 'failed', Reason: expect.stringMatching(msg), NumberOfCaCertificates: 0 });
});

test('a self-signed root ends a chain: the root and its re-issued copy with two intermediates is 3 deep, not 4', async () => {
  await put('reissued.pem', Buffer.concat([pem('root'), pem('root-reissued'), pem('int1'), pem('int2')]));
  const t = await create('reissued', 'reissued.pem');
  expect(t.TrustStore!.NumberOfCaCertificates).toBe(4);
});

test('two CAs that sign each other (a cycle) are answered: each chain ends where it meets itself', async () => {
  const o = (args: string[]) => execFileSync('openssl', args, { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const n of ['cycA', 'cycB']) {
    o(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${n}.key`, '-out', `${n}.csr`, '-subj', `/CN=${n}`]);
    o(['x509', '-req', '-in', `${n}.csr`, '-signkey', `${n}.key`, '-set_serial', '0x01', '-days', '30', '-extfile', 'ca.cnf', '-out', `${n}-self.pem`]);
  }
  // A issued by B and B issued by A: each verifies under the other's key.
  o(['x509', '-req', '-in', 'cycA.csr', '-CA', 'cycB-self.pem', '-CAkey', 'cycB.key', '-set_serial', '0x02', '-days', '30', '-extfile', 'ca.cnf', '-out', 'cycA.pem']);
  o(['x509', '-req', '-in', 'cycB.csr', '-CA', 'cycA-self.pem', '-CAkey', 'cycA.key', '-set_serial', '0x02', '-days', '30', '-extfile', 'ca.cnf', '-out', 'cycB.pem']);
  await put('cycle.pem', Buffer.concat([pem('cycA'), pem('cycB')]));
  const t = await create('cycle', 'cycle.pem');
  expect(t.TrustStore!.NumberOfCaCertificates).toBe(2);
});

test('a refused update request changes nothing; an update to an unusable bundle fails the store and keeps the last count', async () => {
  await put('ok.pem', pem('root'));
  const t = await create('stays', 'ok.pem');
  expect((await failure(h.cf.send(new cf.UpdateTrustStoreCommand({ Id: t.TrustStore!.Id!, IfMatch: t.ETag!,
    CaCertificatesBundleSource: { CaCertificatesBundleS3Location: { Bucket: 'bundles', Key: 'ok.pem' } as never } })))).name).toBe('InvalidArgument');
  const same = await h.cf.send(new cf.GetTrustStoreCommand({ Identifier: t.TrustStore!.Id! }));
  expect(same.ETag).toBe(t.ETag);
  expect(same.TrustStore).toMatchObject({ Status: 'active', NumberOfCaCertificates: 1 });

  await put('deep.pem', Buffer.concat([pem('root'), pem('int1'), pem('int2'), pem('int3')]));
  await h.cf.send(new cf.UpdateTrustStoreCommand({ Id: t.TrustStore!.Id!, IfMatch: t.ETag!,
    CaCertificatesBundleSource: { CaCertificatesBundleS3Location: { Bucket: 'bundles', Key: 'deep.pem', Region: 'us-east-1' } } }));
  const got = await h.cf.send(new cf.GetTrustStoreCommand({ Identifier: t.TrustStore!.Id! }));
  expect(got.TrustStore).toMatchObject({ Status: 'failed', Reason: expect.stringMatching(/maximum chain depth of 4/), NumberOfCaCertificates: 1 });
});

describe('with a bundle read that takes time', () => {
  let slow: Harness;
  let slowS3: S3Client;
  beforeAll(async () => {
    slow = await startHarness({ timings: { trustStoreActivationMs: 600 } });
    slowS3 = createS3Client({ endpoint: slow.emu.endpoint, region: 'us-east-1' });
    await slowS3.send(new CreateBucketCommand({ Bucket: 'bundles' }));
  });
  afterAll(async () => {
    slowS3?.destroy();
    await stopHarness(slow);
  });
  const status = async (id: string) => (await slow.cf.send(new cf.GetTrustStoreCommand({ Identifier: id }))).TrustStore!;
  const settle = async (id: string) => {
    for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      const t = await status(id);
      if (t.Status !== 'pending') return t;
    }
    throw new Error('trust store still pending after 5 s');
  };
  const location = (key: string) => ({ CaCertificatesBundleS3Location: { Bucket: 'bundles', Key: key, Region: 'us-east-1' } });

  test('CA rotation: a new bundle key through UpdateTrustStore goes pending, then active with the new CA count', async () => {
    await slowS3.send(new PutObjectCommand({ Bucket: 'bundles', Key: 'ca-v1.pem', Body: pem('root') }));
    const t = await slow.cf.send(new cf.CreateTrustStoreCommand({ Name: 'rotating', CaCertificatesBundleSource: location('ca-v1.pem') }));
    expect(t.TrustStore!.Status).toBe('pending');
    expect(await settle(t.TrustStore!.Id!)).toMatchObject({ Status: 'active', NumberOfCaCertificates: 1 });

    await slowS3.send(new PutObjectCommand({ Bucket: 'bundles', Key: 'ca-v2.pem', Body: Buffer.concat([pem('root'), pem('int1')]) }));
    const etag = (await slow.cf.send(new cf.GetTrustStoreCommand({ Identifier: t.TrustStore!.Id! }))).ETag!;
    const upd = await slow.cf.send(new cf.UpdateTrustStoreCommand({ Id: t.TrustStore!.Id!, IfMatch: etag, CaCertificatesBundleSource: location('ca-v2.pem') }));
    expect(upd.TrustStore!.Status).toBe('pending');
    expect((await status(t.TrustStore!.Id!)).Status).toBe('pending');
    expect(await settle(t.TrustStore!.Id!)).toMatchObject({ Status: 'active', NumberOfCaCertificates: 2 });
  });

  test('a bundle with a bad certificate goes pending, then failed with its reason', async () => {
    await slowS3.send(new PutObjectCommand({ Bucket: 'bundles', Key: 'bad.pem', Body: Buffer.concat([pem('root'), Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')]) }));
    const t = await slow.cf.send(new cf.CreateTrustStoreCommand({ Name: 'bad-cert', CaCertificatesBundleSource: location('bad.pem') }));
    expect((await status(t.TrustStore!.Id!))).toMatchObject({ Status: 'pending' });
    expect((await status(t.TrustStore!.Id!)).Reason).toBeUndefined();
    expect(await settle(t.TrustStore!.Id!)).toMatchObject({ Status: 'failed', Reason: expect.stringMatching(/does not parse/) });
  });
});
