import {
  CreateTrustStoreCommand, DeleteTrustStoreCommand, GetTrustStoreCommand, UpdateTrustStoreCommand,
  type CaCertificatesBundleSource, type TrustStore,
} from '@aws-sdk/client-cloudfront';
import type { ResourceAttributes, StateResource } from './local-state';
import { sameValue, unlessGone, waitUntil, type ApplyContext, type ApplyResult, type ResourceApplier } from './resource-applier';
import { syncTags } from './resource-tags';

interface S3Location { bucket: string; key: string; region: string; version?: string }
interface AwsccTrustStoreArgs {
  name: string;
  ca_certificates_bundle_source: { ca_certificates_bundle_s3_location: S3Location };
  use_client_certificate_ocsp_endpoint?: boolean;
  tags?: { key: string; value?: string }[];
}

function apiSource(a: AwsccTrustStoreArgs): CaCertificatesBundleSource {
  const s3 = a.ca_certificates_bundle_source.ca_certificates_bundle_s3_location;
  return { CaCertificatesBundleS3Location: { Bucket: s3.bucket, Key: s3.key, Region: s3.region, Version: s3.version } };
}

/** awscc tags are a list of {key, value}; hashicorp/aws default_tags do not apply to them. */
function tagMap(tags: AwsccTrustStoreArgs['tags']): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.key, t.value ?? '']));
}

function attributesOf(t: TrustStore, etag: string | undefined): ResourceAttributes {
  return {
    id: t.Id!, trust_store_id: t.Id!, arn: t.Arn!, name: t.Name!, e_tag: etag ?? '', status: t.Status ?? '',
    number_of_ca_certificates: t.NumberOfCaCertificates ?? 0,
    use_client_certificate_ocsp_endpoint: t.UseClientCertificateOCSPEndpoint ?? false,
  };
}

/**
 * `awscc_cloudfront_trust_store`: the trust store with CloudFront's OCSP checks (UseClientCertificateOCSPEndpoint),
 * applied through the same CloudFront API the awscc provider reaches via Cloud Control. A changed bundle location
 * or OCSP flag is written with UpdateTrustStore (If-Match); a new name replaces the trust store.
 */
export const awsccTrustStoreApplier: ResourceApplier = {
  type: 'awscc_cloudfront_trust_store',
  schema: {
    block: {
      name: 'string',
      use_client_certificate_ocsp_endpoint: 'bool',
      tags: { block: { key: 'string', value: 'string' }, list: true, required: ['key'] },
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
  exports: ['id', 'trust_store_id', 'arn', 'name', 'e_tag', 'status', 'number_of_ca_certificates', 'use_client_certificate_ocsp_endpoint'],

  async apply(ctx: ApplyContext, _address: string, config: Record<string, unknown>, prior?: StateResource): Promise<ApplyResult> {
    const a = config as unknown as AwsccTrustStoreArgs;
    const ocsp = a.use_client_certificate_ocsp_endpoint ?? false;
    const tags = tagMap(a.tags);
    const waitActive = (id: string) => waitUntil(ctx, `trust store ${a.name} to be active`,
      () => ctx.cf.send(new GetTrustStoreCommand({ Identifier: id })), (got) => got.TrustStore?.Status === 'active');
    const create = async (action: ApplyResult['action']): Promise<ApplyResult> => {
      const res = await ctx.cf.send(new CreateTrustStoreCommand({
        Name: a.name, CaCertificatesBundleSource: apiSource(a), UseClientCertificateOCSPEndpoint: ocsp,
      }));
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
    if (!sameValue(prior.applied.ca_certificates_bundle_source, a.ca_certificates_bundle_source)
      || (got.TrustStore?.UseClientCertificateOCSPEndpoint ?? false) !== ocsp) {
      await ctx.cf.send(new UpdateTrustStoreCommand({
        Id: id, IfMatch: got.ETag, CaCertificatesBundleSource: apiSource(a), UseClientCertificateOCSPEndpoint: ocsp,
      }));
      got = await waitActive(id);
      action = 'update';
    }
    const before = tagMap(prior.applied.tags as AwsccTrustStoreArgs['tags']);
    if (await syncTags(ctx, got.TrustStore!.Arn!, tags, before)) action = 'update';
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
