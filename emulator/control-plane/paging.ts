import type { AccountResource } from '../emulator-state';
import { ApiError } from '../wire/api-error';

type Listed = Pick<AccountResource, 'id' | 'created'>;

const creationOrder = (a: Listed, b: Listed): number => a.created.localeCompare(b.created) || a.id.localeCompare(b.id);

/**
 * One page of a control-plane list. Every list is in creation order (oldest first, ties by ID), so that a marker
 * (the ID of the first resource of the next page) keeps its place across calls.
 */
export function pageInCreationOrder<T extends Listed>(resources: Iterable<T>, marker: string | undefined,
  maxItems: number | undefined): { items: T[]; nextMarker?: string; maxItems: number } {
  const max = maxItems ?? 100;
  if (!Number.isInteger(max) || max < 1 || max > 1000) {
    throw new ApiError('InvalidArgument', 400, `MaxItems must be an integer from 1 to 1000, got ${maxItems}.`);
  }
  const sorted = [...resources].sort(creationOrder);
  let start = 0;
  if (marker) {
    start = sorted.findIndex((r) => r.id === marker);
    if (start < 0) throw new ApiError('InvalidArgument', 400, `Marker ${marker} does not name an item of this list.`);
  }
  const next = sorted[start + max];
  return { items: sorted.slice(start, start + max), nextMarker: next?.id, maxItems: max };
}
