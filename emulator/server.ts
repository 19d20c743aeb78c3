import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { UserError } from '../diagnostics/user-error';
import { emptyState, type EmulatorState } from './emulator-state';
import { FaultInjector, type FaultConfig } from './faults';
import type { HandlerContext, StatusTimings } from './handler-context';
import { buildRoutes, type Route } from './routes';
import { loadStateFile, saveStateFile } from './state-file';
import { S3Buckets } from './s3/s3-buckets';
import { handleS3Request, isS3Request } from './s3/s3-handler';
import { ApiError, writeError } from './wire/api-error';
import { matchRoute, readInput, writeOutput, type WireProtocol, type WireResponse } from './wire/operation-binding';

export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** JSON file the state is loaded from and saved to after every change. @default in memory only */
  stateFile?: string;
  faults?: FaultConfig;
  /** The account the emulator's ARNs name (12 digits). @default '123456789012' */
  accountId?: string;
  /** How long resources show their transitional status. @default all 0 */
  timings?: StatusTimings;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT`: the one endpoint for both the control plane and the KeyValueStore data plane. */
  endpoint: string;
  port: number;
  /** Replaces the fault configuration (and restarts its random sequence from the seed). */
  setFaults(f: FaultConfig): void;
  /** Requests received so far, including those answered with an injected fault. */
  requestCount(): number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;

function protocolOfPath(path: string): WireProtocol {
  return path.startsWith('/key-value-stores') ? 'rest-json' : 'rest-xml';
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError('EntitySizeLimitExceeded', 413, `The request body is larger than ${MAX_BODY_BYTES} bytes.`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, r: WireResponse): void {
  res.writeHead(r.status, { 'x-amzn-RequestId': randomUUID(), ...r.headers, 'Content-Length': String(r.body.length) });
  res.end(r.body);
}

/** Throttling and 5xx errors in the shapes the SDK's retry strategy recognises as retryable. */
function injectedError(protocol: WireProtocol, kind: 'throttle' | 'server'): ApiError {
  if (kind === 'throttle') {
    return protocol === 'rest-xml'
      ? new ApiError('Throttling', 400, 'Rate exceeded')
      : new ApiError('ThrottlingException', 429, 'Rate exceeded');
  }
  return protocol === 'rest-xml'
    ? new ApiError('ServiceUnavailable', 503, 'The service is unavailable. Please retry.')
    : new ApiError('InternalServerException', 500, 'An internal error occurred. Please retry.');
}

function checkAccountId(accountId: string): string {
  if (!/^\d{12}$/.test(accountId)) {
    throw new UserError('emulator --account-id', `"${accountId}" is not a 12-digit AWS account id`, 'pass 12 digits, e.g. 123456789012');
  }
  return accountId;
}

/**
 * Starts the CloudFront emulator: an HTTP server that answers the real AWS SDK clients as CloudFront would
 * (control plane under /2020-05-31/, KeyValueStore data plane under /key-value-stores/). It accepts any
 * credentials and does not verify request signatures.
 */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const accountId = checkAccountId(opts.accountId ?? '123456789012');
  const state: EmulatorState = opts.stateFile ? loadStateFile(opts.stateFile, accountId) : emptyState(accountId);
  const faults = new FaultInjector(opts.faults);
  const timings: Required<StatusTimings> = {
    kvsProvisioningMs: 0, publishMs: 0, distributionDeployMs: 0, trustStoreActivationMs: 0, ...opts.timings,
  };
  const routes: Route[] = buildRoutes();
  let requests = 0;

  async function handle(req: IncomingMessage): Promise<WireResponse> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const protocol = protocolOfPath(url.pathname);
    try {
      const body = await readBody(req);
      const decision = faults.decide();
      if (decision.latencyMs > 0) await sleep(decision.latencyMs);
      if (decision.throttle) throw injectedError(protocol, 'throttle');
      if (decision.serverError) throw injectedError(protocol, 'server');

      const segments = url.pathname.split('/').filter(Boolean);
      let route: Route | undefined;
      let labels: Record<string, string> | undefined;
      for (const r of routes) {
        labels = matchRoute(r.binding, req.method ?? 'GET', segments, url.searchParams);
        if (labels) { route = r; break; }
      }
      if (!route || !labels) {
        throw new ApiError(protocol === 'rest-xml' ? 'InvalidAction' : 'UnknownOperationException', 404,
          `This emulator has no operation for ${req.method} ${url.pathname}.`);
      }
      const input = readInput(route.binding, labels, url.searchParams, req.headers, body);
      let changed = false;
      const ctx: HandlerContext = { state, now: new Date(), timings, injected: { failLiveTest: decision.failLiveTest }, changed: () => { changed = true; }, s3: s3Buckets };
      if (decision.concurrentWrite && route.concurrentWriter) route.concurrentWriter(ctx, input);
      let output: Record<string, unknown>;
      try {
        output = await route.handler(ctx, input);
      } finally {
        // A concurrent write injected before a failed request still happened, so it is persisted too.
        if (changed && opts.stateFile) saveStateFile(opts.stateFile, state);
      }
      return writeOutput(route.binding, output);
    } catch (err) {
      if (err instanceof ApiError) return writeError(protocol, err);
      return writeError(protocol, new ApiError(protocol === 'rest-xml' ? 'InternalError' : 'InternalServerException', 500,
        `The emulator failed: ${(err as Error).message}`));
    }
  }

  // The S3 subset (CRLs, trust-store CA bundles) lives apart from the CloudFront operations: see s3/s3-handler.ts.
  // It reads its own body (objects up to 64 MB); any front-end guard (Host, cross-site) must run before it.
  const s3Buckets = new S3Buckets();
  const server = createServer((req, res) => {
    requests++;
    if (isS3Request(req.url)) return handleS3Request(s3Buckets, req, res);
    handle(req).then((r) => send(res, r), (err) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE'
        ? new UserError(`emulator --port ${opts.port}`, 'the port is already in use', 'pick another port, or 0 for any free port')
        : err);
    });
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    setFaults: (f) => faults.set(f),
    requestCount: () => requests,
    close: () => new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    }),
  };
}
