import type { TrustStoreState } from '../emulator-state';
import { later, type HandlerContext, type OperationHandler } from '../handler-context';
import { LIMITS } from '../limits';
import { resourceIds } from '../resource-ids';
import { ApiError } from '../wire/api-error';
import { checkIfMatch, page } from './preconditions';
import { tagsFromInput } from './tagging';

function status(ctx: HandlerContext, t: TrustStoreState): 'pending' | 'active' {
  return Date.parse(t.activeAt) > ctx.now.getTime() ? 'pending' : 'active';
}

export function findTrustStore(ctx: HandlerContext, identifier: string): TrustStoreState | undefined {
  return ctx.state.trustStores.get(identifier)
    ?? [...ctx.state.trustStores.values()].find((t) => t.name === identifier);
}

function byIdentifier(ctx: HandlerContext, identifier: string): TrustStoreState {
  const t = findTrustStore(ctx, identifier);
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
 * The emulator records the CA bundle's S3 location but cannot read S3, so NumberOfCaCertificates is 0;
 * certificate validation itself happens before a connection function runs and is not emulated.
 */
function shape(ctx: HandlerContext, t: TrustStoreState) {
  return {
    Id: t.id, Arn: t.arn, Name: t.name, Status: status(ctx, t), NumberOfCaCertificates: 0,
    LastModifiedTime: new Date(t.lastModified), UseClientCertificateOCSPEndpoint: t.useClientCertificateOcspEndpoint,
  };
}

const create: OperationHandler = (ctx, input) => {
  const name = input.Name;
  if (typeof name !== 'string' || !LIMITS.namePattern.test(name)) {
    throw new ApiError('InvalidArgument', 400,
      `Name must be 1-64 characters from a-z, A-Z, 0-9, hyphen and underscore, got "${String(name ?? '')}".`);
  }
  if ([...ctx.state.trustStores.values()].some((t) => t.name === name)) {
    throw new ApiError('EntityAlreadyExists', 409, `A trust store named ${name} already exists.`);
  }
  const id = resourceIds.trustStore();
  const t: TrustStoreState = {
    id, name,
    arn: `arn:aws:cloudfront::${ctx.state.accountId}:trust-store/${id}`,
    etag: resourceIds.etag(),
    created: ctx.now.toISOString(),
    lastModified: ctx.now.toISOString(),
    activeAt: later(ctx.now, ctx.timings.trustStoreActivationMs),
    bundleSource: validateSource(input.CaCertificatesBundleSource),
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
  t.bundleSource = validateSource(input.CaCertificatesBundleSource);
  if (input.UseClientCertificateOCSPEndpoint !== undefined) t.useClientCertificateOcspEndpoint = input.UseClientCertificateOCSPEndpoint;
  t.etag = resourceIds.etag();
  t.lastModified = ctx.now.toISOString();
  ctx.changed();
  return { TrustStore: shape(ctx, t), ETag: t.etag };
};

const remove: OperationHandler = (ctx, input) => {
  const t = ctx.state.trustStores.get(input.Id);
  if (!t) throw new ApiError('EntityNotFound', 404, `The trust store ${input.Id} does not exist.`);
  checkIfMatch(input.IfMatch, t.etag, `trust store ${t.id}`);
  const users = [...ctx.state.distributions.values()].filter((d) =>
    (d.config as any).ViewerMtlsConfig?.TrustStoreConfig?.TrustStoreId === t.id);
  if (users.length) {
    throw new ApiError('CannotDeleteEntityWhileInUse', 409,
      `The trust store ${t.id} is used by distribution(s) ${users.map((d) => d.id).join(', ')}.`);
  }
  ctx.state.trustStores.delete(t.id);
  ctx.changed();
  return {};
};

const list: OperationHandler = (ctx, input) => {
  const all = [...ctx.state.trustStores.values()].sort((a, b) => a.created.localeCompare(b.created) || a.id.localeCompare(b.id));
  const p = page(all, (t) => t.id, input.Marker, input.MaxItems);
  return { NextMarker: p.nextMarker, TrustStoreList: p.items.map((t) => ({ ...shape(ctx, t), ETag: t.etag })) };
};

export const trustStoreHandlers = {
  CreateTrustStore: create,
  GetTrustStore: get,
  UpdateTrustStore: update,
  DeleteTrustStore: remove,
  ListTrustStores: list,
};
