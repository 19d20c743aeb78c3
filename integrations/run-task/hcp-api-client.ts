/** JSON:API media type HCP Terraform's API speaks. */
export const JSON_API = 'application/vnd.api+json';

export interface HcpApiOptions {
  /** Deadline of one HTTP call. @default 15000 */
  timeoutMs?: number;
  /** Attempts of a callback PATCH (timeouts, network errors, 5xx and 429 are retried). @default 3 */
  attempts?: number;
  /** First backoff between attempts, doubled each time. @default 500 */
  backoffMs?: number;
}

export class HcpApiError extends Error {}

/**
 * The two calls the run task makes to HCP Terraform, each with a deadline and authenticated with the run's
 * short-lived access token: read the workspace's current state-version outputs, and PATCH the task result.
 */
export class HcpApiClient {
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(private readonly baseUrl: string, private readonly accessToken: string, opts: HcpApiOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.attempts = Math.max(1, opts.attempts ?? 3);
    this.backoffMs = opts.backoffMs ?? 500;
  }

  private async call(method: string, url: string, body?: unknown): Promise<Response> {
    try {
      return await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.accessToken}`, 'content-type': JSON_API, accept: JSON_API },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error', // never follow a redirect with the bearer token to another host
      });
    } catch (e) {
      const err = e as Error;
      throw new HcpApiError(`${method} ${url}: ${err.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : err.message}`);
    }
  }

  /** `{ <output name>: value }` of the workspace's current state version (GET /workspaces/:id/current-state-version-outputs). */
  async currentStateOutputs(workspaceId: string): Promise<Record<string, unknown>> {
    const url = `${this.baseUrl}/workspaces/${encodeURIComponent(workspaceId)}/current-state-version-outputs`;
    const res = await this.call('GET', url);
    if (!res.ok) throw new HcpApiError(`GET ${url}: HTTP ${res.status}`);
    let doc: { data?: { attributes?: { name?: unknown; value?: unknown } }[] };
    try {
      doc = await res.json() as typeof doc;
    } catch (e) {
      throw new HcpApiError(`GET ${url}: not JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(doc?.data)) throw new HcpApiError(`GET ${url}: no "data" array`);
    const outputs: Record<string, unknown> = {};
    for (const o of doc.data) {
      if (typeof o?.attributes?.name === 'string') outputs[o.attributes.name] = o.attributes.value;
    }
    return outputs;
  }

  /** PATCHes the task result, retrying failures that may pass on a later attempt; throws when every attempt failed. */
  async patchTaskResult(callbackUrl: string, body: unknown): Promise<void> {
    let last = '';
    for (let i = 0; i < this.attempts; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, this.backoffMs * 2 ** (i - 1)));
      try {
        const res = await this.call('PATCH', callbackUrl, body);
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return;
        last = `PATCH ${callbackUrl}: HTTP ${res.status}`;
        if (res.status < 500 && res.status !== 429) break; // 401 / 422: a retry would get the same answer
      } catch (e) {
        last = (e as Error).message;
      }
    }
    throw new HcpApiError(last);
  }
}
