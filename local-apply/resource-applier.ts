import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { isNotFound } from '../orchestrator/stage/function-stages';
import type { ResourceAttributes, StateResource } from './local-state';
import type { BlockSpec } from './resource-schema';

/** What a resource applier works with. */
export interface ApplyContext {
  cf: CloudFrontClient;
  kvs: CloudFrontKeyValueStoreClient;
  /** The provider's `default_tags`, merged under a resource's own `tags` as Terraform's `tags_all` does. */
  defaultTags: Record<string, string>;
  progress: (line: string) => void;
  /** Polling of status transitions (store READY, distribution Deployed, trust store active). */
  wait: { intervalMs: number; timeoutMs: number };
}

/** What applying one resource did. */
export type ApplyAction = 'create' | 'recreate' | 'replace' | 'update' | 'no-op';

export interface ApplyResult {
  action: ApplyAction;
  attributes: ResourceAttributes;
  /** On `replace`: the previous resource, to delete once everything else is applied. */
  retired?: StateResource;
}

/**
 * Create-or-update for one Terraform resource type against the CloudFront API: with no prior state it creates;
 * with prior state it reads the resource (recreating it when it is gone), compares, and writes only what changed.
 */
export interface ResourceApplier {
  readonly type: string;
  /** The arguments accepted; anything else is refused before any change is made. */
  readonly schema: BlockSpec;
  /** Attribute names other resources and outputs may reference. */
  readonly exports: readonly string[];
  apply(ctx: ApplyContext, address: string, config: Record<string, unknown>, prior?: StateResource): Promise<ApplyResult>;
  /** Deletes the resource; a resource already gone is not an error. */
  destroy(ctx: ApplyContext, address: string, prior: StateResource): Promise<void>;
}

/**
 * Runs `op` against a resource the state recorded; undefined when the resource is gone (a "not found" of either
 * CloudFront API), so that a read can recreate it and a delete can treat it as done.
 */
export async function unlessGone<T>(op: () => Promise<T>): Promise<T | undefined> {
  try {
    return await op();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Polls `read` until `done` accepts what it returned, and returns that value (the caller needs the settled
 * resource, not just the fact); throws a message naming `what` on timeout.
 */
export async function waitUntil<T>(ctx: ApplyContext, what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + ctx.wait.timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ctx.wait.timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, ctx.wait.intervalMs));
  }
}

/** Structural equality of JSON-like values, treating an absent value, an empty string and an empty list as one. */
export function sameValue(a: unknown, b: unknown): boolean {
  const empty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
  if (empty(a) && empty(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}
