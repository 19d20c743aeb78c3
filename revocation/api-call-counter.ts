/**
 * Counts the HTTP requests an SDK client really sends (every attempt, retries included), by command, with a
 * middleware in the deserialize step — which runs once per attempt, inside the SDK's retry loop.
 */
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';

export interface ApiCallCount {
  total: number;
  byCommand: Record<string, number>;
}

/** Attaches a counter to the client; the returned object updates live. */
export function countApiCalls(client: CloudFrontKeyValueStoreClient): ApiCallCount {
  const count: ApiCallCount = { total: 0, byCommand: {} };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      count.total++;
      count.byCommand[name] = (count.byCommand[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'deserialize', name: 'conngateApiCallCounter', override: true },
  );
  return count;
}

/** Resets a counter between measured phases. */
export function resetApiCalls(count: ApiCallCount): void {
  count.total = 0;
  for (const k of Object.keys(count.byCommand)) delete count.byCommand[k];
}

/** "21 calls (Describe 1, UpdateKeys 20)". */
export function formatApiCalls(count: ApiCallCount): string {
  const parts = Object.entries(count.byCommand).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`);
  return `${count.total} calls (${parts.join(', ')})`;
}
