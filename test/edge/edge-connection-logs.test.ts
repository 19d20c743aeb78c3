// Connection-log records held field by field against the handshake that produced them, seen from the client's
// side of that same TLS connection; and the connection object the function got, against `conngate payload`'s.
import * as fs from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { connect, type TLSSocket } from 'node:tls';
import { CONNECTION_LOG_FIELDS } from '../../connection-logs/connection-log-record';
import { buildConnectionObject } from '../../runtime/payload';
import { logRecords, startEdgeFixture, type DistributionKey, type EdgeFixture } from './edge-fixture';

let f: EdgeFixture;
beforeAll(async () => { f = await startEdgeFixture(); }, 60_000);
afterAll(async () => f?.stop());

interface Seen { localPort: number; protocol: string | null; cipher: string; answer: string; startedAt: number; endedAt: number }

/** One mTLS connection with Node's TLS client: what the client saw of its handshake, and the HTTP answer (or ''). */
function handshake(key: DistributionKey, client: { cert: string; key: string }): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    let seen: Omit<Seen, 'answer' | 'endedAt'> | undefined;
    let answer = '';
    const sock: TLSSocket = connect({ host: '127.0.0.1', port: f.edge.port, servername: f.names[key], ca: fs.readFileSync(f.edge.caFile!),
      cert: fs.readFileSync(client.cert), key: fs.readFileSync(client.key), timeout: 10_000 }, () => {
      seen = { localPort: sock.localPort!, protocol: sock.getProtocol(), cipher: sock.getCipher().standardName, startedAt };
      sock.write(`GET /log HTTP/1.1\r\nHost: ${f.names[key]}\r\nConnection: close\r\n\r\n`);
    });
    sock.on('data', (d) => { answer += d.toString(); });
    sock.on('error', () => undefined);
    sock.on('timeout', () => sock.destroy(new Error('timeout')));
    sock.on('close', () => (seen ? resolve({ ...seen, answer, endedAt: Date.now() }) : reject(new Error('no handshake'))));
  });
}

const iso = (d: string) => new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');

function recordFor(key: DistributionKey, localPort: number) {
  const found = logRecords(f, key).filter((r) => r.clientPort === localPort);
  expect(found).toHaveLength(1);
  return found[0];
}

test('a successful handshake: every field as the client saw it, in the documented order', async () => {
  const seen = await handshake('required', f.pki.valid);
  expect(seen.answer).toMatch(/^HTTP\/1\.1 200/);
  const rec = recordFor('required', seen.localPort);
  const leaf = new X509Certificate(fs.readFileSync(f.pki.valid.cert));
  expect(Object.keys(rec)).toEqual(CONNECTION_LOG_FIELDS.filter((k) => k in rec));
  expect(rec).toEqual({
    eventTimestamp: expect.any(Number),
    connectionId: expect.stringMatching(/^[A-Za-z0-9_-]{54}==$/),
    connectionStatus: 'Success',
    clientIp: '127.0.0.1',
    clientPort: seen.localPort,
    serverIp: '127.0.0.1',
    distributionId: f.ids.required,
    tlsProtocol: seen.protocol,
    tlsCipher: seen.cipher,
    tlsHandshakeDuration: expect.any(Number),
    tlsSni: f.names.required,
    clientLeafCertSerialNumber: '1a:2b:3c:4d',
    clientLeafCertSubject: 'C=US, O=Edge Test, CN=valid.edge.test',
    clientLeafCertIssuer: 'C=US, O=Edge Test, CN=Edge Test Root CA',
    clientLeafCertValidity: `NotBefore=${iso(leaf.validFrom)};NotAfter=${iso(leaf.validTo)}`,
  });
  expect(rec.eventTimestamp as number).toBeGreaterThanOrEqual(seen.startedAt);
  expect(rec.eventTimestamp as number).toBeLessThanOrEqual(seen.endedAt);
  expect(rec.tlsHandshakeDuration as number).toBeGreaterThanOrEqual(0);
  expect(rec.tlsHandshakeDuration as number).toBeLessThanOrEqual(seen.endedAt - seen.startedAt);
  expect(rec.tlsProtocol).toBe('TLSv1.3');
});

test('a refused handshake records who knocked and why, with no custom data', async () => {
  const seen = await handshake('required', f.pki.foreign);
  expect(seen.answer).toBe('');
  const rec = recordFor('required', seen.localPort);
  expect(rec).toMatchObject({ connectionStatus: 'Failed:ClientCertUntrusted', clientLeafCertSerialNumber: '5f:5f',
    clientLeafCertSubject: 'C=US, O=Edge Test, CN=foreign.edge.test', clientLeafCertIssuer: 'C=US, O=Elsewhere, CN=Elsewhere Root CA',
    tlsSni: f.names.required, distributionId: f.ids.required });
  expect(rec).not.toHaveProperty('connectionLogCustomData');
});

test('the function gets the connection object `conngate payload` builds, with the logged connection id', async () => {
  const seen = await handshake('passthrough', f.pki.valid);
  expect(seen.answer).toMatch(/^HTTP\/1\.1 200/);
  const rec = recordFor('passthrough', seen.localPort);
  const expected = buildConnectionObject(fs.readFileSync(f.pki.valid.cert), { connectionId: rec.connectionId as string,
    clientIp: '127.0.0.1', endpoint: f.names.passthrough, distributionId: f.ids.passthrough });
  const leaf = expected.clientCertificate!.certificates.leaf;
  expect(rec.connectionLogCustomData).toBe(`cert ${leaf.serialNumber} ${expected.connectionId} ${expected.endpoint} ${expected.distributionId} `
    + `${expected.clientIp} ${leaf.sha256Fingerprint} ${leaf.validity.notAfter}`);
});

test('every handshake gets its own connection id', async () => {
  const a = await handshake('required', f.pki.valid);
  const b = await handshake('required', f.pki.valid);
  expect(recordFor('required', a.localPort).connectionId).not.toBe(recordFor('required', b.localPort).connectionId);
});
