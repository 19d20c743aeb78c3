import type { KeyValueStoreState } from '../emulator-state';
import type { ConcurrentWriter, HandlerContext, OperationHandler } from '../handler-context';
import { LIMITS } from '../limits';
import { entryBytes, keyOrderIndexOf } from './key-order-index';
import { resourceIds } from '../resource-ids';
import { ApiError } from '../wire/api-error';
import { findStoreByArn, storeStatus } from '../control-plane/key-value-stores';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Store size as the service counts it: the UTF-8 bytes of every key and value. */
function storeSize(items: Map<string, string>): number {
  return keyOrderIndexOf(items).sizeBytes;
}

function storeFor(ctx: HandlerContext, arn: string): KeyValueStoreState {
  const k = findStoreByArn(ctx, arn);
  if (!k) throw new ApiError('ResourceNotFoundException', 404, `The key value store ${arn} does not exist.`);
  return k;
}

function writableStore(ctx: HandlerContext, input: { KvsARN: string; IfMatch?: string }): KeyValueStoreState {
  const k = storeFor(ctx, input.KvsARN);
  if (storeStatus(ctx, k) !== 'READY') {
    throw new ApiError('ConflictException', 409, `The key value store ${k.name} is still PROVISIONING.`);
  }
  if (!input.IfMatch) throw new ApiError('ValidationException', 400, 'If-Match (the store ETag from DescribeKeyValueStore) is required.');
  if (input.IfMatch !== k.dataEtag) {
    throw new ApiError('ConflictException', 409,
      `The If-Match ETag ${input.IfMatch} is stale; the store is at ${k.dataEtag}. Describe the store and retry.`);
  }
  return k;
}

function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || bytes(key) > LIMITS.kvsKeyBytes) {
    throw new ApiError('ValidationException', 400, `A key must be 1-${LIMITS.kvsKeyBytes} bytes, got ${typeof key === 'string' ? bytes(key) : 0}.`);
  }
  return key;
}

function checkValue(key: string, value: unknown): string {
  if (typeof value !== 'string') throw new ApiError('ValidationException', 400, `The value of key ${key} is required.`);
  if (bytes(value) > LIMITS.kvsValueBytes) {
    throw new ApiError('ValidationException', 400,
      `The value of key ${key} is ${bytes(value)} bytes; the limit is ${LIMITS.kvsValueBytes} bytes.`);
  }
  return value;
}

/** A change to one key: its new value, or `undefined` for a delete. Keys are unique within one change set. */
type KeyChange = readonly [key: string, value: string | undefined];

/**
 * Applies a complete set of changes, or none of them. Everything that can refuse the request (here: the size
 * of the resulting store) is worked out from the current contents first; only then is the store changed, in
 * place, so a write costs what it changes rather than the size of the store.
 */
function commit(ctx: HandlerContext, k: KeyValueStoreState, changes: readonly KeyChange[]) {
  const index = keyOrderIndexOf(k.items);
  let size = index.sizeBytes;
  for (const [key, value] of changes) {
    const previous = k.items.get(key);
    if (previous !== undefined) size -= entryBytes(key, previous);
    if (value !== undefined) size += entryBytes(key, value);
  }
  if (size > LIMITS.kvsStoreBytes) {
    throw new ApiError('ServiceQuotaExceededException', 402,
      `The key value store ${k.name} would hold ${size} bytes; the limit is ${LIMITS.kvsStoreBytes} bytes.`);
  }
  for (const [key, value] of changes) {
    const previous = k.items.get(key);
    if (value !== undefined) {
      k.items.set(key, value);
      index.put(key, value, previous);
    } else if (previous !== undefined) {
      k.items.delete(key);
      index.remove(key, previous);
    }
  }
  k.dataEtag = resourceIds.dataEtag();
  k.dataLastModified = ctx.now.toISOString();
  ctx.changed();
  return { ItemCount: k.items.size, TotalSizeInBytes: index.sizeBytes, ETag: k.dataEtag };
}

const describe: OperationHandler = (ctx, input) => {
  const k = storeFor(ctx, input.KvsARN);
  return {
    ItemCount: k.items.size,
    TotalSizeInBytes: storeSize(k.items),
    KvsARN: k.arn,
    Created: new Date(k.created),
    ETag: k.dataEtag,
    LastModified: new Date(k.dataLastModified),
    Status: storeStatus(ctx, k),
  };
};

const getKey: OperationHandler = (ctx, input) => {
  const k = storeFor(ctx, input.KvsARN);
  const value = k.items.get(input.Key);
  if (value === undefined) throw new ApiError('ResourceNotFoundException', 404, `The key ${input.Key} does not exist.`);
  return { Key: input.Key, Value: value, ItemCount: k.items.size, TotalSizeInBytes: storeSize(k.items) };
};

const listKeys: OperationHandler = (ctx, input) => {
  const k = storeFor(ctx, input.KvsARN);
  const max = input.MaxResults ?? LIMITS.kvsListMaxResults;
  if (!Number.isInteger(max) || max < 1 || max > LIMITS.kvsListMaxResults) {
    throw new ApiError('ValidationException', 400, `MaxResults must be an integer from 1 to ${LIMITS.kvsListMaxResults}, got ${input.MaxResults}.`);
  }
  let after: string | undefined;
  if (input.NextToken !== undefined) {
    try {
      const t = JSON.parse(Buffer.from(input.NextToken, 'base64url').toString('utf8'));
      if (typeof t.after !== 'string') throw new Error('no position');
      after = t.after;
    } catch {
      throw new ApiError('ValidationException', 400, 'NextToken is not a token this API returned.');
    }
  }
  // One key past the page says whether there is a next page; the token names the last key returned, so a
  // key written or deleted between pages never shifts the pages that follow.
  const keys = keyOrderIndexOf(k.items).keysAfter(after, max + 1);
  const pageKeys = keys.slice(0, max);
  const more = keys.length > max;
  return {
    Items: pageKeys.map((key) => ({ Key: key, Value: k.items.get(key)! })),
    NextToken: more ? Buffer.from(JSON.stringify({ after: pageKeys[pageKeys.length - 1] })).toString('base64url') : undefined,
  };
};

const putKey: OperationHandler = (ctx, input) => {
  const key = checkKey(input.Key);
  const value = checkValue(key, input.Value);
  const k = writableStore(ctx, input);
  return commit(ctx, k, [[key, value]]);
};

const deleteKey: OperationHandler = (ctx, input) => {
  const key = checkKey(input.Key);
  const k = writableStore(ctx, input);
  if (!k.items.has(key)) throw new ApiError('ResourceNotFoundException', 404, `The key ${key} does not exist.`);
  return commit(ctx, k, [[key, undefined]]);
};

const updateKeys: OperationHandler = (ctx, input) => {
  const puts: { Key?: string; Value?: string }[] = input.Puts ?? [];
  const deletes: { Key?: string }[] = input.Deletes ?? [];
  const count = puts.length + deletes.length;
  if (count === 0) throw new ApiError('ValidationException', 400, 'UpdateKeys needs at least one put or delete.');
  if (count > LIMITS.kvsKeysPerUpdate) {
    throw new ApiError('ValidationException', 400,
      `UpdateKeys takes at most ${LIMITS.kvsKeysPerUpdate} keys per request, got ${count}.`);
  }
  let payload = 0;
  const seen = new Set<string>();
  const checkedPuts = puts.map((p) => {
    const key = checkKey(p.Key);
    const value = checkValue(key, p.Value);
    if (seen.has(key)) throw new ApiError('ValidationException', 400, `The key ${key} appears more than once in the request.`);
    seen.add(key);
    payload += bytes(key) + bytes(value);
    return [key, value] as const;
  });
  const checkedDeletes = deletes.map((d) => {
    const key = checkKey(d.Key);
    if (seen.has(key)) throw new ApiError('ValidationException', 400, `The key ${key} appears more than once in the request.`);
    seen.add(key);
    payload += bytes(key);
    return key;
  });
  if (payload > LIMITS.kvsUpdateBytes) {
    throw new ApiError('ValidationException', 400, `UpdateKeys carries ${payload} bytes; the limit is ${LIMITS.kvsUpdateBytes} bytes.`);
  }
  const k = writableStore(ctx, input);
  return commit(ctx, k, [...checkedPuts, ...checkedDeletes.map((key) => [key, undefined] as const)]);
};

/** Another writer changes the store (rewrites an existing value, or nothing) just before a conditional write. */
const moveDataEtag: ConcurrentWriter = (ctx, input) => {
  const k = findStoreByArn(ctx, input.KvsARN);
  if (!k || !input.IfMatch) return false;
  k.dataEtag = resourceIds.dataEtag();
  k.dataLastModified = ctx.now.toISOString();
  ctx.changed();
  return true;
};

export const keyValueStoreDataHandlers = {
  DescribeKeyValueStore: describe,
  GetKey: getKey,
  ListKeys: listKeys,
  PutKey: putKey,
  DeleteKey: deleteKey,
  UpdateKeys: updateKeys,
};

export const keyValueStoreDataConcurrentWriters = {
  PutKey: moveDataEtag,
  DeleteKey: moveDataEtag,
  UpdateKeys: moveDataEtag,
};
