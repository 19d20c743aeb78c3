import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { runTaskFolder, runTaskJob, safeTaskResultId, type JobResult, type RunTaskSettings } from './post-apply-job';
import { parseRunTaskRequest, PayloadError, VERIFICATION_TOKEN, type RunTaskRequest } from './request-payload';
import { SIGNATURE_HEADER, signatureValid } from './signature';

/** Run task request bodies are a few KB; anything far larger is refused before it is read in full. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Verify jobs at once; beyond, requests get 503 and HCP Terraform retries them later. */
export const MAX_JOBS = 4;

export interface RunTaskServerOptions extends RunTaskSettings {
  hmacKey: string;
  host: string;
  port: number;
  /** Runs a job (the post-apply job by default); tests observe jobs through onJobDone. */
  onJobDone?: (req: RunTaskRequest, result: JobResult) => void;
}

export interface RunningRunTaskServer {
  url: string;
  /** Resolves when every job started so far has ended. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

function reply(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text + '\n');
}

/**
 * The HTTP endpoint HCP Terraform calls. Every request must carry a valid X-TFC-Task-Signature over its raw body
 * (checked before the body is parsed); the verification request (access token "test-token") is answered 200 and
 * nothing else; a run request is answered 200 at once and handled in the background, its result PATCHed to the
 * callback URL. GET /reports/<task result id>/report.html serves the report a task result links to.
 */
export async function startRunTaskServer(opts: RunTaskServerOptions): Promise<RunningRunTaskServer> {
  const jobs = new Set<Promise<void>>();
  const seen = new Set<string>();
  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://run-task.invalid');
    if (req.method === 'GET') {
      const m = /^\/reports\/([^/]+)\/report\.html$/.exec(url.pathname);
      const id = m && safeTaskResultId(m[1]);
      const file = id ? path.join(runTaskFolder(opts, id), 'report.html') : undefined;
      if (!file || !fs.existsSync(file)) return reply(res, 404, 'not found');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'", 'x-content-type-options': 'nosniff' });
      fs.createReadStream(file).pipe(res);
      return;
    }
    if (req.method !== 'POST') return reply(res, 405, 'POST run task requests here');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reply(res, 413, 'request body too large');
      req.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reply(res, 413, 'request body too large');
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      const raw = Buffer.concat(chunks);
      const sig = req.headers[SIGNATURE_HEADER];
      if (typeof sig !== 'string' || sig === '') return reply(res, 401, `missing ${SIGNATURE_HEADER}`);
      if (!signatureValid(opts.hmacKey, raw, sig)) return reply(res, 403, `${SIGNATURE_HEADER} does not match the body`);
      let task: RunTaskRequest;
      try {
        task = parseRunTaskRequest(raw);
      } catch (e) {
        return reply(res, 422, e instanceof PayloadError ? e.message : 'unreadable request');
      }
      if (task.accessToken === VERIFICATION_TOKEN) return reply(res, 200, 'conngate run task: ready');
      if (seen.has(task.taskResultId)) return reply(res, 200, 'already accepted'); // HCP Terraform retried a delivered request
      if (jobs.size >= MAX_JOBS) return reply(res, 503, 'busy; retry later');
      if (seen.size > 10_000) seen.clear();
      seen.add(task.taskResultId);
      reply(res, 200, 'accepted');
      const job = runTaskJob(task, opts).then((r) => opts.onJobDone?.(task, r), (e) => opts.log(`run task ${task.taskResultId}: ${(e as Error).message}`))
        .finally(() => jobs.delete(job));
      jobs.add(job);
    });
    req.on('error', () => undefined);
  };
  const server = http.createServer(handle);
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    idle: async () => { while (jobs.size) await Promise.allSettled([...jobs]); },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      while (jobs.size) await Promise.allSettled([...jobs]);
    },
  };
}
