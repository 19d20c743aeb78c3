import type { TrustStoreState } from '../emulator-state';
import { later, type HandlerContext, type OperationHandler } from '../handler-context';
import { resourceIds } from '../resource-ids';
import { ApiError } from '../wire/api-error';
import { checkIfMatch } from './preconditions';
import { pageInCreationOrder } from './paging';
import { distributionsUsingTrustStore } from './distributions';
import { checkNewName, findByIdOrName } from './resource-names';
import { tagsFromInput } from './tagging';
import { LIMITS } from '../limits';
import { readCaBundleOutcome } from './ca-bundle-check';

/** `pending` while CloudFront reads the bundle (after a create or an update), then `active` or `failed`. */
function status(ctx: HandlerContext, t: TrustStoreState): 'pending' | 'active' | 'failed' {
  if (Date.parse(t.activeAt) > ctx.now.getTime()) return 'pending';
  return t.failureReason === undefined ? 'active' : 'failed';
}

function byIdentifier(ctx: HandlerContext, identifier: string): TrustStoreState {
  const t = findByIdOrName(ctx.state.trustStores, identifier);
  if (!t) throw new ApiError('EntityNotFound', 404, `The trust store ${identifier} does not exist.`);
  return t;
}

function validateSource(source: any): Record<string, unknown> {
  const s3 = source?.CaCertificatesBundleS3Location;
  if (!s3 || !s3.Bucket || !s3.Key || !s3.Region) {
    throw new ApiError('InvalidArgument', 400,
      'CaCertificatesBundleSource.CaCertificatesBundleS3Location needs Bucket, Key and Region.');
  }
  return source;
}

/**
 * NumberOfCaCertificates is what the last bundle that could be read held (0 for a bucket outside the emulator's
 * S3); Reason says why a `failed` store's bundle could not be used. Certificate validation itself happens before a
 * connection function runs and is not emulated.
 */
function shape(ctx: HandlerContext, t: TrustStoreState) {
  const st = status(ctx, t);
  return {
    Id: t.id, Arn: t.arn, Name: t.name, Status: st, NumberOfCaCertificates: t.numberOfCaCertificates ?? 0,
    LastModifiedTime: new Date(t.lastModified), UseClientCertificateOCSPEndpoint: t.useClientCertificateOcspEndpoint,
    ...(st === 'failed' ? { Reason: t.failureReason } : {}),
  };
}

const create: OperationHandler = (ctx, input) => {
  const name = checkNewName(input.Name, ctx.state.trustStores, 'trust store');
  if (ctx.state.trustStores.size >= LIMITS.trustStoresPerAccount) {
    throw new ApiError('EntityLimitExceeded', 400, `The account already has ${LIMITS.trustStoresPerAccount} trust stores, the maximum.`);
  }
  const bundleSource = validateSource(input.CaCertificatesBundleSource);
  const read = readCaBundleOutcome(ctx, input.CaCertificatesBundleSource.CaCertificatesBundleS3Location);
  const id = resourceIds.trustStore();
  const t: TrustStoreState = {
    id, name,
    arn: `arn:aws:cloudfront::${ctx.state.accountId}:trust-store/${id}`,
    etag: resourceIds.etag(),
    created: ctx.now.toISOString(),
    lastModified: ctx.now.toISOString(),
    activeAt: later(ctx.now, ctx.timings.trustStoreActivationMs),
    bundleSource,
    ...(read.count !== undefined ? { numberOfCaCertificates: read.count } : {}),
    ...(read.pems !== undefined ? { caCertificates: read.pems } : {}),
    ...(read.reason !== undefined ? { failureReason: read.reason } : {}),
    useClientCertificateOcspEndpoint: input.UseClientCertificateOCSPEndpoint ?? false,
    tags: tagsFromInput(input.Tags, {}),
  };
  ctx.state.trustStores.set(id, t);
  ctx.changed();
  return { TrustStore: { ...shape(ctx, t), Status: 'pending' }, ETag: t.etag };
};

const get: OperationHandler = (ctx, input) => {
  const t = byIdentifier(ctx, input.Identifier);
  return { TrustStore: shape(ctx, t), ETag: t.etag };
};

const update: OperationHandler = (ctx, input) => {
  const t = ctx.state.trustStores.get(input.Id);
  if (!t) throw new ApiError('EntityNotFound', 404, `The trust store ${input.Id} does not exist.`);
  checkIfMatch(input.IfMatch, t.etag, `trust store ${t.id}`);
  // Check the request before changing anything: a refused update leaves the store as it was. The bundle is read
  // again (a new object version or key is how CAs rotate) and decides how the store leaves `pending`; a bundle
  // that cannot be used keeps the count of the last one that could.
  const bundleSource = validateSource(input.CaCertificatesBundleSource);
  const read = readCaBundleOutcome(ctx, input.CaCertificatesBundleSource.CaCertificatesBundleS3Location);
  t.bundleSource = bundleSource;
  if (read.count !== undefined) t.numberOfCaCertificates = read.count;
  if (read.pems !== undefined) t.caCertificates = read.pems;
  t.failureReason = read.reason;
  t.activeAt = later(ctx.now, ctx.timings.trustStoreActivationMs);
  if (input.UseClientCertificateOCSPEndpoint !== undefined) t.useClientCertificateOcspEndpoint = input.UseClientCertificateOCSPEndpoint;
  t.etag = resourceIds.etag();
  t.lastModified = ctx.now.toISOString();
  ctx.changed();
  return { TrustStore: { ...shape(ctx, t), Status: 'pending' }, ETag: t.etag };
};

const remove: OperationHandler = (ctx, input) => {
  const t = ctx.state.trustStores.get(input.Id);
  if (!t) throw new ApiError('EntityNotFound', 404, `The trust store ${input.Id} does not exist.`);
  checkIfMatch(input.IfMatch, t.etag, `trust store ${t.id}`);
  const users = distributionsUsingTrustStore(ctx, t.id);
  if (users.length) {
    throw new ApiError('CannotDeleteEntityWhileInUse', 409,
      `The trust store ${t.id} is used by distribution(s) ${users.map((d) => d.id).join(', ')}.`);
  }
  ctx.state.trustStores.delete(t.id);
  ctx.changed();
  return {};
};

const list: OperationHandler = (ctx, input) => {
  const p = pageInCreationOrder(ctx.state.trustStores.values(), input.Marker, input.MaxItems);
  return { NextMarker: p.nextMarker, TrustStoreList: p.items.map((t) => ({ ...shape(ctx, t), ETag: t.etag })) };
};

export const trustStoreHandlers = {
  CreateTrustStore: create,
  GetTrustStore: get,
  UpdateTrustStore: update,
  DeleteTrustStore: remove,
  ListTrustStores: list,
};
