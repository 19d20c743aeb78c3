// The edge on a bad day: clients that send garbage, stall mid-handshake, ask for names nobody serves or hold
// every connection slot, and functions that throw or never return. Each is refused within its deadline, logged,
// and the next honest client is still served.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createConnection, type Socket } from 'node:net';
import { connect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { UNMATCHED_LOG } from '../../edge/connection-log-writer';
import { logRecords, run, startEdgeFixture, type DistributionKey, type EdgeFixture } from './edge-fixture';

const HANDSHAKE_MS = 600;
const MAX_CONNECTIONS = 6;
const HEADERS_MS = 800;
let f: EdgeFixture;
beforeAll(async () => { f = await startEdgeFixture({ handshakeTimeoutMs: HANDSHAKE_MS, maxConnections: MAX_CONNECTIONS, headersTimeoutMs: HEADERS_MS }); }, 60_000);
afterAll(async () => f?.stop());

function unmatched(): Record<string, unknown>[] {
  const file = path.join(f.edge.connectionLogDir, UNMATCHED_LOG);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}

/** A raw TCP client: resolves with how long until the edge closed it, and whether anything came back. */
function raw(bytes: Buffer | undefined, deadlineMs = 10_000): Promise<{ closedAfterMs: number; received: number; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    let received = 0;
    const socket = createConnection({ host: '127.0.0.1', port: f.edge.port }, () => { if (bytes) socket.write(bytes); });
    socket.on('data', (d) => { received += d.length; });
    socket.on('error', () => undefined);
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`the edge did not close the connection within ${deadlineMs} ms`)); }, deadlineMs);
    socket.on('close', () => { clearTimeout(timer); resolve({ closedAfterMs: Date.now() - t0, received, socket }); });
  });
}

async function curl(key: DistributionKey, client = f.pki.valid) {
  return run('curl', ['-sS', '--max-time', '10', '--cacert', f.edge.caFile!, '--resolve', `${f.names[key]}:${f.edge.port}:127.0.0.1`,
    '--cert', client.cert, '--key', client.key, `https://${f.names[key]}:${f.edge.port}/`]);
}

async function stillServes(): Promise<void> {
  expect(await curl('required')).toMatchObject({ code: 0, stdout: 'origin saw /\n' });
}

test('garbage bytes instead of a ClientHello: closed at once, logged as unmatched', async () => {
  const before = unmatched().length;
  const r = await raw(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00\xff'.repeat(50), 'latin1'));
  expect(r.closedAfterMs).toBeLessThan(HANDSHAKE_MS);
  const recs = unmatched().slice(before);
  expect(recs).toEqual([expect.objectContaining({ connectionStatus: 'Failed:UnmappedConnectionError', clientIp: '127.0.0.1' })]);
  await stillServes();
});

test('a client that stalls mid-handshake is cut off at the handshake deadline (TcpTimeout)', async () => {
  const before = unmatched().length;
  // The first 5 bytes of a TLS record header announcing a ClientHello, then nothing.
  const r = await raw(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]));
  expect(r.closedAfterMs).toBeGreaterThanOrEqual(HANDSHAKE_MS - 50);
  expect(r.closedAfterMs).toBeLessThan(HANDSHAKE_MS + 3000);
  expect(unmatched().slice(before)).toEqual([expect.objectContaining({ connectionStatus: 'Failed:TcpTimeout' })]);
  await stillServes();
});

test('an unknown SNI name is refused in the handshake', async () => {
  const before = unmatched().length;
  const r = await run('curl', ['-sS', '--max-time', '10', '--cacert', f.edge.caFile!, '--resolve', `nobody.cloudfront.net:${f.edge.port}:127.0.0.1`,
    '--cert', f.pki.valid.cert, '--key', f.pki.valid.key, `https://nobody.cloudfront.net:${f.edge.port}/`]);
  expect(r.code).not.toBe(0);
  expect(f.originSeen.some((s) => s.headers.host?.includes('nobody'))).toBe(false);
  expect(unmatched().slice(before)).toEqual([expect.objectContaining({ connectionStatus: 'Failed:UnmappedConnectionError' })]);
});

test('a function that throws: ConnectionFunctionError, connection closed', async () => {
  expect((await curl('throws')).code).not.toBe(0);
  expect(logRecords(f, 'throws').at(-1)).toMatchObject({ connectionStatus: 'Failed:ConnectionFunctionError', clientLeafCertSerialNumber: '1a:2b:3c:4d' });
});

test('a function that never returns is stopped by the sandbox: ConnectionFunctionError, and the edge goes on', async () => {
  const t0 = Date.now();
  expect((await curl('loops')).code).not.toBe(0);
  expect(Date.now() - t0).toBeLessThan(5000);
  expect(logRecords(f, 'loops').at(-1)).toMatchObject({ connectionStatus: 'Failed:ConnectionFunctionError' });
  await stillServes();
});

test('clients holding every connection slot: the next one is turned away, and served again once they are gone', async () => {
  const holders: Socket[] = [];
  for (let i = 0; i < MAX_CONNECTIONS; i++) {
    holders.push(await new Promise<Socket>((resolve) => { const s = createConnection({ host: '127.0.0.1', port: f.edge.port }, () => resolve(s)); s.on('error', () => undefined); }));
  }
  await sleep(50);
  const turnedAway = await raw(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05]), 2000);
  expect(turnedAway.closedAfterMs).toBeLessThan(HANDSHAKE_MS);
  expect(turnedAway.received).toBe(0);
  // The holders themselves never complete a handshake: the deadline frees their slots.
  await Promise.all(holders.map((s) => new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())))));
  await stillServes();
}, 20_000);

test('an allowed client that never sends its request is closed at the header deadline', async () => {
  const t0 = Date.now();
  const closedAfter = await new Promise<number>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: f.edge.port, servername: f.names.required, ca: fs.readFileSync(f.edge.caFile!),
      cert: fs.readFileSync(f.pki.valid.cert), key: fs.readFileSync(f.pki.valid.key) });
    s.on('error', () => undefined);
    const timer = setTimeout(() => { s.destroy(); reject(new Error('still open after 10 s')); }, 10_000);
    s.on('close', () => { clearTimeout(timer); resolve(Date.now() - t0); });
  });
  expect(logRecords(f, 'required').at(-1)).toMatchObject({ connectionStatus: 'Success' });
  expect(closedAfter).toBeGreaterThanOrEqual(HEADERS_MS - 100);
  expect(closedAfter).toBeLessThan(HEADERS_MS + 2000);
});

test('a connection log that cannot be written changes no decision and does not stop the edge', async () => {
  // A folder where the distribution's log file should be: every append to it fails.
  fs.mkdirSync(f.edge.logFileOf(f.ids.optional));
  const before = f.edge.logWriteFailures();
  expect(await curl('optional')).toMatchObject({ code: 0, stdout: 'origin saw /\n' });
  expect(f.edge.logWriteFailures()).toBe(before + 1);
  await stillServes();
});
