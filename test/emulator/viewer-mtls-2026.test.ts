// The emulator's 2026 viewer-mTLS surface through the real SDK: passthrough distributions and their conditions,
// OCSP results reaching only functions of a distribution whose trust store checks OCSP, and the quotas.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cf from '@aws-sdk/client-cloudfront';
import { buildConnectionObject } from '../../runtime/payload';
import { createFunction, createStore, distributionConfig, failure, startHarness, stopHarness, type Harness } from './harness';

const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const FIXTURES = path.join(__dirname, '..', '..', 'functions', 'fixtures');
/** Reports what it saw of revocationStatus, then decides on it: allow only without OCSP or with a Good leaf. */
const OCSP_FN = `function connectionHandler(connection) {
  const rs = connection.clientCertificate && connection.clientCertificate.revocationStatus;
  console.log('ocsp=' + (rs ? rs.certificates.leaf.status : 'absent'));
  if (rs && rs.certificates.leaf.status !== 'Good') { connection.deny(); return; }
  connection.allow();
}
`;

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => stopHarness(h));

async function trustStore(name: string, ocsp: boolean) {
  const r = await h.cf.send(new cf.CreateTrustStoreCommand({
    Name: name, UseClientCertificateOCSPEndpoint: ocsp,
    CaCertificatesBundleSource: { CaCertificatesBundleS3Location: { Bucket: 'ca-bucket', Key: 'bundle.pem', Region: 'us-east-1', Version: 'v1' } },
  }));
  return r.TrustStore!.Id!;
}

async function publishedFunction(name: string, body: string) {
  const created = await createFunction(h, name, body);
  const id = created.ConnectionFunctionSummary!.Id!;
  await h.cf.send(new cf.PublishConnectionFunctionCommand({ Id: id, IfMatch: created.ETag! }));
  return id;
}

function passthrough(ref: string, extra: Partial<cf.DistributionConfig> = {}, functionId?: string): cf.DistributionConfig {
  const base = distributionConfig(ref, { functionId });
  return { ...base, DefaultCacheBehavior: { ...base.DefaultCacheBehavior!, CachePolicyId: CACHING_DISABLED }, ViewerMtlsConfig: { Mode: 'passthrough' }, ...extra };
}

describe('passthrough distributions', () => {
  test('run a connection function without a trust store', async () => {
    const fnId = await publishedFunction('pt-fn', 'function connectionHandler(c) { c.allow(); }');
    const d = await h.cf.send(new cf.CreateDistributionCommand({ DistributionConfig: passthrough('pt-1', {}, fnId) }));
    expect(d.Distribution!.DistributionConfig!.ViewerMtlsConfig).toEqual({ Mode: 'passthrough' });
    expect(d.Distribution!.DistributionConfig!.ConnectionFunctionAssociation).toEqual({ Id: fnId });
  });

  test.each<[string, Partial<cf.DistributionConfig> | ((c: cf.DistributionConfig) => cf.DistributionConfig), RegExp]>([
    ['a trust store', { ViewerMtlsConfig: { Mode: 'passthrough', TrustStoreConfig: { TrustStoreId: 'ts-x' } } }, /TrustStoreConfig must be absent/],
    ['another cache policy', (c) => ({ ...c, DefaultCacheBehavior: { ...c.DefaultCacheBehavior!, CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' } }), /DefaultCacheBehavior.CachePolicyId must be the CachingDisabled policy/],
    ['Origin Shield', (c) => ({ ...c, Origins: { Quantity: 1, Items: [{ ...c.Origins!.Items![0], OriginShield: { Enabled: true, OriginShieldRegion: 'us-east-1' } }] } }), /OriginShield must not be enabled/],
    ['Lambda@Edge', (c) => ({ ...c, DefaultCacheBehavior: { ...c.DefaultCacheBehavior!, LambdaFunctionAssociations: { Quantity: 1, Items: [{ EventType: 'viewer-request', LambdaFunctionARN: 'arn:aws:lambda:us-east-1:123456789012:function:f:1' }] } } }), /LambdaFunctionAssociations must be empty/],
  ])('refuse %s', async (_what, change, msg) => {
    const base = passthrough(`pt-bad-${_what.replace(/\W/g, '')}`);
    const config = typeof change === 'function' ? change(base) : { ...base, ...change };
    expect(await failure(h.cf.send(new cf.CreateDistributionCommand({ DistributionConfig: config })))).toMatchObject({ name: 'InvalidArgument', status: 400, message: expect.stringMatching(msg) });
  });
});

describe('OCSP results', () => {
  const cert = fs.readFileSync(path.join(FIXTURES, 'client-ocsp.pem'));
  const chain = fs.readFileSync(path.join(FIXTURES, 'ocsp-intermediate.pem'));
  const revoked = new TextEncoder().encode(JSON.stringify(buildConnectionObject(cert, { chain, ocsp: { leaf: 'Revoked' } })));

  async function testLive(fnId: string) {
    const live = await h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: fnId, Stage: 'LIVE' }));
    const r = await h.cf.send(new cf.TestConnectionFunctionCommand({ Id: fnId, IfMatch: live.ETag!, Stage: 'LIVE', ConnectionObject: revoked }));
    return r.ConnectionFunctionTestResult!;
  }

  test('reach a function whose distribution trust store checks OCSP', async () => {
    const fnId = await publishedFunction('ocsp-on-fn', OCSP_FN);
    const ts = await trustStore('ocsp-on', true);
    await h.cf.send(new cf.CreateDistributionCommand({ DistributionConfig: {
      ...distributionConfig('ocsp-on-d', { trustStoreId: ts, functionId: fnId }) } }));
    const r = await testLive(fnId);
    expect(r.ConnectionFunctionExecutionLogs).toEqual(['ocsp=Revoked']);
    expect(JSON.parse(r.ConnectionFunctionOutput!).decision).toBe('deny');
  });

  test('are removed for a function whose distributions do not check OCSP (production never sends them)', async () => {
    const fnId = await publishedFunction('ocsp-off-fn', OCSP_FN);
    const ts = await trustStore('ocsp-off', false);
    await h.cf.send(new cf.CreateDistributionCommand({ DistributionConfig: distributionConfig('ocsp-off-d', { trustStoreId: ts, functionId: fnId }) }));
    const r = await testLive(fnId);
    expect(r.ConnectionFunctionExecutionLogs).toEqual(['ocsp=absent']);
    expect(JSON.parse(r.ConnectionFunctionOutput!).decision).toBe('allow');
  });

  test('pass as sent to a function not associated yet, and UpdateTrustStore turns OCSP on and off', async () => {
    const fnId = await publishedFunction('ocsp-unassoc-fn', OCSP_FN);
    expect((await testLive(fnId)).ConnectionFunctionExecutionLogs).toEqual(['ocsp=Revoked']);
    const ts = await trustStore('ocsp-toggle', false);
    const got = await h.cf.send(new cf.GetTrustStoreCommand({ Identifier: ts }));
    expect(got.TrustStore!.UseClientCertificateOCSPEndpoint).toBe(false);
    const upd = await h.cf.send(new cf.UpdateTrustStoreCommand({ Id: ts, IfMatch: got.ETag!, UseClientCertificateOCSPEndpoint: true,
      CaCertificatesBundleSource: { CaCertificatesBundleS3Location: { Bucket: 'ca-bucket', Key: 'bundle.pem', Region: 'us-east-1', Version: 'v2' } } }));
    expect(upd.TrustStore!.UseClientCertificateOCSPEndpoint).toBe(true);
  });
});

describe('quotas', () => {
  test('25 distributions per trust store', async () => {
    const ts = await trustStore('quota-ts', false);
    for (let i = 0; i < 25; i++) {
      await h.cf.send(new cf.CreateDistributionCommand({ DistributionConfig: distributionConfig(`q-d-${i}`, { trustStoreId: ts }) }));
    }
    expect(await failure(h.cf.send(new cf.CreateDistributionCommand({ DistributionConfig: distributionConfig('q-d-25', { trustStoreId: ts }) }))))
      .toMatchObject({ name: 'EntityLimitExceeded', status: 400, message: expect.stringMatching(/already used by 25 distributions/) });
    // An update of one of the 25 does not count itself.
    const list = await h.cf.send(new cf.ListDistributionsCommand({}));
    const one = list.DistributionList!.Items!.find((d) => d.Comment === 'distribution q-d-0')!;
    const cfg = await h.cf.send(new cf.GetDistributionConfigCommand({ Id: one.Id! }));
    await h.cf.send(new cf.UpdateDistributionCommand({ Id: one.Id!, IfMatch: cfg.ETag!, DistributionConfig: { ...cfg.DistributionConfig!, Comment: 'renamed' } }));
  });

  test('20 trust stores per account', async () => {
    const have = (await h.cf.send(new cf.ListTrustStoresCommand({}))).TrustStoreList!.length;
    for (let i = have; i < 20; i++) await trustStore(`fill-${i}`, false);
    expect(await failure(trustStore('one-too-many', false))).toMatchObject({ name: 'EntityLimitExceeded', status: 400 });
  });

  test('10 functions per key value store, an update of a user not counting itself', async () => {
    const store = await createStore(h, 'shared-store');
    const made: { id: string; etag: string }[] = [];
    for (let i = 0; i < 10; i++) {
      const f = await createFunction(h, `kvs-user-${i}`, 'function connectionHandler(c) { c.allow(); }', store.ARN!);
      made.push({ id: f.ConnectionFunctionSummary!.Id!, etag: f.ETag! });
    }
    expect(await failure(createFunction(h, 'kvs-user-10', 'function connectionHandler(c) { c.allow(); }', store.ARN!)))
      .toMatchObject({ name: 'EntityLimitExceeded', message: expect.stringMatching(/already used by 10 functions/) });
    await h.cf.send(new cf.UpdateConnectionFunctionCommand({ Id: made[0].id, IfMatch: made[0].etag,
      ConnectionFunctionCode: new TextEncoder().encode('function connectionHandler(c) { c.deny(); }'),
      ConnectionFunctionConfig: { Comment: 'x', Runtime: 'cloudfront-js-2.0', KeyValueStoreAssociations: { Quantity: 1, Items: [{ KeyValueStoreARN: store.ARN! }] } } }));
  });
});
