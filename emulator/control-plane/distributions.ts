import type { DistributionState } from '../emulator-state';
import { later, type HandlerContext, type OperationHandler } from '../handler-context';
import { resourceIds } from '../resource-ids';
import { ApiError } from '../wire/api-error';
import { LIMITS } from '../limits';
import { checkPassthroughConfig } from './passthrough-config';
import { checkIfMatch, itemsOf } from './preconditions';
import { pageInCreationOrder } from './paging';
import { tagsFromInput } from './tagging';

type Config = Record<string, any>;

const MTLS_MODES = ['required', 'optional', 'passthrough'];

export function distributionsUsingFunction(ctx: HandlerContext, functionId: string): DistributionState[] {
  return [...ctx.state.distributions.values()]
    .filter((d) => (d.config as Config).ConnectionFunctionAssociation?.Id === functionId);
}

/** Distributions whose viewer mTLS validates against the trust store `trustStoreId`. */
export function distributionsUsingTrustStore(ctx: HandlerContext, trustStoreId: string): DistributionState[] {
  return [...ctx.state.distributions.values()]
    .filter((d) => (d.config as Config).ViewerMtlsConfig?.TrustStoreConfig?.TrustStoreId === trustStoreId);
}

export function isAssociated(ctx: HandlerContext, functionId: string): boolean {
  return distributionsUsingFunction(ctx, functionId).length > 0;
}

function status(ctx: HandlerContext, d: DistributionState): 'InProgress' | 'Deployed' {
  return Date.parse(d.deployedAt) > ctx.now.getTime() ? 'InProgress' : 'Deployed';
}

/**
 * The checks CloudFront makes on a DistributionConfig that matter for viewer mTLS and connection functions, plus
 * the basic structural ones (an origin to route to). What CloudFront answers for a misconfigured association is
 * not documented; the emulator uses InvalidArgument with a message naming the field.
 */
function validateConfig(ctx: HandlerContext, c: Config | undefined, self?: string): Config {
  if (!c) throw new ApiError('MalformedInput', 400, 'DistributionConfig is required.');
  if (!c.CallerReference) throw new ApiError('InvalidArgument', 400, 'DistributionConfig.CallerReference is required.');
  if (typeof c.Enabled !== 'boolean') throw new ApiError('InvalidArgument', 400, 'DistributionConfig.Enabled is required.');
  const origins = itemsOf<Config>(c.Origins, 'DistributionConfig.Origins');
  if (origins.length === 0) throw new ApiError('InvalidArgument', 400, 'DistributionConfig.Origins needs at least one origin.');
  const target = c.DefaultCacheBehavior?.TargetOriginId;
  if (!target) throw new ApiError('InvalidArgument', 400, 'DistributionConfig.DefaultCacheBehavior.TargetOriginId is required.');
  if (!origins.some((o: Config) => o.Id === target)) {
    throw new ApiError('NoSuchOrigin', 404, `DefaultCacheBehavior.TargetOriginId ${target} names no origin of this distribution.`);
  }
  const mtls = c.ViewerMtlsConfig;
  if (mtls) {
    if (!MTLS_MODES.includes(mtls.Mode)) {
      throw new ApiError('InvalidArgument', 400,
        `ViewerMtlsConfig.Mode must be one of ${MTLS_MODES.join(', ')}, got "${mtls.Mode ?? ''}".`);
    }
    const tsId = mtls.TrustStoreConfig?.TrustStoreId;
    if (mtls.Mode === 'passthrough') checkPassthroughConfig(c);
    else {
      if (!tsId) throw new ApiError('InvalidArgument', 400, `ViewerMtlsConfig.Mode ${mtls.Mode} needs TrustStoreConfig.TrustStoreId.`);
      // An ID, not a name: DeleteTrustStore's in-use check compares IDs, as TrustStoreId is one.
      if (!ctx.state.trustStores.has(tsId)) throw new ApiError('EntityNotFound', 404, `The trust store ${tsId} does not exist.`);
      const others = distributionsUsingTrustStore(ctx, tsId).filter((d) => d.id !== self);
      if (others.length >= LIMITS.distributionsPerTrustStore) {
        throw new ApiError('EntityLimitExceeded', 400,
          `The trust store ${tsId} is already used by ${others.length} distributions, the maximum.`);
      }
    }
  }
  const assoc = c.ConnectionFunctionAssociation;
  if (assoc) {
    if (!assoc.Id) throw new ApiError('InvalidArgument', 400, 'ConnectionFunctionAssociation.Id is required.');
    const fn = ctx.state.connectionFunctions.get(assoc.Id);
    if (!fn) {
      const byArn = [...ctx.state.connectionFunctions.values()].some((f) => f.arn === assoc.Id);
      throw new ApiError(byArn ? 'InvalidArgument' : 'EntityNotFound', byArn ? 400 : 404, byArn
        ? `ConnectionFunctionAssociation.Id takes the function ID, not its ARN (${assoc.Id}).`
        : `The connection function ${assoc.Id} does not exist.`);
    }
    // Passthrough runs connection functions without a trust store (the "Associate" page predates it).
    if (!mtls || !MTLS_MODES.includes(mtls.Mode)) {
      throw new ApiError('InvalidArgument', 400,
        'A connection function can only be associated with a distribution that has ViewerMtlsConfig (required or optional with a trust store, or passthrough).');
    }
    if (!fn.live) {
      throw new ApiError('InvalidArgument', 400,
        `The connection function ${fn.id} (${fn.name}) has not been published; only a LIVE function can be associated with a distribution.`);
    }
  }
  return c;
}

function distributionShape(ctx: HandlerContext, d: DistributionState, forceStatus?: string) {
  return {
    Id: d.id,
    ARN: d.arn,
    Status: forceStatus ?? status(ctx, d),
    LastModifiedTime: new Date(d.lastModified),
    InProgressInvalidationBatches: 0,
    DomainName: d.domainName,
    ActiveTrustedSigners: { Enabled: false, Quantity: 0 },
    ActiveTrustedKeyGroups: { Enabled: false, Quantity: 0 },
    DistributionConfig: d.config,
  };
}

/** A `DistributionList` page; summaries carry the config's own fields plus the distribution's identity and status. */
export function distributionList(ctx: HandlerContext, all: Iterable<DistributionState>, marker: string | undefined,
  maxItems: number | undefined) {
  const p = pageInCreationOrder(all, marker, maxItems);
  return {
    Marker: marker ?? '',
    MaxItems: p.maxItems,
    IsTruncated: p.nextMarker !== undefined,
    NextMarker: p.nextMarker,
    Quantity: p.items.length,
    Items: p.items.map((d) => ({
      ...d.config,
      Id: d.id, ARN: d.arn, ETag: d.etag, Status: status(ctx, d), LastModifiedTime: new Date(d.lastModified),
      DomainName: d.domainName, Staging: d.config.Staging ?? false, Comment: d.config.Comment ?? '',
    })),
  };
}

function byId(ctx: HandlerContext, id: string): DistributionState {
  const d = ctx.state.distributions.get(id);
  if (!d) throw new ApiError('NoSuchDistribution', 404, `The distribution ${id} does not exist.`);
  return d;
}

function createFrom(ctx: HandlerContext, rawConfig: Config | undefined, tags: Record<string, string>) {
  const config = validateConfig(ctx, rawConfig);
  if ([...ctx.state.distributions.values()].some((d) => d.config.CallerReference === config.CallerReference)) {
    throw new ApiError('DistributionAlreadyExists', 409,
      `A distribution with CallerReference ${config.CallerReference} already exists.`);
  }
  const id = resourceIds.distribution();
  const d: DistributionState = {
    id,
    arn: `arn:aws:cloudfront::${ctx.state.accountId}:distribution/${id}`,
    domainName: resourceIds.distributionDomain(),
    etag: resourceIds.etag(),
    created: ctx.now.toISOString(),
    lastModified: ctx.now.toISOString(),
    deployedAt: later(ctx.now, ctx.timings.distributionDeployMs),
    config: { ...config, Comment: config.Comment ?? '' },
    tags,
  };
  ctx.state.distributions.set(id, d);
  ctx.changed();
  return {
    Distribution: distributionShape(ctx, d, 'InProgress'),
    Location: `https://cloudfront.amazonaws.com/2020-05-31/distribution/${id}`,
    ETag: d.etag,
  };
}

const create: OperationHandler = (ctx, input) => createFrom(ctx, input.DistributionConfig, {});

const createWithTags: OperationHandler = (ctx, input) => createFrom(ctx, input.DistributionConfigWithTags?.DistributionConfig,
  tagsFromInput(input.DistributionConfigWithTags?.Tags, {}));

const get: OperationHandler = (ctx, input) => {
  const d = byId(ctx, input.Id);
  return { Distribution: distributionShape(ctx, d), ETag: d.etag };
};

const getConfig: OperationHandler = (ctx, input) => {
  const d = byId(ctx, input.Id);
  return { DistributionConfig: d.config, ETag: d.etag };
};

const update: OperationHandler = (ctx, input) => {
  const d = byId(ctx, input.Id);
  checkIfMatch(input.IfMatch, d.etag, `distribution ${d.id}`);
  const config = validateConfig(ctx, input.DistributionConfig, d.id);
  if (config.CallerReference !== d.config.CallerReference) {
    throw new ApiError('IllegalUpdate', 400, 'DistributionConfig.CallerReference cannot be changed.');
  }
  d.config = { ...config, Comment: config.Comment ?? '' };
  d.etag = resourceIds.etag();
  d.lastModified = ctx.now.toISOString();
  d.deployedAt = later(ctx.now, ctx.timings.distributionDeployMs);
  ctx.changed();
  return { Distribution: distributionShape(ctx, d, 'InProgress'), ETag: d.etag };
};

const remove: OperationHandler = (ctx, input) => {
  const d = byId(ctx, input.Id);
  checkIfMatch(input.IfMatch, d.etag, `distribution ${d.id}`);
  if (d.config.Enabled !== false || status(ctx, d) !== 'Deployed') {
    throw new ApiError('DistributionNotDisabled', 409,
      `The distribution ${d.id} must be disabled (Enabled=false) and Deployed before it can be deleted.`);
  }
  ctx.state.distributions.delete(d.id);
  ctx.changed();
  return {};
};

const list: OperationHandler = (ctx, input) =>
  ({ DistributionList: distributionList(ctx, ctx.state.distributions.values(), input.Marker, input.MaxItems) });

export const distributionHandlers = {
  CreateDistribution: create,
  CreateDistributionWithTags: createWithTags,
  GetDistribution: get,
  GetDistributionConfig: getConfig,
  UpdateDistribution: update,
  DeleteDistribution: remove,
  ListDistributions: list,
};
