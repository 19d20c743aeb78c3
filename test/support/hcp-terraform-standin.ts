import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One PATCH the stand-in received on a task result callback URL. */
export interface RecordedPatch { taskResultId: string; authorization?: string; contentType?: string; body: any }

/**
 * A stand-in for the parts of the HCP Terraform API a run task calls (the real one is out of reach in tests):
 * GET /api/v2/workspaces/:id/current-state-version-outputs and PATCH /api/v2/task-results/:id/callback. It checks
 * the bearer token like the real API (401 otherwise), records every PATCH, and can be told to hang on a task result
 * (never answer) to test the run task's deadlines.
 */
export class HcpTerraformStandIn {
  readonly patches: RecordedPatch[] = [];
  /** Workspace id -> outputs ({ name: value }). */
  readonly outputs = new Map<string, Record<string, unknown>>();
  /** Access tokens the API accepts. */
  readonly tokens = new Set<string>();
  /** Task result ids whose callback never answers. */
  readonly hang = new Set<string>();
  readonly outputReads: string[] = [];
  private server?: http.Server;
  private readonly hung: http.ServerResponse[] = [];
  url = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString()));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  callbackUrl(taskResultId: string): string {
    return `${this.url}/api/v2/task-results/${taskResultId}/callback`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !this.tokens.has(token)) {
      res.writeHead(401).end();
      return;
    }
    const out = /^\/api\/v2\/workspaces\/([^/]+)\/current-state-version-outputs$/.exec(req.url ?? '');
    if (req.method === 'GET' && out) {
      this.outputReads.push(out[1]);
      const o = this.outputs.get(out[1]);
      if (!o) {
        res.writeHead(404).end();
        return;
      }
      const data = Object.entries(o).map(([name, value], i) => ({
        id: `wsout-${i}`, type: 'state-version-outputs', attributes: { name, sensitive: false, type: typeof value, value, 'detailed-type': typeof value },
      }));
      res.writeHead(200, { 'content-type': 'application/vnd.api+json' }).end(JSON.stringify({ data }));
      return;
    }
    const cb = /^\/api\/v2\/task-results\/([^/]+)\/callback$/.exec(req.url ?? '');
    if (req.method === 'PATCH' && cb) {
      this.patches.push({ taskResultId: cb[1], authorization: req.headers.authorization, contentType: req.headers['content-type'], body: JSON.parse(body) });
      if (this.hang.has(cb[1])) {
        this.hung.push(res);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/vnd.api+json' }).end('{}');
      return;
    }
    res.writeHead(404).end();
  }

  patchesFor(id: string): RecordedPatch[] {
    return this.patches.filter((p) => p.taskResultId === id);
  }

  async close(): Promise<void> {
    for (const r of this.hung) r.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
