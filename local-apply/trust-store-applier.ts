import type { TrustStore } from '@aws-sdk/client-cloudfront';
import type { ResourceAttributes, StateResource } from './local-state';
import type { ApplyContext, ApplyResult, ResourceApplier } from './resource-applier';
import { effectiveTags } from './resource-tags';
import { applyTrustStore, BUNDLE_SOURCE_SCHEMA, destroyTrustStore, type BundleSourceArgs } from './trust-store-lifecycle';

interface TrustStoreArgs extends BundleSourceArgs {
  name: string;
  tags?: Record<string, string>;
}

function attributesOf(t: TrustStore, etag: string | undefined): ResourceAttributes {
  return { id: t.Id!, arn: t.Arn!, name: t.Name!, etag: etag ?? '', number_of_ca_certificates: t.NumberOfCaCertificates ?? 0 };
}

/** `aws_cloudfront_trust_store`: the CA bundle's S3 location and tags (see applyTrustStore for the lifecycle). */
export const trustStoreApplier: ResourceApplier = {
  type: 'aws_cloudfront_trust_store',
  schema: {
    block: {
      name: 'string',
      tags: 'string-map',
      ca_certificates_bundle_source: BUNDLE_SOURCE_SCHEMA,
    },
    required: ['name', 'ca_certificates_bundle_source'],
  },
  exports: ['id', 'arn', 'name', 'etag', 'number_of_ca_certificates'],

  async apply(ctx: ApplyContext, _address: string, config: Record<string, unknown>, prior?: StateResource): Promise<ApplyResult> {
    const a = config as unknown as TrustStoreArgs;
    return applyTrustStore(ctx, {
      name: a.name, ca_certificates_bundle_source: a.ca_certificates_bundle_source, tags: effectiveTags(ctx, config),
      priorTags: prior?.applied.tags_all as Record<string, string> | undefined, attributes: attributesOf,
    }, prior);
  },

  async destroy(ctx: ApplyContext, _address: string, prior: StateResource): Promise<void> {
    await destroyTrustStore(ctx, prior);
  },
};
