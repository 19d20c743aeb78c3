import { constants as cryptoConstants, randomBytes, X509Certificate } from 'node:crypto';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, type SecureContext, type TLSSocket } from 'node:tls';
import { UserError } from '../diagnostics/user-error';
import type { EmulatorState } from '../emulator/emulator-state';
import { checkListenAddress, isLoopbackBind } from '../emulator/listen-exposure';
import { connectionLogValidity, connectionStatus, type ConnectionFailureReason, type ConnectionLogRecord } from '../connection-logs/connection-log-record';
import { decideConnection, type ConnectionDecision } from './connection-decision';
import { ConnectionLogWriter } from './connection-log-writer';
import type { EdgeServerCertificates } from './edge-ca';
import { distributionAnswers, findEdgeDistribution, type EdgeDistribution } from './edge-distribution';
import type { OcspLimits } from './ocsp-check';
import { VIEWER_CERT_HEADERS, viewerCertHeaders } from './viewer-cert-headers';

/** The emulator's state as the edge reads it (RunningEmulator.readState). */
export type StateReader = <T>(read: (state: EmulatorState) => T, deadlineMs?: number) => Promise<T>;

/** How the edge protects itself from slow, idle and too many clients. Every wait has a deadline. */
export interface EdgeLimits {
  /** Open TCP connections at most; more are refused at once. @default 512 */
  maxConnections?: number;
  /** A client must finish its TLS handshake within this time. @default 10000 */
  handshakeTimeoutMs?: number;
  /** Certificate checks, OCSP and the function together must decide within this time, else `Failed:Internal`. @default 5000 */
  decisionTimeoutMs?: number;
  /** An allowed client must send its request headers within this time. @default 10000 */
  headersTimeoutMs?: number;
  /** An idle allowed connection is closed after this time. @default 5000 */
  idleTimeoutMs?: number;
  /** An origin must answer within this time, else 504. @default 10000 */
  originTimeoutMs?: number;
  ocsp?: OcspLimits;
}

export interface EdgeOptions {
  readState: StateReader;
  certificates: EdgeServerCertificates;
  /** Folder of the connection logs (JSON lines, one file per distribution). */
  connectionLogDir: string;
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Listen on a non-loopback interface. @default false */
  allowNonLoopback?: boolean;
  limits?: EdgeLimits;
}

export interface RunningEdge {
  port: number;
  host: string;
  caFile?: string;
  connectionLogDir: string;
  /** The log file of one distribution. */
  logFileOf(distributionId: string): string;
  /** Handshakes logged so far. */
  handshakes(): number;
  /** Records that could not be written (the connection was decided all the same). */
  logWriteFailures(): number;
  close(): Promise<void>;
}

/**
 * No session resumption: a resumed session brings no certificates (Node hands out the leaf alone, without the
 * intermediates it was validated with, so an honest client was refused on resumption), and a ticket from one
 * distribution would resume on another. Every connection is a full handshake with the certificates it decides on.
 */
const NO_RESUMPTION = cryptoConstants.SSL_OP_NO_TICKET;

const DEFAULTS: Required<Omit<EdgeLimits, 'ocsp'>> = {
  maxConnections: 512, handshakeTimeoutMs: 10_000, decisionTimeoutMs: 5_000, headersTimeoutMs: 10_000, idleTimeoutMs: 5_000, originTimeoutMs: 10_000,
};

/** 40 random bytes in base64 with the URL-safe alphabet: 56 characters ending in `==`, as AWS's log example. */
function newConnectionId(): string {
  return randomBytes(40).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** The certificates the client sent, leaf first (Node walks them through issuerCertificate). */
function peerChain(sock: TLSSocket): X509Certificate[] {
  const out: X509Certificate[] = [];
  let c = sock.getPeerCertificate(true) as { raw?: Buffer; issuerCertificate?: unknown } | undefined;
  while (c?.raw && out.length < 10) {
    if (out.some((x) => x.raw.equals(c!.raw!))) break;
    out.push(new X509Certificate(c.raw));
    c = c.issuerCertificate as typeof c;
  }
  return out;
}

/** What the HTTP side needs of an allowed connection. */
interface AllowedConnection { dist: EdgeDistribution; headers: Record<string, string>; firstRequest?: NodeJS.Timeout }

/**
 * Starts the local edge: one TLS port for every emulated distribution, SNI choosing the distribution by its
 * `*.cloudfront.net` name or an alias. Each handshake of an mTLS distribution is decided as CloudFront would
 * (connection-decision.ts) and written to the connection logs; a refused connection is closed, an allowed one
 * is served over HTTP/1.1: proxied to the distribution's origin when that origin is on this machine, else
 * answered by the edge itself. Loopback only unless `allowNonLoopback`.
 */
export async function startEdge(opts: EdgeOptions): Promise<RunningEdge> {
  const host = opts.host ?? '127.0.0.1';
  checkListenAddress(host, opts.allowNonLoopback ?? false);
  const limits = { ...DEFAULTS, ...opts.limits };
  const logs = new ConnectionLogWriter(opts.connectionLogDir);
  const allowed = new WeakMap<Socket, AllowedConnection>();
  const started = new Map<string, number>();
  const contexts = new Map<string, SecureContext>();
  let handshakes = 0;

  let logFailures = 0;
  // A log that cannot be written (a full disk) must not take the edge down or change a decision: it is counted.
  const log = (r: ConnectionLogRecord) => {
    handshakes++;
    try {
      logs.write(r);
    } catch {
      logFailures++;
    }
  };
  const keyOf = (s: { remoteAddress?: string; remotePort?: number }) => `${s.remoteAddress}|${s.remotePort}`;

  const http = createHttpServer({ headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.headersTimeoutMs * 3,
    keepAliveTimeout: limits.idleTimeoutMs,
    // How often Node looks for connections past their header deadline (its default, 30 s, would let one linger).
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))) }, (req, res) => serveAllowed(req, res));
  http.on('clientError', (_err, socket: Socket) => socket.destroy());

  const tls = createTlsServer({
    requestCert: true,
    rejectUnauthorized: false,
    handshakeTimeout: limits.handshakeTimeoutMs,
    minVersion: 'TLSv1.2',
    secureOptions: NO_RESUMPTION,
    SNICallback: (servername, cb) => {
      const name = servername.toLowerCase();
      opts.readState((s) => distributionAnswers(s, name), limits.handshakeTimeoutMs).then(async (known) => {
        if (!known) return cb(new Error(`no distribution answers to ${name}`));
        let ctx = contexts.get(name);
        if (!ctx) {
          ctx = createSecureContext({ ...(await opts.certificates.certFor(name)), minVersion: 'TLSv1.2', secureOptions: NO_RESUMPTION });
          if (contexts.size >= 256) contexts.delete(contexts.keys().next().value as string);
          contexts.set(name, ctx);
        }
        cb(null, ctx);
      }).catch((err: Error) => cb(err));
    },
  });
  tls.maxConnections = limits.maxConnections;

  const openSockets = new Set<Socket>();
  // The TCP addresses as accepted: a handshake refused in the SNI callback is destroyed before tlsClientError,
  // and a destroyed socket no longer knows them (the record of an unknown-SNI probe had no clientIp).
  const accepted = new WeakMap<Socket, { remoteAddress?: string; remotePort?: number; localAddress?: string }>();
  tls.on('connection', (raw: Socket) => {
    accepted.set(raw, { remoteAddress: raw.remoteAddress, remotePort: raw.remotePort, localAddress: raw.localAddress });
    const key = keyOf(raw);
    started.set(key, performance.now());
    openSockets.add(raw);
    raw.once('close', () => { started.delete(key); openSockets.delete(raw); });
  });

  tls.on('tlsClientError', (err: NodeJS.ErrnoException, sock: TLSSocket) => {
    // A handshake that failed before any distribution decided: unknown SNI, no SNI, bytes that are not TLS, or a
    // client that stalled. INFERRED reason codes: TcpTimeout for a stalled handshake, UnmappedConnectionError for
    // the rest (AWS lists the codes, not which failure gets which).
    const reason: ConnectionFailureReason = err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT' ? 'TcpTimeout' : 'UnmappedConnectionError';
    // Node keeps the accepted TCP socket of a TLS socket as `_parent` (no public accessor).
    const raw = (sock as TLSSocket & { _parent?: Socket })._parent;
    const at = (sock.remoteAddress === undefined && raw ? accepted.get(raw) : undefined) ?? sock;
    const t0 = started.get(keyOf(at));
    log({ eventTimestamp: Date.now(), connectionId: newConnectionId(), connectionStatus: connectionStatus(reason),
      clientIp: at.remoteAddress, clientPort: at.remotePort, serverIp: at.localAddress,
      ...(t0 !== undefined ? { tlsHandshakeDuration: Math.round(performance.now() - t0) } : {}),
      ...(typeof (sock as TLSSocket & { servername?: unknown }).servername === 'string' ? { tlsSni: (sock as TLSSocket).servername as string } : {}) });
    sock.destroy();
  });

  tls.on('secureConnection', (sock: TLSSocket) => {
    sock.pause();
    void onHandshake(sock).catch(() => sock.destroy());
  });

  async function onHandshake(sock: TLSSocket): Promise<void> {
    const t0 = started.get(keyOf(sock)) ?? performance.now();
    const handshakeMs = Math.round(performance.now() - t0);
    const sni = typeof sock.servername === 'string' ? sock.servername : '';
    const connectionId = newConnectionId();
    const now = new Date();
    const dist = await opts.readState((s) => findEdgeDistribution(s, sni), limits.decisionTimeoutMs).catch(() => undefined);
    const cipher = sock.getCipher();
    const record: ConnectionLogRecord = {
      eventTimestamp: now.getTime(), connectionId, clientIp: sock.remoteAddress, clientPort: sock.remotePort, serverIp: sock.localAddress,
      distributionId: dist?.id, tlsProtocol: sock.getProtocol() ?? undefined, tlsCipher: cipher?.standardName ?? cipher?.name,
      tlsHandshakeDuration: handshakeMs, tlsSni: sni || undefined,
    };
    if (!dist) {
      log({ ...record, connectionStatus: connectionStatus('Internal') });
      sock.destroy();
      return;
    }
    if (!dist.mode) {
      // Not an mTLS distribution: served, and not in the connection logs (CloudFront logs mTLS handshakes only).
      return admit(sock, { dist, headers: {} });
    }
    const sent = (() => { try { return peerChain(sock); } catch { return undefined; } })();
    let decision: ConnectionDecision;
    if (!sent) decision = { reason: 'ClientCertInvalid', detail: 'the client certificate does not parse', functionRan: false };
    else {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<ConnectionDecision>((resolve) => {
        timer = setTimeout(() => resolve({ reason: 'Internal', detail: 'no decision in time', functionRan: false }), limits.decisionTimeoutMs);
      });
      try {
        decision = await Promise.race([decideConnection({ ...dist, mode: dist.mode }, sent, { connectionId, clientIp: sock.remoteAddress ?? '', now }, limits.ocsp), late]);
      } finally {
        clearTimeout(timer);
      }
    }
    const leaf = decision.leaf?.described;
    log({
      ...record, connectionStatus: connectionStatus(decision.reason),
      ...(leaf ? { clientLeafCertSerialNumber: leaf.serialNumber, clientLeafCertSubject: leaf.subject, clientLeafCertIssuer: leaf.issuer,
        clientLeafCertValidity: connectionLogValidity(leaf.validity.notBefore, leaf.validity.notAfter) } : {}),
      ...(decision.customData !== undefined ? { connectionLogCustomData: decision.customData } : {}),
    });
    if (decision.reason !== undefined) {
      // CloudFront ends a refused handshake with a TLS alert; here the handshake has already finished (the checks
      // run on the certificate it delivered), so the connection is closed without one.
      sock.destroy();
      return;
    }
    admit(sock, { dist, headers: viewerCertHeaders(decision.leaf, dist.mode) });
  }

  function admit(sock: TLSSocket, conn: AllowedConnection): void {
    if (sock.destroyed) return;
    // Node's header deadline starts with a request's first byte: a client that sends none is timed here.
    conn.firstRequest = setTimeout(() => sock.destroy(), limits.headersTimeoutMs);
    sock.once('close', () => clearTimeout(conn.firstRequest));
    allowed.set(sock, conn);
    http.emit('connection', sock);
    sock.resume();
  }

  function serveAllowed(req: IncomingMessage, res: ServerResponse): void {
    const conn = allowed.get(req.socket);
    if (!conn) {
      res.destroy();
      return;
    }
    clearTimeout(conn.firstRequest);
    // A client must not pass its own viewer-certificate headers off as the edge's.
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined && !(VIEWER_CERT_HEADERS as readonly string[]).includes(k) && k !== 'connection' && k !== 'keep-alive') headers[k] = v;
    }
    Object.assign(headers, conn.headers);
    const origin = conn.dist.origin;
    if (!origin?.loopback) {
      const body = JSON.stringify({ conngateEdge: 'allowed', distributionId: conn.dist.id,
        origin: origin ? `${origin.domainName} (not contacted: the local edge forwards to origins on this machine only)` : null,
        viewerCertHeaders: conn.headers }, null, 2);
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-cache': 'Miss from conngate edge' });
      res.end(body);
      return;
    }
    headers.host = `${origin.domainName}:${origin.port}`;
    // As CloudFront: the viewer's address from the TCP connection is appended, so the last entry is one the edge
    // vouches for and a client's own X-Forwarded-For cannot pass for the edge's.
    const viewer = req.socket.remoteAddress ?? '';
    const forwarded = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = forwarded ? `${forwarded}, ${viewer}` : viewer;
    const send = origin.protocol === 'https' ? httpsRequest : httpRequest;
    const fail = (status: number) => {
      if (!res.headersSent) {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status === 504 ? 'origin did not answer in time\n' : 'origin unreachable\n');
      } else res.destroy();
    };
    let upstream: ReturnType<typeof send>;
    // Node throws (it does not emit) on a request it will not send, such as a path or header it refuses: thrown in
    // this handler it would end the process, so the client gets a 502 instead.
    try {
      upstream = send({ host: origin.domainName.replace(/^\[|\]$/g, ''), port: origin.port, method: req.method, path: req.url, headers, agent: false,
        timeout: limits.originTimeoutMs }, (up) => {
        // Hop-by-hop headers describe the edge's connection to the origin, not the viewer's.
        const { connection: _c, 'keep-alive': _k, ...answer } = up.headers;
        res.writeHead(up.statusCode ?? 502, answer);
        up.pipe(res);
      });
    } catch {
      req.resume();
      fail(502);
      return;
    }
    upstream.on('timeout', () => { upstream.destroy(); fail(504); });
    upstream.on('error', () => fail(502));
    req.pipe(upstream);
  }

  await new Promise<void>((resolve, reject) => {
    tls.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE'
      ? new UserError(`emulator --edge-port ${opts.port}`, 'the port is already in use', 'pick another port, or 0 for any free port')
      : err));
    tls.listen(opts.port ?? 0, host, () => resolve());
  });
  const bound = tls.address() as AddressInfo;
  if (!(opts.allowNonLoopback ?? false) && !isLoopbackBind(bound.address)) {
    await new Promise<void>((resolve) => tls.close(() => resolve()));
    checkListenAddress(bound.address, false);
  }
  let closing: Promise<void> | undefined;
  return {
    port: bound.port,
    host,
    caFile: opts.certificates.caFile,
    connectionLogDir: logs.dir,
    logFileOf: (id) => logs.fileFor(id),
    handshakes: () => handshakes,
    logWriteFailures: () => logFailures,
    close: () => (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => tls.close(() => resolve()));
      http.closeAllConnections();
      for (const s of openSockets) s.destroy();
      await closed;
      logs.close();
    })()),
  };
}
