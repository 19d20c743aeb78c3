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

/** Marker-based paging over an ordered list: the marker is the id of the first item of the next page. */
export function page<T>(items: T[], idOf: (t: T) => string, marker: string | undefined, maxItems: number | undefined):
  { items: T[]; nextMarker?: string; maxItems: number } {
  const max = maxItems ?? 100;
  if (!Number.isInteger(max) || max < 1 || max > 1000) {
    throw new ApiError('InvalidArgument', 400, `MaxItems must be an integer from 1 to 1000, got ${maxItems}.`);
  }
  let start = 0;
  if (marker) {
    start = items.findIndex((t) => idOf(t) === marker);
    if (start < 0) throw new ApiError('InvalidArgument', 400, `Marker ${marker} does not name an item of this list.`);
  }
  const slice = items.slice(start, start + max);
  const next = items[start + max];
  return { items: slice, nextMarker: next ? idOf(next) : undefined, maxItems: max };
}
