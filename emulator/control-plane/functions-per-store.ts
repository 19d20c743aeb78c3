import type { HandlerContext } from '../handler-context';
import { LIMITS } from '../limits';
import { ApiError } from '../wire/api-error';

/**
 * CloudFront lets at most LIMITS.functionsPerKeyValueStore functions use one key value store. A function counts
 * when either of its stages names the store; `self` (the function being updated) does not count against itself.
 */
export function checkFunctionsPerStore(ctx: HandlerContext, storeArn: string, self?: string): void {
  const users = [...ctx.state.connectionFunctions.values()].filter((f) => f.id !== self
    && (f.development.keyValueStoreArns.includes(storeArn) || (f.live?.keyValueStoreArns.includes(storeArn) ?? false)));
  if (users.length >= LIMITS.functionsPerKeyValueStore) {
    throw new ApiError('EntityLimitExceeded', 400,
      `The key value store ${storeArn} is already used by ${users.length} functions, the maximum.`);
  }
}
