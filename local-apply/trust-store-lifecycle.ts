import {
  CreateTrustStoreCommand, DeleteTrustStoreCommand, GetTrustStoreCommand, UpdateTrustStoreCommand,
  type CaCertificatesBundleSource, type TrustStore,
} from '@aws-sdk/client-cloudfront';
import { printable } from '../diagnostics/untrusted-text';
import type { ResourceAttributes, StateResource } from './local-state';
import { sameValue, unlessGone, waitUntil, type ApplyContext, type ApplyResult } from './resource-applier';
import type { BlockSpec } from './resource-schema';
import { syncTags } from './resource-tags';

/** The S3 location of a CA bundle, as both trust-store resource types spell it. */
export interface BundleSourceArgs {
  ca_certificates_bundle_source: { ca_certificates_bundle_s3_location: { bucket: string; key: string; region: string; version?: string } };
}

/** What one trust-store resource type asks for, reduced to what CloudFront's API takes. */
export interface TrustStoreWanted extends BundleSourceArgs {
  name: string;
  /** UseClientCertificateOCSPEndpoint; undefined: the resource type cannot set it (left out of every call). */
  ocsp?: boolean;
  tags: Record<string, string>;
  /** The tags the last apply wrote, to remove the ones dropped since. */
  priorTags?: Record<string, string>;
  /** The attributes the resource type exports, from what CloudFront returned. */
  attributes(t: TrustStore, etag: string | undefined): ResourceAttributes;
}

/** The local-apply schema of `ca_certificates_bundle_source`, the same in both resource types. */
export const BUNDLE_SOURCE_SCHEMA: BlockSpec = {
  block: {
    ca_certificates_bundle_s3_location: {
      block: { bucket: 'string', key: 'string', region: 'string', version: 'string' }, required: ['bucket', 'key', 'region'],
    },
  },
  required: ['ca_certificates_bundle_s3_location'],
};

function bundleUri(a: BundleSourceArgs): string {
  const s3 = a.ca_certificates_bundle_source.ca_certificates_bundle_s3_location;
  return `s3://${s3.bucket}/${s3.key}${s3.version ? ` (version ${s3.version})` : ''}`;
}

function apiSource(a: BundleSourceArgs): CaCertificatesBundleSource {
  const s3 = a.ca_certificates_bundle_source.ca_certificates_bundle_s3_location;
  return { CaCertificatesBundleS3Location: { Bucket: s3.bucket, Key: s3.key, Region: s3.region, Version: s3.version } };
}

/**
 * Create, update or replace a trust store: CreateTrustStore then a wait until active; GetTrustStore does not return
 * the bundle location, so a changed location is detected against the local state and written with UpdateTrustStore
 * (If-Match), as is a changed OCSP flag; a new name replaces the trust store.
 */
export async function applyTrustStore(ctx: ApplyContext, w: TrustStoreWanted, prior?: StateResource): Promise<ApplyResult> {
  const ocspField = w.ocsp === undefined ? {} : { UseClientCertificateOCSPEndpoint: w.ocsp };
  // CloudFront reads the bundle after create/update: `pending`, then `active`, or `failed` with a Reason, which is
  // final for this bundle, so it ends the wait at once instead of running into the timeout.
  const waitActive = async (id: string) => {
    const got = await waitUntil(ctx, `trust store ${w.name} to be active`,
      () => ctx.cf.send(new GetTrustStoreCommand({ Identifier: id })), (g) => g.TrustStore?.Status === 'active' || g.TrustStore?.Status === 'failed');
    if (got.TrustStore?.Status === 'failed') {
      throw new Error(`trust store ${w.name} (${id}) is failed: ${printable(got.TrustStore.Reason ?? 'no reason given')}; CloudFront could not use the CA bundle at ${bundleUri(w)}`);
    }
    return got;
  };
  const create = async (action: ApplyResult['action']): Promise<ApplyResult> => {
    const res = await ctx.cf.send(new CreateTrustStoreCommand({ Name: w.name, CaCertificatesBundleSource: apiSource(w), ...ocspField }));
    const id = res.TrustStore!.Id!;
    let got: Awaited<ReturnType<typeof waitActive>>;
    try {
      got = await waitActive(id);
    } catch (err) {
      // Not recorded in the state yet: delete the store it cannot use so that a re-run with a fixed bundle can
      // create it again under the same name instead of hitting EntityAlreadyExists.
      const removed = await unlessGone(async () => {
        const cur = await ctx.cf.send(new GetTrustStoreCommand({ Identifier: id }));
        await ctx.cf.send(new DeleteTrustStoreCommand({ Id: id, IfMatch: cur.ETag }));
        return true;
      }).catch(() => false);
      throw new Error(`${(err as Error).message}${removed ? '; the new trust store was deleted again' : ''}`);
    }
    await syncTags(ctx, got.TrustStore!.Arn!, w.tags, undefined);
    return { action, attributes: w.attributes(got.TrustStore!, got.ETag), retired: action === 'replace' ? prior : undefined };
  };

  if (!prior) return create('create');
  if (prior.applied.name !== w.name) return create('replace');
  const id = String(prior.attributes.id);
  let got = await unlessGone(() => ctx.cf.send(new GetTrustStoreCommand({ Identifier: id })));
  if (!got) return create('recreate');
  let action: ApplyResult['action'] = 'no-op';
  if (!sameValue(prior.applied.ca_certificates_bundle_source, w.ca_certificates_bundle_source)
    || (w.ocsp !== undefined && (got.TrustStore?.UseClientCertificateOCSPEndpoint ?? false) !== w.ocsp)) {
    await ctx.cf.send(new UpdateTrustStoreCommand({ Id: id, IfMatch: got.ETag, CaCertificatesBundleSource: apiSource(w), ...ocspField }));
    got = await waitActive(id);
    action = 'update';
  }
  if (await syncTags(ctx, got.TrustStore!.Arn!, w.tags, w.priorTags)) action = 'update';
  return { action, attributes: w.attributes(got.TrustStore!, got.ETag) };
}

/** DeleteTrustStore with the current ETag; a trust store already gone is fine. */
export async function destroyTrustStore(ctx: ApplyContext, prior: StateResource): Promise<void> {
  const id = String(prior.attributes.id);
  await unlessGone(async () => {
    const got = await ctx.cf.send(new GetTrustStoreCommand({ Identifier: id }));
    await ctx.cf.send(new DeleteTrustStoreCommand({ Id: id, IfMatch: got.ETag }));
  });
}
