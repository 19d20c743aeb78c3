import type { TrustStore } from '@aws-sdk/client-cloudfront';
import type { ResourceAttributes, StateResource } from './local-state';
import type { ApplyContext, ApplyResult, ResourceApplier } from './resource-applier';
import { applyTrustStore, BUNDLE_SOURCE_SCHEMA, destroyTrustStore, type BundleSourceArgs } from './trust-store-lifecycle';

interface AwsccTrustStoreArgs extends BundleSourceArgs {
  name: string;
  use_client_certificate_ocsp_endpoint?: boolean;
  tags?: { key: string; value?: string }[];
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
      ca_certificates_bundle_source: BUNDLE_SOURCE_SCHEMA,
    },
    required: ['name', 'ca_certificates_bundle_source'],
  },
  exports: ['id', 'trust_store_id', 'arn', 'name', 'e_tag', 'status', 'number_of_ca_certificates', 'use_client_certificate_ocsp_endpoint'],

  async apply(ctx: ApplyContext, _address: string, config: Record<string, unknown>, prior?: StateResource): Promise<ApplyResult> {
    const a = config as unknown as AwsccTrustStoreArgs;
    return applyTrustStore(ctx, {
      name: a.name, ca_certificates_bundle_source: a.ca_certificates_bundle_source,
      ocsp: a.use_client_certificate_ocsp_endpoint ?? false, tags: tagMap(a.tags),
      priorTags: prior ? tagMap(prior.applied.tags as AwsccTrustStoreArgs['tags']) : undefined, attributes: attributesOf,
    }, prior);
  },

  async destroy(ctx: ApplyContext, _address: string, prior: StateResource): Promise<void> {
    await destroyTrustStore(ctx, prior);
  },
};
