import * as cf from '@aws-sdk/client-cloudfront';
import { createFunction, createTrustStore, distributionConfig, failure, startHarness, stopHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(() => stopHarness(h));

describe('trust stores', () => {
  test('create, get by id and name, list, update with If-Match, delete; in use by a distribution', async () => {
    const created = await createTrustStore(h, 'ca-one');
    const ts = created.TrustStore!;
    expect(ts).toMatchObject({ Name: 'ca-one', Status: 'pending' });
    expect(ts.Arn).toBe(`arn:aws:cloudfront::123456789012:trust-store/${ts.Id}`);
    expect((await h.cf.send(new cf.GetTrustStoreCommand({ Identifier: ts.Id! }))).TrustStore!.Status).toBe('active');
    expect((await h.cf.send(new cf.GetTrustStoreCommand({ Identifier: 'ca-one' }))).ETag).toBe(created.ETag);
    expect((await failure(createTrustStore(h, 'ca-one'))).name).toBe('EntityAlreadyExists');
    expect((await failure(h.cf.send(new cf.CreateTrustStoreCommand({ Name: 'nosource',
      CaCertificatesBundleSource: { CaCertificatesBundleS3Location: { Bucket: 'b', Key: '', Region: 'us-east-1' } } })))).name)
      .toBe('InvalidArgument');
    const listed = await h.cf.send(new cf.ListTrustStoresCommand({}));
    expect(listed.TrustStoreList!.map((t) => [t.Name, t.ETag])).toEqual([['ca-one', created.ETag]]);
    const upd = await h.cf.send(new cf.UpdateTrustStoreCommand({ Id: ts.Id!, IfMatch: created.ETag!,
      CaCertificatesBundleSource: { CaCertificatesBundleS3Location: { Bucket: 'b2', Key: 'k2', Region: 'eu-west-1' } } }));
    expect(upd.ETag).not.toBe(created.ETag);

    const d = await h.cf.send(new cf.CreateDistributionCommand({ DistributionConfig: distributionConfig('uses-ts', { trustStoreId: ts.Id! }) }));
    expect(await failure(h.cf.send(new cf.DeleteTrustStoreCommand({ Id: ts.Id!, IfMatch: upd.ETag! }))))
      .toMatchObject({ name: 'CannotDeleteEntityWhileInUse', status: 409 });
    const noMtls = distributionConfig('uses-ts');
    const u = await h.cf.send(new cf.UpdateDistributionCommand({ Id: d.Distribution!.Id!, IfMatch: d.ETag!, DistributionConfig: noMtls }));
    expect((await failure(h.cf.send(new cf.DeleteTrustStoreCommand({ Id: ts.Id!, IfMatch: created.ETag! })))).name).toBe('PreconditionFailed');
    await h.cf.send(new cf.DeleteTrustStoreCommand({ Id: ts.Id!, IfMatch: upd.ETag! }));
    expect((await failure(h.cf.send(new cf.GetTrustStoreCommand({ Identifier: ts.Id! })))).status).toBe(404);
    expect(u.Distribution!.DistributionConfig!.ViewerMtlsConfig).toBeUndefined();
  });
});

describe('distributions with viewer mTLS and a connection function association', () => {
  test('create, get, get config, update with If-Match, list; validation as CloudFront does it', async () => {
    const ts = (await createTrustStore(h, 'ca-two')).TrustStore!;
    const created = await h.cf.send(new cf.CreateDistributionCommand({ DistributionConfig: distributionConfig('d1', { trustStoreId: ts.Id! }) }));
    const dist = created.Distribution!;
    expect(dist.Id).toMatch(/^E[A-Z0-9]{13}$/);
    expect(dist.DomainName).toMatch(/^d[a-z0-9]{13}\.cloudfront\.net$/);
    expect(dist.Status).toBe('InProgress');
    expect(created.Location).toMatch(new RegExp(`/distribution/${dist.Id}$`));
    expect(dist.DistributionConfig!.ViewerMtlsConfig).toEqual({ Mode: 'required', TrustStoreConfig: { TrustStoreId: ts.Id } });

    const got = await h.cf.send(new cf.GetDistributionCommand({ Id: dist.Id! }));
    expect(got.Distribution!.Status).toBe('Deployed');
    expect(got.ETag).toBe(created.ETag);
    const cfg = await h.cf.send(new cf.GetDistributionConfigCommand({ Id: dist.Id! }));
    expect(cfg.DistributionConfig!.Origins!.Items![0].DomainName).toBe('origin.example.com');
    expect(cfg.DistributionConfig!.Comment).toBe('distribution d1');

    expect(await failure(h.cf.send(new cf.CreateDistributionCommand({ DistributionConfig: distributionConfig('d1') }))))
      .toMatchObject({ name: 'DistributionAlreadyExists', status: 409 });
    expect((await failure(h.cf.send(new cf.CreateDistributionCommand({ DistributionConfig: distributionConfig('d2', { trustStoreId: 'ts_missing' }) })))).name)
      .toBe('EntityNotFound');
    // TrustStoreId takes the ID; a name would escape DeleteTrustStore's in-use check.
    expect((await failure(h.cf.send(new cf.CreateDistributionCommand({ DistributionConfig: distributionConfig('d2', { trustStoreId: 'ca-two' }) })))).name)
      .toBe('EntityNotFound');
    const noTs = { ...distributionConfig('d3'), ViewerMtlsConfig: { Mode: 'required' as const } };
    expect((await failure(h.cf.send(new cf.CreateDistributionCommand({ DistributionConfig: noTs })))).name).toBe('InvalidArgument');

    // Association: a LIVE function and an mTLS distribution.
    const f = await createFunction(h, 'assoc', 'function connectionHandler(c) { c.allow(); }');
    const fnId = f.ConnectionFunctionSummary!.Id!;
    const withFn = distributionConfig('d1', { trustStoreId: ts.Id!, functionId: fnId });
    expect(await failure(h.cf.send(new cf.UpdateDistributionCommand({ Id: dist.Id!, IfMatch: created.ETag!, DistributionConfig: withFn }))))
      .toMatchObject({ name: 'InvalidArgument', message: expect.stringMatching(/only a LIVE function/) });
    await h.cf.send(new cf.PublishConnectionFunctionCommand({ Id: fnId, IfMatch: f.ETag! }));
    expect((await failure(h.cf.send(new cf.UpdateDistributionCommand({ Id: dist.Id!, IfMatch: created.ETag!,
      DistributionConfig: distributionConfig('d1', { functionId: fnId }) })))).message).toMatch(/ViewerMtlsConfig/);
    expect((await failure(h.cf.send(new cf.UpdateDistributionCommand({ Id: dist.Id!, IfMatch: created.ETag!,
      DistributionConfig: distributionConfig('d1', { trustStoreId: ts.Id!, functionId: f.ConnectionFunctionSummary!.ConnectionFunctionArn! }) })))).message)
      .toMatch(/not its ARN/);
    expect((await failure(h.cf.send(new cf.UpdateDistributionCommand({ Id: dist.Id!, IfMatch: 'ESTALE', DistributionConfig: withFn })))))
      .toMatchObject({ name: 'PreconditionFailed', status: 412 });
    expect((await failure(h.cf.send(new cf.UpdateDistributionCommand({ Id: dist.Id!, IfMatch: created.ETag!,
      DistributionConfig: { ...withFn, CallerReference: 'other' } })))).name).toBe('IllegalUpdate');
    const updated = await h.cf.send(new cf.UpdateDistributionCommand({ Id: dist.Id!, IfMatch: created.ETag!, DistributionConfig: withFn }));
    expect(updated.ETag).not.toBe(created.ETag);
    expect(updated.Distribution!.DistributionConfig!.ConnectionFunctionAssociation).toEqual({ Id: fnId });
    expect((await h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: fnId, Stage: 'LIVE' }))).ConnectionFunctionSummary!.Status)
      .toBe('DEPLOYED');

    const list = await h.cf.send(new cf.ListDistributionsCommand({}));
    const listed = list.DistributionList!.Items!.find((d) => d.Id === dist.Id)!;
    expect(list.DistributionList!.Quantity).toBe(2);
    expect(listed.ETag).toBe(updated.ETag);
    expect(listed.ViewerMtlsConfig!.TrustStoreConfig!.TrustStoreId).toBe(ts.Id);
    const page = await h.cf.send(new cf.ListDistributionsCommand({ MaxItems: 1 }));
    expect(page.DistributionList).toMatchObject({ IsTruncated: true, Quantity: 1 });
    const rest = await h.cf.send(new cf.ListDistributionsCommand({ MaxItems: 1, Marker: page.DistributionList!.NextMarker }));
    expect(rest.DistributionList).toMatchObject({ IsTruncated: false, Quantity: 1 });
    expect((await failure(h.cf.send(new cf.GetDistributionCommand({ Id: 'ENOSUCH' })))))
      .toMatchObject({ name: 'NoSuchDistribution', status: 404 });
    expect((await failure(h.cf.send(new cf.DeleteDistributionCommand({ Id: dist.Id!, IfMatch: updated.ETag! })))).name)
      .toBe('DistributionNotDisabled');
  });
});
