import type { KeyValueStoreState } from './emulator-state';
import { runConnectionFunctionMeasured, type KvsBackend } from '../runtime/index';

export interface ConnectionTestOutcome {
  computeUtilization: string;
  logs: string[];
  errorMessage?: string;
  /** `{"decision":"allow"|"deny","customData":[...]}`, or undefined when the function failed. */
  output?: string;
}

/** The store as a running function sees it: live reads of the current contents, not a snapshot. */
function backendOver(store: KeyValueStoreState): KvsBackend {
  return {
    get: (key) => store.items.get(key),
    meta: () => ({
      creationDateTime: store.created,
      lastUpdatedDateTime: store.dataLastModified,
      keyCount: store.items.size,
    }),
  };
}

/**
 * Runs one stage's code against a connection object in the same local runtime `conngate` uses, and words the result
 * as TestConnectionFunction does. AWS does not publish what ConnectionFunctionOutput holds; the emulator's choice
 * is a JSON object whose `decision` is the function's verdict.
 */
export async function runConnectionTest(code: string, connection: unknown, store: KeyValueStoreState | undefined,
  now: Date): Promise<ConnectionTestOutcome> {
  let result;
  try {
    result = await runConnectionFunctionMeasured(code, connection, { kvs: store ? backendOver(store) : undefined, now });
  } catch (err) {
    return { computeUtilization: '0', logs: [], errorMessage: (err as Error).message };
  }
  const computeUtilization = String(Math.min(100, Math.max(0, Math.round(result.computeUtilization))));
  if (result.decision === 'error') {
    return { computeUtilization, logs: result.logs, errorMessage: result.errorMessage ?? 'The connection function failed.' };
  }
  return {
    computeUtilization,
    logs: result.logs,
    output: JSON.stringify({ decision: result.decision, customData: result.customData }),
  };
}
