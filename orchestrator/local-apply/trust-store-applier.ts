import {
  CreateTrustStoreCommand, DeleteTrustStoreCommand, GetTrustStoreCommand, UpdateTrustStoreCommand,
  type CaCertificatesBundleSource, type TrustStore,
} from '@aws-sdk/client-cloudfront';
import type { ResourceAttributes, StateResource } from './local-state';
import { sameValue, unlessGone, waitUntil, type ApplyContext, type ApplyResult, type ResourceApplier } from './resource-applier';
import { effectiveTags, syncTags } from './resource-tags';

interface S3Location { bucket: string; key: string; region: string; version?: string }
interface TrustStoreArgs {
  name: string;
  tags?: Record<string, string>;
  ca_certificates_bundle_source: { ca_certificates_bundle_s3_location: S3Location };
}

function apiSource(a: TrustStoreArgs): CaCertificatesBundleSource {
  const s3 = a.ca_certificates_bundle_source.ca_certificates_bundle_s3_location;
  return { CaCertificatesBundleS3Location: { Bucket: s3.bucket, Key: s3.key, Region: s3.region, Version: s3.version } };
}

function attributesOf(t: TrustStore, etag: string | undefined): ResourceAttributes {
  return { id: t.Id!, arn: t.Arn!, name: t.Name!, etag: etag ?? '', number_of_ca_certificates: t.NumberOfCaCertificates ?? 0 };
}

/**
 * `aws_cloudfront_trust_store`: CreateTrustStore from the S3 location of the CA bundle, then waited on until active.
 * GetTrustStore does not return the bundle location, so a changed location is detected against the local state
 * and written with UpdateTrustStore (If-Match). A new name replaces the trust store.
 */
export const trustStoreApplier: ResourceApplier = {
  type: 'aws_cloudfront_trust_store',
  schema: {
    block: {
      name: 'string',
      tags: 'string-map',
      ca_certificates_bundle_source: {
        block: {
          ca_certificates_bundle_s3_location: {
            block: { bucket: 'string', key: 'string', region: 'string', version: 'string' }, required: ['bucket', 'key', 'region'],
          },
        },
        required: ['ca_certificates_bundle_s3_location'],
      },
    },
    required: ['name', 'ca_certificates_bundle_source'],
  },
  exports: ['id', 'arn', 'name', 'etag', 'number_of_ca_certificates'],

  async apply(ctx: ApplyContext, _address: string, config: Record<string, unknown>, prior?: StateResource): Promise<ApplyResult> {
    const a = config as unknown as TrustStoreArgs;
    const tags = effectiveTags(ctx, config);
    const waitActive = (id: string) => waitUntil(ctx, `trust store ${a.name} to be active`,
      () => ctx.cf.send(new GetTrustStoreCommand({ Identifier: id })), (got) => got.TrustStore?.Status === 'active');
    const create = async (action: ApplyResult['action']): Promise<ApplyResult> => {
      const res = await ctx.cf.send(new CreateTrustStoreCommand({ Name: a.name, CaCertificatesBundleSource: apiSource(a) }));
      const got = await waitActive(res.TrustStore!.Id!);
      await syncTags(ctx, got.TrustStore!.Arn!, tags, undefined);
      return { action, attributes: attributesOf(got.TrustStore!, got.ETag), retired: action === 'replace' ? prior : undefined };
    };

    if (!prior) return create('create');
    if (prior.applied.name !== a.name) return create('replace');
    const id = String(prior.attributes.id);
    let got = await unlessGone(() => ctx.cf.send(new GetTrustStoreCommand({ Identifier: id })));
    if (!got) return create('recreate');
    let action: ApplyResult['action'] = 'no-op';
    if (!sameValue(prior.applied.ca_certificates_bundle_source, a.ca_certificates_bundle_source)) {
      await ctx.cf.send(new UpdateTrustStoreCommand({ Id: id, IfMatch: got.ETag, CaCertificatesBundleSource: apiSource(a) }));
      got = await waitActive(id);
      action = 'update';
    }
    if (await syncTags(ctx, got.TrustStore!.Arn!, tags, prior.applied.tags_all as Record<string, string> | undefined)) action = 'update';
    return { action, attributes: attributesOf(got.TrustStore!, got.ETag) };
  },

  async destroy(ctx: ApplyContext, _address: string, prior: StateResource): Promise<void> {
    const id = String(prior.attributes.id);
    await unlessGone(async () => {
      const got = await ctx.cf.send(new GetTrustStoreCommand({ Identifier: id }));
      await ctx.cf.send(new DeleteTrustStoreCommand({ Id: id, IfMatch: got.ETag }));
    });
  },
};
