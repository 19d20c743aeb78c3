import type { ConnectionFunctionState, FunctionStageState } from '../emulator-state';
import { Deferred, type ConcurrentWriter, type HandlerContext, type OperationHandler } from '../handler-context';
import { checkFunctionsPerStore } from './functions-per-store';
import { connectionAsSeenBy } from './ocsp-visibility';
import { LIMITS, SUPPORTED_CONNECTION_RUNTIME } from '../limits';
import { resourceIds } from '../resource-ids';
import { ApiError } from '../wire/api-error';
import { runConnectionTest, storeVersion } from '../connection-test';
import { checkIfMatch, itemsOf } from './preconditions';
import { pageInCreationOrder } from './paging';
import { isAssociated, distributionList, distributionsUsingFunction } from './distributions';
import { findStoreByArn } from './key-value-stores';
import { checkNewName, findByIdOrName } from './resource-names';
import { tagsFromInput } from './tagging';

type Stage = 'DEVELOPMENT' | 'LIVE';

interface FunctionConfigInput {
  Comment?: string;
  Runtime?: string;
  KeyValueStoreAssociations?: { Quantity?: number; Items?: { KeyValueStoreARN?: string }[] };
}

function parseStage(v: unknown): Stage {
  if (v === undefined || v === 'DEVELOPMENT') return 'DEVELOPMENT';
  if (v === 'LIVE') return 'LIVE';
  throw new ApiError('InvalidArgument', 400, `Stage must be DEVELOPMENT or LIVE, got "${String(v)}".`);
}

/** Finds a function by ID or by name (the `Identifier` operations accept both). */
function byIdentifier(ctx: HandlerContext, identifier: string): ConnectionFunctionState {
  const fn = findByIdOrName(ctx.state.connectionFunctions, identifier);
  if (!fn) throw new ApiError('EntityNotFound', 404, `The connection function ${identifier} does not exist.`);
  return fn;
}

function byId(ctx: HandlerContext, id: string): ConnectionFunctionState {
  const fn = ctx.state.connectionFunctions.get(id);
  if (!fn) throw new ApiError('EntityNotFound', 404, `The connection function with ID ${id} does not exist.`);
  return fn;
}

function stageOf(fn: ConnectionFunctionState, stage: Stage): FunctionStageState {
  if (stage === 'DEVELOPMENT') return fn.development;
  if (!fn.live) throw new ApiError('EntityNotFound', 404, `The connection function ${fn.id} has no LIVE stage; publish it first.`);
  return fn.live;
}

function liveStatus(ctx: HandlerContext, fn: ConnectionFunctionState): string {
  if (fn.publishedAt && Date.parse(fn.publishedAt) + ctx.timings.publishMs > ctx.now.getTime()) return 'PUBLISHING';
  return isAssociated(ctx, fn.id) ? 'DEPLOYED' : 'UNASSOCIATED';
}

/** Status as CloudFront reports it per stage: DEVELOPMENT with unpublished changes is UNPUBLISHED. */
function statusOf(ctx: HandlerContext, fn: ConnectionFunctionState, stage: Stage): string {
  if (stage === 'DEVELOPMENT' && (!fn.live || fn.unpublishedChanges)) return 'UNPUBLISHED';
  return liveStatus(ctx, fn);
}

function summary(ctx: HandlerContext, fn: ConnectionFunctionState, stage: Stage, status?: string) {
  const s = stageOf(fn, stage);
  return {
    Name: fn.name,
    Id: fn.id,
    ConnectionFunctionConfig: {
      Comment: s.comment,
      Runtime: s.runtime,
      KeyValueStoreAssociations: {
        Quantity: s.keyValueStoreArns.length,
        Items: s.keyValueStoreArns.length ? s.keyValueStoreArns.map((a) => ({ KeyValueStoreARN: a })) : undefined,
      },
    },
    ConnectionFunctionArn: fn.arn,
    Status: status ?? statusOf(ctx, fn, stage),
    Stage: stage,
    CreatedTime: new Date(fn.created),
    LastModifiedTime: new Date(s.lastModified),
  };
}

function validateStage(ctx: HandlerContext, config: FunctionConfigInput | undefined, code: Uint8Array | undefined,
  etag: string, self?: string): FunctionStageState {
  if (!config) throw new ApiError('InvalidArgument', 400, 'ConnectionFunctionConfig is required.');
  if (config.Runtime !== SUPPORTED_CONNECTION_RUNTIME) {
    throw new ApiError('InvalidArgument', 400,
      `Runtime must be ${SUPPORTED_CONNECTION_RUNTIME} for connection functions, got "${config.Runtime ?? ''}".`);
  }
  if (!code || code.length === 0) throw new ApiError('InvalidArgument', 400, 'ConnectionFunctionCode is required.');
  if (code.length > LIMITS.functionCodeBytes) {
    throw new ApiError('EntitySizeLimitExceeded', 413,
      `The connection function code is ${code.length} bytes; the limit is ${LIMITS.functionCodeBytes} bytes.`);
  }
  const associations = itemsOf(config.KeyValueStoreAssociations, 'ConnectionFunctionConfig.KeyValueStoreAssociations');
  if (associations.length > 1) {
    throw new ApiError('InvalidArgument', 400, 'A connection function can be associated with at most one key value store.');
  }
  const arns = associations.map((a) => {
    if (!a.KeyValueStoreARN || !findStoreByArn(ctx, a.KeyValueStoreARN)) {
      throw new ApiError('EntityNotFound', 404, `The key value store ${a.KeyValueStoreARN ?? '(no ARN)'} does not exist.`);
    }
    checkFunctionsPerStore(ctx, a.KeyValueStoreARN, self);
    return a.KeyValueStoreARN;
  });
  return {
    codeBase64: Buffer.from(code).toString('base64'),
    comment: config.Comment ?? '',
    runtime: config.Runtime,
    keyValueStoreArns: arns,
    etag,
    lastModified: ctx.now.toISOString(),
  };
}

const create: OperationHandler = (ctx, input) => {
  const name = checkNewName(input.Name, ctx.state.connectionFunctions, 'connection function');
  if (ctx.state.connectionFunctions.size >= LIMITS.functionsPerAccount) {
    throw new ApiError('EntityLimitExceeded', 400,
      `The account already has ${LIMITS.functionsPerAccount} connection functions, the maximum.`);
  }
  const development = validateStage(ctx, input.ConnectionFunctionConfig, input.ConnectionFunctionCode, resourceIds.etag());
  const id = resourceIds.connectionFunction();
  const fn: ConnectionFunctionState = {
    id,
    name,
    arn: `arn:aws:cloudfront::${ctx.state.accountId}:connection-function/${id}`,
    created: ctx.now.toISOString(),
    development,
    unpublishedChanges: true,
    tags: tagsFromInput(input.Tags, {}),
  };
  ctx.state.connectionFunctions.set(id, fn);
  ctx.changed();
  return {
    ConnectionFunctionSummary: summary(ctx, fn, 'DEVELOPMENT'),
    Location: `https://cloudfront.amazonaws.com/2020-05-31/connection-function/${id}`,
    ETag: development.etag,
  };
};

const describe: OperationHandler = (ctx, input) => {
  const fn = byIdentifier(ctx, input.Identifier);
  const stage = parseStage(input.Stage);
  return { ConnectionFunctionSummary: summary(ctx, fn, stage), ETag: stageOf(fn, stage).etag };
};

const get: OperationHandler = (ctx, input) => {
  const fn = byIdentifier(ctx, input.Identifier);
  const s = stageOf(fn, parseStage(input.Stage));
  return { ConnectionFunctionCode: Buffer.from(s.codeBase64, 'base64'), ETag: s.etag, ContentType: 'application/octet-stream' };
};

const update: OperationHandler = (ctx, input) => {
  const fn = byId(ctx, input.Id);
  checkIfMatch(input.IfMatch, fn.development.etag, `connection function ${fn.id} (DEVELOPMENT)`);
  fn.development = validateStage(ctx, input.ConnectionFunctionConfig, input.ConnectionFunctionCode, resourceIds.etag(), fn.id);
  fn.unpublishedChanges = true;
  ctx.changed();
  return { ConnectionFunctionSummary: summary(ctx, fn, 'DEVELOPMENT'), ETag: fn.development.etag };
};

const publish: OperationHandler = (ctx, input) => {
  const fn = byId(ctx, input.Id);
  checkIfMatch(input.IfMatch, fn.development.etag, `connection function ${fn.id} (DEVELOPMENT)`);
  fn.live = { ...fn.development, keyValueStoreArns: [...fn.development.keyValueStoreArns], etag: resourceIds.etag(),
    lastModified: ctx.now.toISOString() };
  fn.publishedAt = ctx.now.toISOString();
  fn.unpublishedChanges = false;
  ctx.changed();
  return { ConnectionFunctionSummary: summary(ctx, fn, 'LIVE', 'PUBLISHING') };
};

const remove: OperationHandler = (ctx, input) => {
  const fn = byId(ctx, input.Id);
  checkIfMatch(input.IfMatch, fn.development.etag, `connection function ${fn.id} (DEVELOPMENT)`);
  const users = distributionsUsingFunction(ctx, fn.id);
  if (users.length) {
    throw new ApiError('CannotDeleteEntityWhileInUse', 409,
      `The connection function ${fn.id} is associated with distribution(s) ${users.map((d) => d.id).join(', ')}.`);
  }
  ctx.state.connectionFunctions.delete(fn.id);
  ctx.changed();
  return {};
};

const list: OperationHandler = (ctx, input) => {
  const stage = input.Stage === undefined ? undefined : parseStage(input.Stage);
  const all = [...ctx.state.connectionFunctions.values()].filter((f) => stage !== 'LIVE' || f.live);
  const p = pageInCreationOrder(all, input.Marker, input.MaxItems);
  return {
    NextMarker: p.nextMarker,
    ConnectionFunctions: p.items.map((f) => summary(ctx, f, stage ?? 'DEVELOPMENT')),
  };
};

const test: OperationHandler = (ctx, input) => {
  const fn = byId(ctx, input.Id);
  const stage = parseStage(input.Stage);
  const s = stageOf(fn, stage);
  checkIfMatch(input.IfMatch, s.etag, `connection function ${fn.id} (${stage})`);
  const object = input.ConnectionObject as Uint8Array | undefined;
  if (!object || object.length === 0) throw new ApiError('InvalidArgument', 400, 'ConnectionObject is required.');
  if (object.length > LIMITS.connectionObjectBytes) {
    throw new ApiError('InvalidArgument', 400,
      `ConnectionObject is ${object.length} bytes; the limit is ${LIMITS.connectionObjectBytes} bytes.`);
  }
  let connection: unknown;
  try {
    connection = JSON.parse(Buffer.from(object).toString('utf8'));
  } catch (err) {
    throw new ApiError('InvalidArgument', 400, `ConnectionObject is not valid JSON: ${(err as Error).message}`);
  }
  const storeState = s.keyValueStoreArns[0] ? findStoreByArn(ctx, s.keyValueStoreArns[0]) : undefined;
  // Everything the run needs is read now, under the state lock: the code, the summary, the connection as this
  // function sees it and the store's current version. The code runs after the lock is let go, so writes (key
  // updates, publishes) are not held back by a slow or runaway function.
  const ConnectionFunctionSummary = summary(ctx, fn, stage);
  const code = Buffer.from(s.codeBase64, 'base64').toString('utf8');
  const seen = connectionAsSeenBy(ctx, fn.id, connection);
  const store = storeState && storeVersion(storeState);
  const injectedFailure = stage === 'LIVE' && ctx.injected?.failLiveTest;
  const now = ctx.now;
  return new Deferred(async () => {
    const result = injectedFailure
      ? { computeUtilization: '0', logs: [], errorMessage: 'InjectedFault: the LIVE stage failed to run the function (emulator failLiveTestRate)', output: '' }
      : await runConnectionTest(code, seen, store, now);
    return {
      ConnectionFunctionTestResult: {
        ConnectionFunctionSummary,
        ComputeUtilization: result.computeUtilization,
        ConnectionFunctionExecutionLogs: result.logs,
        ConnectionFunctionErrorMessage: result.errorMessage,
        ConnectionFunctionOutput: result.output,
      },
    };
  });
};

const listDistributions: OperationHandler = (ctx, input) => {
  const fn = byIdentifier(ctx, input.ConnectionFunctionIdentifier ?? '');
  return { DistributionList: distributionList(ctx, distributionsUsingFunction(ctx, fn.id), input.Marker, input.MaxItems) };
};

/** Another writer updates DEVELOPMENT (same code, new ETag) just before a conditional request on the function. */
const moveDevelopmentEtag: ConcurrentWriter = (ctx, input) => {
  const fn = ctx.state.connectionFunctions.get(input.Id);
  if (!fn || !input.IfMatch) return false;
  fn.development = { ...fn.development, etag: resourceIds.etag(), lastModified: ctx.now.toISOString() };
  if (input.Stage === 'LIVE' && fn.live) fn.live = { ...fn.live, etag: resourceIds.etag() };
  ctx.changed();
  return true;
};

export const connectionFunctionHandlers = {
  CreateConnectionFunction: create,
  DescribeConnectionFunction: describe,
  GetConnectionFunction: get,
  UpdateConnectionFunction: update,
  PublishConnectionFunction: publish,
  DeleteConnectionFunction: remove,
  ListConnectionFunctions: list,
  TestConnectionFunction: test,
  ListDistributionsByConnectionFunction: listDistributions,
};

export const connectionFunctionConcurrentWriters = {
  UpdateConnectionFunction: moveDevelopmentEtag,
  PublishConnectionFunction: moveDevelopmentEtag,
  DeleteConnectionFunction: moveDevelopmentEtag,
  TestConnectionFunction: moveDevelopmentEtag,
};
