import type { KeyValueStoreState } from '../emulator-state';
import { later, type HandlerContext, type OperationHandler } from '../handler-context';
import { resourceIds } from '../resource-ids';
import { ApiError } from '../wire/api-error';
import { checkIfMatch } from './preconditions';
import { pageInCreationOrder } from './paging';
import { checkNewName } from './resource-names';
import { tagsFromInput } from './tagging';

/** PROVISIONING until the store's provisioning delay has passed, then READY. */
export function storeStatus(ctx: HandlerContext, k: KeyValueStoreState): 'PROVISIONING' | 'READY' {
  return Date.parse(k.readyAt) > ctx.now.getTime() ? 'PROVISIONING' : 'READY';
}

/** The store an ARN names. Every data-plane request looks its store up, so this goes by the ID the ARN ends with. */
export function findStoreByArn(ctx: HandlerContext, arn: string): KeyValueStoreState | undefined {
  const k = ctx.state.keyValueStores.get(arn.slice(arn.lastIndexOf('/') + 1));
  return k?.arn === arn ? k : undefined;
}

function byName(ctx: HandlerContext, name: string): KeyValueStoreState {
  const k = [...ctx.state.keyValueStores.values()].find((s) => s.name === name);
  if (!k) throw new ApiError('EntityNotFound', 404, `The key value store ${name} does not exist.`);
  return k;
}

function shape(ctx: HandlerContext, k: KeyValueStoreState, status?: string) {
  return {
    Name: k.name, Id: k.id, Comment: k.comment, ARN: k.arn,
    LastModifiedTime: new Date(k.lastModified), Status: status ?? storeStatus(ctx, k),
  };
}

const create: OperationHandler = (ctx, input) => {
  const name = checkNewName(input.Name, ctx.state.keyValueStores, 'key value store');
  if (input.ImportSource) {
    throw new ApiError('UnsupportedOperation', 400,
      'This emulator cannot read S3, so ImportSource is not supported; create the store empty and write its keys '
      + 'through the KeyValueStore API (PutKey / UpdateKeys).');
  }
  const id = resourceIds.keyValueStore();
  const k: KeyValueStoreState = {
    id, name,
    arn: `arn:aws:cloudfront::${ctx.state.accountId}:key-value-store/${id}`,
    comment: input.Comment ?? '',
    created: ctx.now.toISOString(),
    lastModified: ctx.now.toISOString(),
    readyAt: later(ctx.now, ctx.timings.kvsProvisioningMs),
    etag: resourceIds.etag(),
    dataEtag: resourceIds.dataEtag(),
    dataLastModified: ctx.now.toISOString(),
    items: new Map(),
    tags: tagsFromInput(input.Tags, {}),
  };
  ctx.state.keyValueStores.set(id, k);
  ctx.changed();
  return {
    KeyValueStore: shape(ctx, k, 'PROVISIONING'),
    ETag: k.etag,
    Location: `https://cloudfront.amazonaws.com/2020-05-31/key-value-store/${k.arn}`,
  };
};

const describe: OperationHandler = (ctx, input) => {
  const k = byName(ctx, input.Name);
  return { KeyValueStore: shape(ctx, k), ETag: k.etag };
};

const update: OperationHandler = (ctx, input) => {
  const k = byName(ctx, input.Name);
  checkIfMatch(input.IfMatch, k.etag, `key value store ${k.name}`);
  if (input.Comment === undefined) throw new ApiError('InvalidArgument', 400, 'Comment is required.');
  k.comment = input.Comment;
  k.etag = resourceIds.etag();
  k.lastModified = ctx.now.toISOString();
  ctx.changed();
  return { KeyValueStore: shape(ctx, k), ETag: k.etag };
};

const remove: OperationHandler = (ctx, input) => {
  const k = byName(ctx, input.Name);
  checkIfMatch(input.IfMatch, k.etag, `key value store ${k.name}`);
  const users = [...ctx.state.connectionFunctions.values()].filter((f) =>
    f.development.keyValueStoreArns.includes(k.arn) || f.live?.keyValueStoreArns.includes(k.arn));
  if (users.length) {
    throw new ApiError('CannotDeleteEntityWhileInUse', 409,
      `The key value store ${k.name} is associated with connection function(s) ${users.map((f) => f.name).join(', ')}.`);
  }
  ctx.state.keyValueStores.delete(k.id);
  ctx.changed();
  return {};
};

const list: OperationHandler = (ctx, input) => {
  if (input.Status !== undefined && !['PROVISIONING', 'READY'].includes(input.Status)) {
    throw new ApiError('InvalidArgument', 400, `Status must be PROVISIONING or READY, got "${input.Status}".`);
  }
  const all = [...ctx.state.keyValueStores.values()]
    .filter((k) => input.Status === undefined || storeStatus(ctx, k) === input.Status);
  const p = pageInCreationOrder(all, input.Marker, input.MaxItems);
  return {
    KeyValueStoreList: {
      MaxItems: p.maxItems, Quantity: p.items.length, NextMarker: p.nextMarker,
      Items: p.items.map((k) => shape(ctx, k)),
    },
  };
};

export const keyValueStoreHandlers = {
  CreateKeyValueStore: create,
  DescribeKeyValueStore: describe,
  UpdateKeyValueStore: update,
  DeleteKeyValueStore: remove,
  ListKeyValueStores: list,
};
