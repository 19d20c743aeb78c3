import { isUtf8 } from 'node:buffer';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../diagnostics/user-error';
import { CodeRunAdmission } from './code-run-admission';
import { ConnectionGovernor } from './connection-governor';
import { emptyState, type EmulatorState } from './emulator-state';
import { FaultInjector, type FaultConfig } from './faults';
import { Deferred, type HandlerContext, type StatusTimings } from './handler-context';
import { checkListenAddress, isLoopbackBind } from './listen-exposure';
import { declaredLength, discardBody, readBody } from './request-body';
import { MemoryBudget, mib } from './memory-budget';
import { RequestGuard } from './request-guard';
import { RequestLock } from './request-lock';
import { parseRequestTarget, type RequestTarget } from './request-url';
import { buildRoutes, type Route } from './routes';
import { S3Buckets } from './s3/s3-buckets';
import { handleS3Request } from './s3/s3-handler';
import { accessKeyOf, handleStsRequest, isStsPath, StsSessions } from './sts/sts-handler';
import { StateFile } from './state-file';
import { StateFileOwnership } from './state-file-owner';
import { MAX_WORKERS } from '../runtime/limits';
import { ApiError, errorShapeOfPath, serviceError, writeError, type ErrorShape } from './wire/api-error';
import { matchRoute, readInput, writeOutput, type WireProtocol, type WireResponse } from './wire/operation-binding';

/** How the HTTP front end protects itself from slow, idle and oversized clients. */
export interface ConnectionLimits {
  /** Open connections at most; past it the oldest connection not being served is closed. @default 256 */
  maxConnections?: number;
  /** A client must send its request headers within this time. @default 10000 */
  headersTimeoutMs?: number;
  /** A client must send its whole request (headers and body) within this time. @default 30000 */
  requestTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this time. @default 5000 */
  keepAliveTimeoutMs?: number;
  /** Largest request body; a larger one is answered with EntitySizeLimitExceeded (413). @default 8 MiB */
  maxBodyBytes?: number;
  /**
   * Request bodies held at once, all requests together (S3 uploads and STS forms included); a body that does not
   * fit is answered with the API's retryable "busy" error (503) and nothing kept. @default 256 MiB
   */
  maxBodyBytesInFlight?: number;
  /** Bytes of objects the S3 subset stores in all; an upload past it is refused (507). @default 1 GiB */
  maxS3StoredBytes?: number;
}

export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on; a non-loopback one needs `allowNonLoopback`. @default '127.0.0.1' */
  host?: string;
  /** Listen on a non-loopback interface (exposes the emulator to the network). @default false */
  allowNonLoopback?: boolean;
  /** Host names served besides loopback (what a client puts in `Host`, e.g. a container name). @default none */
  allowedHosts?: string[];
  /** JSON file the state is loaded from and saved to after every change; one emulator owns it. @default in memory only */
  stateFile?: string;
  faults?: FaultConfig;
  /** The account the emulator's ARNs name (12 digits). @default '123456789012' */
  accountId?: string;
  /** How long resources show their transitional status. @default all 0 */
  timings?: StatusTimings;
  connectionLimits?: ConnectionLimits;
  /**
   * Called with every API operation a request asks for, once it is recognised (before it is answered, so failed
   * ones count too): `cloudfront:CreateDistribution`, `cloudfront-keyvaluestore:PutKey`, `s3:GetObject`,
   * `sts:AssumeRole`. What a run really calls, e.g. to check a generated IAM policy against it.
   */
  onOperation?: (operation: string) => void;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT`: the one endpoint for both the control plane and the KeyValueStore data plane. */
  endpoint: string;
  port: number;
  /** Listening on an address other than loopback (judged by the address the host name resolved to). */
  exposed: boolean;
  /** Replaces the fault configuration (and restarts its random sequence from the seed). */
  setFaults(f: FaultConfig): void;
  /** Fault: the next `count` saves of the state file fail (as a full disk would); the requests change nothing. */
  injectStateSaveFailures(count: number): void;
  /** Requests received so far, including those answered with an injected fault or refused. */
  requestCount(): number;
  /**
   * CloudFront and KeyValueStore requests received so far by the access key id their signature names (SigV4 and
   * SigV4A `Credential=`; "unsigned" without one): which credentials reached this account. STS and S3 requests are
   * not counted. At most 1,000 distinct keys are counted; later new keys count under "other".
   */
  requestsByAccessKey(): Record<string, number>;
  /** Open client connections. */
  connectionCount(): number;
  /**
   * Reads the account state as requests see it, under the shared side of the state lock (never half way through a
   * write): what the local edge uses to find a distribution, its trust store and its LIVE function. `read` must not
   * keep references to mutable parts past its return. Rejects when the state stays locked past `deadlineMs`.
   */
  readState<T>(read: (state: EmulatorState) => T, deadlineMs?: number): Promise<T>;
  /**
   * Stops: no new connections, idle ones closed at once, requests in progress get `graceMs` to finish before
   * their connections are closed too, then the state file is given up. A second call stops waiting for them.
   * @default graceMs 2000
   */
  close(graceMs?: number): Promise<void>;
}

const DEFAULT_LIMITS: Required<ConnectionLimits> = {
  maxConnections: 256,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxBodyBytes: 8 * 1024 * 1024,
  maxBodyBytesInFlight: 256 * 1024 * 1024,
  maxS3StoredBytes: 1024 * 1024 * 1024,
};
/** How long a request waits for the state (behind a write, or a write behind running tests) before a 503. */
const LOCK_DEADLINE_MS = 30_000;

function send(res: ServerResponse, r: WireResponse, close = false): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(r.status, {
    'x-amzn-RequestId': randomUUID(), ...r.headers, 'Content-Length': String(r.body.length),
    ...(close ? { Connection: 'close' } : {}),
  });
  res.end(r.body);
}

/** Throttling and 5xx errors in the shapes the SDK's retry strategy recognises as retryable. */
function injectedError(protocol: WireProtocol, kind: 'throttle' | 'server'): ApiError {
  return kind === 'throttle' ? serviceError('throttled', protocol, 'Rate exceeded') : serviceError('busy', protocol, 'The service is unavailable. Please retry.');
}

function internalError(protocol: WireProtocol, message: string): ApiError {
  return serviceError('internal', protocol, message);
}

function checkAccountId(accountId: string): string {
  if (!/^\d{12}$/.test(accountId)) {
    throw new UserError('emulator --account-id', `"${accountId}" is not a 12-digit AWS account id`, 'pass 12 digits, e.g. 123456789012');
  }
  return accountId;
}

function checkLimits(l: ConnectionLimits): Required<ConnectionLimits> {
  const limits = { ...DEFAULT_LIMITS, ...l };
  for (const [k, v] of Object.entries(limits)) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`connection limit ${k} must be a positive integer, got ${v}`);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new RangeError('connection limit headersTimeoutMs must not exceed requestTimeoutMs');
  }
  return limits;
}

/** A bare HTTP error for a request Node could not parse (no path, so the control plane's format). */
function rawErrorResponse(status: number, reason: string, code: string, message: string): string {
  const r = writeError('rest-xml', new ApiError(code, status, message));
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/xml\r\nContent-Length: ${r.body.length}\r\nConnection: close\r\n\r\n${r.body.toString()}`;
}

/**
 * Starts the CloudFront emulator: an HTTP server that answers the real AWS SDK clients as CloudFront would
 * (control plane under /2020-05-31/, KeyValueStore data plane under /key-value-stores/). It accepts any
 * credentials and does not verify request signatures, so it serves only loopback clients by default and refuses
 * browser pages on other sites (see RequestGuard).
 */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const accountId = checkAccountId(opts.accountId ?? '123456789012');
  const host = opts.host ?? '127.0.0.1';
  checkListenAddress(host, opts.allowNonLoopback ?? false);
  const limits = checkLimits(opts.connectionLimits ?? {});
  const drainLimit = limits.maxBodyBytes * 4;

  let ownership: StateFileOwnership | undefined;
  let stateFile: StateFile | undefined;
  let state: EmulatorState;
  if (opts.stateFile) {
    if (!existsSync(dirname(opts.stateFile))) {
      throw new UserError(`emulator state file ${opts.stateFile}`, `the folder ${dirname(opts.stateFile)} does not exist`,
        'create it, or point --state at a file in an existing folder');
    }
    StateFile.checkPath(opts.stateFile);
    ownership = StateFileOwnership.acquire(opts.stateFile);
    try {
      ({ stateFile, state } = StateFile.open(opts.stateFile, accountId));
    } catch (err) {
      ownership.release();
      throw err;
    }
  } else {
    state = emptyState(accountId);
  }
  const faults = new FaultInjector(opts.faults);
  const timings: Required<StatusTimings> = {
    kvsProvisioningMs: 0, publishMs: 0, distributionDeployMs: 0, trustStoreActivationMs: 0, ...opts.timings,
  };
  const routes: Route[] = buildRoutes();
  const onOperation = opts.onOperation ?? (() => undefined);
  const lock = new RequestLock();
  // As many code runs at once as the sandbox runs (and one more to keep a worker busy); the rest wait their turn.
  const codeRuns = new CodeRunAdmission(MAX_WORKERS + 1);
  let requests = 0;
  let handlersRunning = 0;
  let closing = false;

  /** Saves a change, or undoes it in memory when the save fails, so that a 500 means nothing changed. */
  function persist(protocol: WireProtocol, changed: boolean, handlerFailed: boolean): void {
    if (!stateFile || !ownership) return;
    if (handlerFailed) {
      // A handler that failed unexpectedly may have changed part of the state: go back to what the file holds.
      stateFile.restore(state);
      return;
    }
    if (!changed) return;
    try {
      ownership.assertOwner();
      stateFile.save(state);
    } catch (err) {
      stateFile.restore(state);
      throw internalError(protocol, `The emulator could not save its state file (${(err as Error).message}); `
        + 'the request changed nothing and can be retried.');
    }
  }

  async function runOperation(req: IncomingMessage, target: RequestTarget, body: Buffer): Promise<WireResponse> {
    const protocol: WireProtocol = errorShapeOfPath(target.pathname) === 'rest-json' ? 'rest-json' : 'rest-xml';
    try {
      const decision = faults.decide();
      if (decision.latencyMs > 0) await sleep(decision.latencyMs);
      if (decision.throttle) throw injectedError(protocol, 'throttle');
      if (decision.serverError) throw injectedError(protocol, 'server');

      let route: Route | undefined;
      let labels: Record<string, string> | undefined;
      for (const r of routes) {
        labels = matchRoute(r.binding, req.method ?? 'GET', target.segments, target.searchParams);
        if (labels) { route = r; break; }
      }
      if (!route || !labels) {
        throw new ApiError(protocol === 'rest-xml' ? 'InvalidAction' : 'UnknownOperationException', 404,
          `This emulator has no operation for ${req.method} ${target.pathname}.`);
      }
      onOperation(`${protocol === 'rest-json' ? 'cloudfront-keyvaluestore' : 'cloudfront'}:${route.binding.name}`);
      if (faults.failsOperation(route.name)) throw injectedError(protocol, 'server');
      const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
      if (encoding !== 'identity' && encoding !== '') {
        throw serviceError('malformed', protocol, `Content-Encoding "${encoding}" is not supported; send the body as is.`);
      }
      if (route.textBody && !isUtf8(body)) {
        throw serviceError('malformed', protocol, 'The request body is not valid UTF-8.');
      }
      const input = readInput(route.binding, labels, target.searchParams, req.headers, body);
      const injectWrite = Boolean(decision.concurrentWrite && route.concurrentWriter);
      const exclusive = !route.readOnly || injectWrite;
      let release: () => void;
      let admitted = () => undefined as void;
      try {
        if (route.runsCode) admitted = await codeRuns.admit(LOCK_DEADLINE_MS);
        release = await lock.acquire(exclusive, LOCK_DEADLINE_MS);
      } catch (err) {
        admitted();
        throw serviceError('busy', protocol, `${(err as Error).message}; retry the request.`);
      }
      try {
        let changed = false;
        const ctx: HandlerContext = { state, now: new Date(), timings, injected: { failLiveTest: decision.failLiveTest }, changed: () => { changed = true; }, s3: s3Buckets };
        // A concurrent write injected before a failed request still happened, so it is persisted too.
        if (injectWrite) route.concurrentWriter!(ctx, input);
        let output: Record<string, unknown> | Deferred;
        try {
          output = await route.handler(ctx, input);
        } catch (err) {
          // Only a request that held the state alone can have left it half changed.
          persist(protocol, changed, exclusive && !(err instanceof ApiError));
          throw err;
        }
        persist(protocol, changed, false);
        if (output instanceof Deferred) {
          // The rest reads nothing of the state (a code run on what the handler took): the state is let go first.
          release();
          release = () => undefined;
          output = await output.finish();
        }
        return writeOutput(route.binding, output);
      } finally {
        release();
        admitted();
      }
    } catch (err) {
      if (err instanceof ApiError) return writeError(protocol, err);
      return writeError(protocol, internalError(protocol, `The emulator failed: ${(err as Error).message}`));
    }
  }

  const bodies = new MemoryBudget(limits.maxBodyBytesInFlight);
  const s3Buckets = new S3Buckets(new MemoryBudget(limits.maxS3StoredBytes));
  const stsSessions = new StsSessions(accountId);
  const byAccessKey = new Map<string, number>();
  function countCaller(req: IncomingMessage): void {
    let key = accessKeyOf(req.headers.authorization) ?? 'unsigned';
    if (!byAccessKey.has(key) && byAccessKey.size >= 1000) key = 'other';
    byAccessKey.set(key, (byAccessKey.get(key) ?? 0) + 1);
  }
  /** Answers before (or instead of) reading the body: what is left of the body is read and dropped, within bounds. */
  async function answerEarly(req: IncomingMessage, res: ServerResponse, shape: ErrorShape, err: ApiError): Promise<void> {
    const drained = await discardBody(req, drainLimit);
    send(res, writeError(shape, err), !drained || closing);
    if (!drained) res.once('finish', () => req.socket.destroy());
  }

  const shapeOf = (req: IncomingMessage) => errorShapeOfPath((req.url ?? '/').split('?')[0]);
  // Errors are built only when needed: an Error captures a stack, which costs more than the checks themselves.
  const tooLarge = (shape: ErrorShape) => serviceError('too-large', shape,
    `The request body is larger than ${limits.maxBodyBytes} bytes, the most this emulator accepts.`);
  /** The guard's refusal, as the API of the path words it. */
  function refused(req: IncomingMessage, shape: ErrorShape): ApiError | undefined {
    const refusal = guard.check(req.method ?? 'GET', req.headers, isStsPath((req.url ?? '/').split('?')[0]));
    return refusal && serviceError('forbidden', shape, refusal.message);
  }
  /** A CloudFront request whose declared body is over the limit (the S3 subset has its own, larger one). */
  function declaredTooLarge(req: IncomingMessage, shape: ErrorShape): ApiError | undefined {
    return shape !== 's3-xml' && (declaredLength(req) ?? 0) > limits.maxBodyBytes ? tooLarge(shape) : undefined;
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const shape = shapeOf(req);
    const refusal = refused(req, shape);
    if (refusal) return answerEarly(req, res, shape, refusal);
    const target = parseRequestTarget(req.url);
    if ('malformed' in target) return answerEarly(req, res, shape, serviceError('malformed', shape, target.malformed));
    // The S3 subset (CRLs, trust-store CA bundles) reads its own body (objects up to 64 MB) and answers in S3's
    // shape: it comes after the guard and the target check, before the CloudFront body limit.
    if (shape === 's3-xml') return tracked(req, () => handleS3Request(s3Buckets, req, res, bodies, (op) => onOperation(`s3:${op}`)));
    // Likewise the STS subset (a stage's role to assume): small form-encoded requests, its own answers.
    if (isStsPath(target.pathname)) return tracked(req, () => handleStsRequest(stsSessions, req, res, bodies, (op) => onOperation(`sts:${op}`)));
    countCaller(req);
    const oversized = declaredTooLarge(req, shape);
    if (oversized) return answerEarly(req, res, shape, oversized);
    const outcome = await readBody(req, limits.maxBodyBytes, drainLimit, bodies);
    if (outcome.kind !== 'body') {
      const err = outcome.kind === 'too-large' ? tooLarge(shape) : serviceError('busy', shape,
        `The emulator already holds ${mib(bodies.inUse)} of request bodies, its limit of ${mib(bodies.limit)}; retry the request.`);
      send(res, writeError(shape, err), true);
      if (!outcome.drained) res.once('finish', () => req.socket.destroy());
      return;
    }
    return tracked(req, async () => {
      try {
        send(res, await runOperation(req, target, outcome.body), closing);
      } finally {
        outcome.release();
      }
    });
  }

  /**
   * A request being served, whatever its API: the connection governor never closes its connection to make room, and
   * close() gives it the grace period.
   */
  async function tracked(req: IncomingMessage, work: () => Promise<void>): Promise<void> {
    const done = governor.serving(req.socket);
    handlersRunning++;
    try {
      await work();
    } finally {
      handlersRunning--;
      done();
    }
  }

  const server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // How often Node looks for connections past their header or request deadline.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
  }, (req, res) => {
    requests++;
    serve(req, res).catch(() => {
      // The client went away mid-request: nothing to answer.
      if (!res.headersSent) res.destroy();
    });
  });
  // A request that announces a body (Expect: 100-continue) is refused, if it must be, before the client sends it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const shape = shapeOf(req);
    const early = refused(req, shape) ?? declaredTooLarge(req, shape);
    if (early) {
      requests++;
      send(res, writeError(shape, early), true);
      return;
    }
    res.writeContinue();
    server.emit('request', req, res);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    // As Node's own handler: never write into a response already under way on this connection.
    const inProgress = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || err.code === 'ECONNRESET' || inProgress?.headersSent) {
      socket.destroy();
      return;
    }
    const response = err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? rawErrorResponse(408, 'Request Timeout', 'RequestTimeout', 'The request was not sent in time.')
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? rawErrorResponse(431, 'Request Header Fields Too Large', 'InvalidArgument', 'The request headers are too large.')
        : rawErrorResponse(400, 'Bad Request', 'InvalidArgument', 'The request is not valid HTTP/1.1.');
    socket.end(response);
    setTimeout(() => socket.destroy(), 1000).unref();
  });
  const governor = new ConnectionGovernor(limits.maxConnections);
  governor.attach(server);

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(err.code === 'EADDRINUSE'
          ? new UserError(`emulator --port ${opts.port}`, 'the port is already in use', 'pick another port, or 0 for any free port')
          : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
            ? new UserError(`emulator --host ${host}`, 'is not an address of this machine', 'use 127.0.0.1 (the default)')
            : err);
      });
      server.listen(opts.port ?? 0, host, () => resolve());
    });
  } catch (err) {
    ownership?.release();
    throw err;
  }
  const bound = server.address() as AddressInfo;
  // A name is checked by what it resolved to: `localhost` mapped to a network address in /etc/hosts would
  // otherwise expose the emulator without the flag.
  if (!(opts.allowNonLoopback ?? false) && !isLoopbackBind(bound.address)) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    ownership?.release();
    checkListenAddress(bound.address, false);
  }
  // Exposed or not, by the same measure: the address the name resolved to (requests are served only from here on).
  const exposed = !isLoopbackBind(bound.address);
  const guard = new RequestGuard({ allowedHosts: opts.allowedHosts, exposed });
  const port = bound.port;
  // A wildcard bind is reached through loopback from this machine.
  const endpointHost = host === '0.0.0.0' || host === '::' || host === '[::]' ? '127.0.0.1' : host;
  let closed: Promise<void> | undefined;
  let forced = false;

  async function shutdown(graceMs: number): Promise<void> {
    closing = true;
    const listening = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const deadline = Date.now() + graceMs;
    // Every lock holder or waiter and every admitted code run is inside a running handler, so this waits for them all.
    while (handlersRunning > 0 && Date.now() < deadline && !forced) await sleep(20);
    server.closeAllConnections();
    await listening;
    // A handler still running past the grace (a request whose client is gone) may still save; give it a moment.
    const hardDeadline = Date.now() + 1000;
    while (lock.pending > 0 && Date.now() < hardDeadline) await sleep(20);
    ownership?.release();
  }

  return {
    endpoint: `http://${endpointHost.includes(':') && !endpointHost.startsWith('[') ? `[${endpointHost}]` : endpointHost}:${port}`,
    port,
    exposed,
    setFaults: (f) => faults.set(f),
    injectStateSaveFailures: (count) => {
      if (!stateFile) throw new Error('the emulator has no state file');
      stateFile.injectSaveFailures(count);
    },
    requestCount: () => requests,
    requestsByAccessKey: () => Object.fromEntries(byAccessKey),
    connectionCount: () => governor.size,
    readState: async (read, deadlineMs = LOCK_DEADLINE_MS) => {
      const release = await lock.acquire(false, deadlineMs);
      try {
        return read(state);
      } finally {
        release();
      }
    },
    close: (graceMs = 2000) => {
      if (closed) {
        // Called again while stopping: stop waiting for requests in progress.
        forced = true;
        server.closeAllConnections();
        return closed;
      }
      return (closed = shutdown(graceMs));
    },
  };
}
