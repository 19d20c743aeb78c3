// The edge's OCSP client against openssl's responder and against responders that lie, stall or babble: every
// answer it cannot trust is an Error (never Good), and no responder can hold a handshake past the deadline.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { BasicOCSPResponse, OCSPResponse } from '@peculiar/asn1-ocsp';
import { checkOcsp } from '../../edge/ocsp-check';
import { freePort } from './edge-fixture';
import { tempDir } from '../emulator/harness';
import { makeEdgePki, type EdgePki } from './edge-pki';

let pki: EdgePki;
let responder: ChildProcess;
let ocspUrl: string;
const cert = (file: string) => new X509Certificate(fs.readFileSync(file));
let ca: X509Certificate;

/** A loopback HTTP server answering every request with `answer` (or never, for undefined). */
async function fakeResponder(answer: ((body: Buffer) => Buffer | Promise<Buffer>) | undefined, status = 200): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      if (!answer) return; // stall
      const body = await answer(Buffer.concat(chunks));
      res.writeHead(status, { 'content-type': 'application/ocsp-response' });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/** What openssl's responder answers to a request body. */
function askOpenssl(body: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(ocspUrl, { method: 'POST', agent: false, headers: { 'content-type': 'application/ocsp-request' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  const port = await freePort();
  ocspUrl = `http://127.0.0.1:${port}`;
  pki = await makeEdgePki(path.join(tempDir(), 'pki'), ocspUrl);
  ca = cert(pki.caFile);
  responder = spawn('openssl', ['ocsp', '-index', pki.ocspIndex, '-port', String(port), '-CA', pki.caFile, '-rsigner', pki.caFile,
    '-rkey', pki.caKeyFile, '-nmin', '5'], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let text = '';
    responder.stderr!.on('data', (d: Buffer) => { text += d; if (text.includes('waiting for OCSP client connections')) resolve(); });
    setTimeout(() => reject(new Error(text)), 10_000).unref();
  });
}, 30_000);
afterAll(() => { responder?.kill(); });

test('openssl\'s answers: Good and Revoked', async () => {
  expect(await checkOcsp(cert(pki.ocspGood.cert), ca, ocspUrl, new Date())).toEqual({ status: 'Good' });
  expect(await checkOcsp(cert(pki.ocspRevoked.cert), ca, ocspUrl, new Date())).toEqual({ status: 'Revoked' });
});

test('a real answer with one signature byte changed: SignatureInvalid, not Revoked', async () => {
  const fake = await fakeResponder(async (body) => {
    // openssl appends its signer certificate after the signature, so the signature is found by parsing, not by offset.
    const response = AsnConvert.parse(await askOpenssl(body), OCSPResponse);
    const basic = AsnConvert.parse(response.responseBytes!.response.buffer, BasicOCSPResponse);
    const signature = new Uint8Array(basic.signature);
    signature[signature.length - 1] ^= 0x01;
    basic.signature = signature.buffer;
    response.responseBytes!.response = new OctetString(AsnConvert.serialize(basic));
    return Buffer.from(AsnConvert.serialize(response));
  });
  try {
    expect(await checkOcsp(cert(pki.ocspRevoked.cert), ca, fake.url, new Date()))
      .toEqual({ status: 'Error', errorType: 'OCSP response verification failed: SignatureInvalid' });
  } finally { fake.server.close(); }
});

test('a genuine answer about another certificate: CertIdMismatch (a good answer cannot be replayed for a revoked one)', async () => {
  let goodAnswer: Buffer | undefined;
  const fake = await fakeResponder(async () => goodAnswer!);
  try {
    // openssl's signed Good for ocsp-good, captured through the edge's own client pointing at a recording proxy.
    const recorder = await fakeResponder(async (body) => (goodAnswer = await askOpenssl(body)));
    await checkOcsp(cert(pki.ocspGood.cert), ca, recorder.url, new Date());
    recorder.server.close();
    expect(await checkOcsp(cert(pki.ocspRevoked.cert), ca, fake.url, new Date()))
      .toEqual({ status: 'Error', errorType: 'OCSP response verification failed: CertIdMismatch' });
  } finally { fake.server.close(); }
});

test.each([
  ['garbage', () => Buffer.from('not DER at all'), 200, 'OCSP response verification failed: Malformed'],
  ['an HTTP error', () => Buffer.from(''), 500, 'InternalError'],
])('a responder answering %s: Error', async (_what, answer, status, errorType) => {
  const fake = await fakeResponder(answer, status);
  try {
    expect(await checkOcsp(cert(pki.ocspGood.cert), ca, fake.url, new Date())).toEqual({ status: 'Error', errorType });
  } finally { fake.server.close(); }
});

test('a responder that never answers: InternalError at the deadline', async () => {
  const fake = await fakeResponder(undefined);
  try {
    const t0 = Date.now();
    expect(await checkOcsp(cert(pki.ocspGood.cert), ca, fake.url, new Date(), { deadlineMs: 300, maxResponseBytes: 65536 }))
      .toEqual({ status: 'Error', errorType: 'InternalError' });
    expect(Date.now() - t0).toBeLessThan(2000);
  } finally { fake.server.closeAllConnections(); fake.server.close(); }
});

test('a responder that sends too much: InternalError, the answer not kept', async () => {
  const fake = await fakeResponder(() => Buffer.alloc(200_000, 0x30));
  try {
    expect(await checkOcsp(cert(pki.ocspGood.cert), ca, fake.url, new Date(), { deadlineMs: 3000, maxResponseBytes: 65536 }))
      .toEqual({ status: 'Error', errorType: 'InternalError' });
  } finally { fake.server.close(); }
});

test('a responder URL that is not http: ResponderUrlInvalid, nothing fetched', async () => {
  expect(await checkOcsp(cert(pki.ocspGood.cert), ca, 'file:///etc/passwd', new Date()))
    .toEqual({ status: 'Error', errorType: 'OCSP response verification failed: ResponderUrlInvalid' });
});
