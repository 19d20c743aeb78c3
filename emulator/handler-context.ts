import type { EmulatorState } from './emulator-state';

/** How long the emulator shows the transitional status of a resource before the settled one. */
export interface StatusTimings {
  /** A new key value store is PROVISIONING this long, then READY. @default 0 */
  kvsProvisioningMs?: number;
  /** A published function's LIVE stage is PUBLISHING this long. @default 0 */
  publishMs?: number;
  /** A created or updated distribution is InProgress this long, then Deployed. @default 0 */
  distributionDeployMs?: number;
  /** A new trust store is pending this long, then active. @default 0 */
  trustStoreActivationMs?: number;
}

/** What an operation handler sees: the account state, the request's clock, and a way to say it changed state. */
export interface HandlerContext {
  readonly state: EmulatorState;
  readonly now: Date;
  readonly timings: Required<StatusTimings>;
  /** The fault decision made for this request that handlers act on (the rest act before the handler runs). */
  readonly injected?: { failLiveTest: boolean };
  /** Marks the state as changed so that it is persisted after the request. */
  changed(): void;
  /** The emulator's S3 subset, where trust stores read their CA bundle (once, at creation or update). */
  readonly s3?: { hasBucket(bucket: string): boolean; get(bucket: string, key: string): { body: Buffer } | undefined };
}

/** An operation's behaviour: the SDK-shaped input in, the SDK-shaped output out; errors are thrown as ApiError. */
export type OperationHandler = (ctx: HandlerContext, input: any) => Record<string, unknown> | Promise<Record<string, unknown>> | Deferred;

/**
 * An answer finished after the state is let go: the handler read what it needs under the lock (a function's code,
 * a snapshot of its store) and the rest (running submitted code) must not hold writers back.
 */
export class Deferred {
  constructor(readonly finish: () => Promise<Record<string, unknown>>) {}
}

/** Moves the ETag of the resource a conditional request targets, as if another writer got there first. */
export type ConcurrentWriter = (ctx: HandlerContext, input: any) => boolean;

/** ISO timestamp `ms` after `now`. */
export function later(now: Date, ms: number): string {
  return new Date(now.getTime() + ms).toISOString();
}
