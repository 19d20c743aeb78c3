import type { KeyValueStoreState } from './emulator-state';
import { runConnectionFunctionMeasured, type KvsBackend } from '../runtime/index';

export interface ConnectionTestOutcome {
  computeUtilization: string;
  logs: string[];
  errorMessage?: string;
  /** `{"decision":"allow"|"deny","customData":[...]}`, or undefined when the function failed. */
  output?: string;
}

/** One version of a store (its data ETag), frozen: what a test run reads after the state lock is let go. */
export interface StoreVersion {
  readonly key: string;
  readonly created: string;
  readonly dataLastModified: string;
  readonly items: ReadonlyMap<string, string>;
}

/** The frozen copy of each store's current version: made once per version (every key write moves the data ETag). */
const versions = new WeakMap<KeyValueStoreState, StoreVersion>();

/** The store's current version, frozen; call it under the state lock. */
export function storeVersion(store: KeyValueStoreState): StoreVersion {
  const key = `${store.arn} ${store.dataEtag}`;
  const known = versions.get(store);
  if (known?.key === key) return known;
  const v: StoreVersion = { key, created: store.created, dataLastModified: store.dataLastModified, items: new Map(store.items) };
  versions.set(store, v);
  return v;
}

/**
 * The store as the function sees it during one test: its contents at the time of the call. The function reads a
 * snapshot inside its sandbox worker, keyed by the store's data ETag (moved by every key write), so a store is
 * shipped to a worker once per version, not once per lookup.
 */
export function backendOver(store: StoreVersion): KvsBackend {
  const meta = () => ({ creationDateTime: store.created, lastUpdatedDateTime: store.dataLastModified, keyCount: store.items.size });
  return {
    get: (key) => store.items.get(key),
    meta,
    snapshot: () => ({ key: store.key, entries: () => [...store.items], meta: meta() }),
  };
}

/**
 * Runs one stage's code against a connection object in the same local runtime `conngate` uses, and words the result
 * as TestConnectionFunction does. AWS does not publish what ConnectionFunctionOutput holds; the emulator's choice
 * is a JSON object whose `decision` is the function's verdict. ComputeUtilization is reported as measured, over 100
 * when the function is over the 5 ms budget (and then the run is an error, as at the edge).
 */
export async function runConnectionTest(code: string, connection: unknown, store: StoreVersion | undefined,
  now: Date): Promise<ConnectionTestOutcome> {
  let result;
  try {
    result = await runConnectionFunctionMeasured(code, connection, { kvs: store ? backendOver(store) : undefined, now });
  } catch (err) {
    return { computeUtilization: '0', logs: [], errorMessage: (err as Error).message };
  }
  const computeUtilization = String(Math.max(0, Math.round(result.computeUtilization)));
  if (result.decision === 'error') {
    return { computeUtilization, logs: result.logs, errorMessage: result.errorMessage ?? 'The connection function failed.' };
  }
  return {
    computeUtilization,
    logs: result.logs,
    output: JSON.stringify({ decision: result.decision, customData: result.customData }),
  };
}
