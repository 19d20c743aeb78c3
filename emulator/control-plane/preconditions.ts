import { ApiError } from '../wire/api-error';

/**
 * CloudFront's optimistic locking: a write must name the ETag it read. Missing -> InvalidIfMatchVersion (400),
 * stale -> PreconditionFailed (412).
 */
export function checkIfMatch(ifMatch: string | undefined, current: string, what: string): void {
  if (!ifMatch) {
    throw new ApiError('InvalidIfMatchVersion', 400, `The If-Match version is missing or not valid for ${what}.`);
  }
  if (ifMatch !== current) {
    throw new ApiError('PreconditionFailed', 412,
      `The If-Match version ${ifMatch} does not match the current version of ${what}.`);
  }
}

/** CloudFront's `{Quantity, Items}` lists must agree with themselves. */
export function itemsOf<T>(list: { Quantity?: number; Items?: T[] } | undefined, where: string): T[] {
  if (!list) return [];
  const items = list.Items ?? [];
  if (list.Quantity === undefined) throw new ApiError('InvalidArgument', 400, `${where}.Quantity is required.`);
  if (list.Quantity !== items.length) {
    throw new ApiError('InvalidArgument', 400,
      `${where}.Quantity is ${list.Quantity} but ${items.length} item(s) were given.`);
  }
  return items;
}
