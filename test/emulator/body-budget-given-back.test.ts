/**
 * The body budget is given back on every way a request can end (answered, refused, failed, abandoned at any point)
 * and never given back twice: with a witness body held throughout, the budget left at the end is exactly what the
 * witness leaves, neither less (a leak) nor more (a double release, which silently raises the cap).
 */
import { startEmulator, type RunningEmulator } from '../../emulator';
import { openHeldRequest as open, rawRequest, xmlErrorCode, type HeldRequest as Held } from './raw-http';

jest.setTimeout(120_000);

const KiB = 1024;
const MiB = 1024 * KiB;
const TAGS = '/2020-05-31/tagging?Operation=Tag&Resource=arn%3Aaws%3Acloudfront%3A%3A123456789012%3Adistribution%2FEXAMPLE';
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const post = (path: string, length: number | 'chunked', extra = '') => `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`
  + `Content-Type: application/xml\r\n${length === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`}\r\n${extra}Connection: close\r\n\r\n`;
const s3put = (path: string, length: number, extra = '') => `PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${length}\r\n${extra}Connection: close\r\n\r\n`;
const status = (answer: string) => /^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1];
const blank = (n: number) => Buffer.alloc(n, 0x20);

describe('the body budget after every way a request ends', () => {
  let emu: RunningEmulator;
  let witness: Held;
  const BUDGET = 8 * MiB;
  const WITNESS = 3 * MiB;
  /** An S3 upload to a bucket that does not exist: its body is read (and counted) before the 404. */
  const probe = (size: number) => rawRequest(emu.port, 'PUT', '/s3/no-such-bucket/k', {}, blank(size))
    .then((r) => `${r.status} ${xmlErrorCode(r.body)}`);

  /**
   * Bodies are given back once the server has seen their requests end (an abandoned socket's close, a probe's own
   * answer), which on a loaded machine can take longer than a fixed pause: ask again until then, within 10 s (a leak
   * never answers 404, and fails).
   */
  const settles = async (bytes: number): Promise<string> => {
    let answer = await probe(bytes);
    for (const deadline = Date.now() + 10_000; answer !== '404 NoSuchBucket' && Date.now() < deadline; answer = await probe(bytes)) await pause(100);
    return answer;
  };

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, connectionLimits: { maxBodyBytesInFlight: BUDGET, maxBodyBytes: 2 * MiB, requestTimeoutMs: 60_000 } });
    // Held until the end: any double release while it is held lowers the count below what is really held.
    witness = open(emu.port, s3put('/s3/no-such-bucket/witness', WITNESS + 1), blank(WITNESS));
    await pause(200);
  });
  afterAll(async () => {
    witness.socket.destroy();
    await emu.close(0);
  });

  it('starts with the witness counted', async () => {
    expect(await settles(BUDGET - WITNESS - 64 * KiB)).toBe('404 NoSuchBucket');
    expect(await probe(BUDGET - WITNESS + 64 * KiB)).toBe('503 SlowDown');
  });

  it('control plane: abandoned after the head, mid-body, chunked, with 100-continue', async () => {
    for (let i = 0; i < 3; i++) {
      open(emu.port, post(TAGS, MiB)).socket.destroy();
      const mid = open(emu.port, post(TAGS, 2 * MiB), blank(1.5 * MiB));
      await pause(50);
      mid.socket.destroy();
      const chunked = open(emu.port, post(TAGS, 'chunked'), `${(MiB).toString(16)}\r\n`);
      chunked.send(blank(MiB - 10));
      await pause(50);
      chunked.socket.destroy();
      const cont = open(emu.port, post(TAGS, 2 * MiB, 'Expect: 100-continue\r\n'));
      await pause(30);
      cont.send(blank(1.9 * MiB));
      await pause(50);
      cont.socket.destroy();
    }
  });

  it('control plane: answered, failed by the operation, by injected faults, by the encoding and the route', async () => {
    expect((await rawRequest(emu.port, 'POST', TAGS, { 'Content-Type': 'application/xml' }, blank(MiB))).status).toBe(400);
    expect((await rawRequest(emu.port, 'POST', TAGS, { 'Content-Type': 'application/xml', 'Content-Encoding': 'gzip' }, blank(MiB))).status).toBe(400);
    expect((await rawRequest(emu.port, 'POST', TAGS, { 'Content-Type': 'application/xml' }, Buffer.alloc(MiB, 0xff))).status).toBe(400);
    expect((await rawRequest(emu.port, 'POST', '/2020-05-31/nothing-here', {}, blank(MiB))).status).toBe(404);
    emu.setFaults({ serverErrorRate: 1 });
    expect((await rawRequest(emu.port, 'POST', TAGS, {}, blank(MiB))).status).toBe(503);
    emu.setFaults({ throttleRate: 1 });
    expect((await rawRequest(emu.port, 'POST', TAGS, {}, blank(MiB))).status).toBe(400);
    emu.setFaults({});
  });

  it('control plane: the client goes away while the answer is delayed (its answer cannot be written)', async () => {
    emu.setFaults({ latencyMs: 400 });
    const gone = open(emu.port, post(TAGS, MiB), blank(MiB));
    await pause(150);
    gone.socket.destroy();
    await pause(500);
    emu.setFaults({});
  });

  it('control plane: refused early (guard, malformed target, declared too large), whole or abandoned', async () => {
    expect((await rawRequest(emu.port, 'POST', TAGS, { Origin: 'https://evil.example' }, blank(MiB))).status).toBe(403);
    expect((await rawRequest(emu.port, 'POST', '/2020-05-31/%zz', {}, blank(MiB))).status).toBe(400);
    const big = open(emu.port, post(TAGS, 3 * MiB), blank(MiB));
    big.finish(blank(2 * MiB));
    expect(status(await big.answer)).toBe('413');
    const refused = open(emu.port, post(TAGS, MiB, 'Origin: https://evil.example\r\n'), blank(MiB / 2));
    await pause(50);
    refused.socket.destroy();
  });

  it('over the per-request limit or over the budget, drained or abandoned while draining', async () => {
    // Over the per-request limit (chunked: only the bytes tell).
    const tooBig = open(emu.port, post(TAGS, 'chunked'), `${(3 * MiB).toString(16)}\r\n`);
    tooBig.finish(Buffer.concat([blank(3 * MiB), Buffer.from('\r\n0\r\n\r\n')]));
    expect(status(await tooBig.answer)).toBe('413');
    // Over the budget: another 4 MiB is held, so a 2 MiB body does not fit; one is drained, one abandoned mid-drain.
    const filler = open(emu.port, s3put('/s3/no-such-bucket/filler', 4 * MiB + 1), blank(4 * MiB));
    await pause(200);
    const r = await rawRequest(emu.port, 'POST', TAGS, {}, blank(2 * MiB));
    expect(`${r.status} ${xmlErrorCode(r.body)}`).toBe('503 ServiceUnavailable');
    const draining = open(emu.port, post(TAGS, 2 * MiB), blank(1.5 * MiB));
    await pause(100);
    draining.socket.destroy();
    const s3Refused = await rawRequest(emu.port, 'PUT', '/s3/no-such-bucket/k', {}, blank(2 * MiB));
    expect(`${s3Refused.status} ${xmlErrorCode(s3Refused.body)}`).toBe('503 SlowDown');
    const sts = await rawRequest(emu.port, 'POST', '/sts', { 'Content-Type': 'application/x-www-form-urlencoded' }, `Action=GetCallerIdentity&x=${'a'.repeat(60_000)}`);
    expect(sts.status).toBe(200);
    filler.socket.destroy();
    await pause(100);
  });

  it('S3: GET and HEAD with bodies, uploads abandoned mid-way, browser refusals', async () => {
    expect((await rawRequest(emu.port, 'PUT', '/s3/budget-bucket', {})).status).toBe(200);
    expect((await rawRequest(emu.port, 'PUT', '/s3/budget-bucket/a', {}, blank(MiB))).status).toBe(200);
    // Node's client frames a GET's body only when told its length.
    const sized = { 'Content-Length': String(MiB) };
    expect((await rawRequest(emu.port, 'GET', '/s3/budget-bucket/a', sized, blank(MiB))).status).toBe(200);
    expect((await rawRequest(emu.port, 'HEAD', '/s3/budget-bucket/a', sized, blank(MiB))).status).toBe(200);
    expect((await rawRequest(emu.port, 'GET', '/s3/budget-bucket/missing', sized, blank(MiB))).status).toBe(404);
    expect((await rawRequest(emu.port, 'DELETE', '/s3/budget-bucket/a', sized, blank(MiB))).status).toBe(501);
    expect((await rawRequest(emu.port, 'PUT', '/s3/budget-bucket/a', { Origin: 'https://evil.example' }, blank(MiB))).status).toBe(403);
    const mid = open(emu.port, s3put('/s3/budget-bucket/b', 2 * MiB), blank(MiB));
    await pause(50);
    mid.socket.destroy();
    const cont = open(emu.port, s3put('/s3/budget-bucket/c', 2 * MiB, 'Expect: 100-continue\r\n'));
    await pause(30);
    cont.send(blank(MiB));
    await pause(50);
    cont.socket.destroy();
  });

  it('STS: answered, refused, abandoned mid-way, oversized', async () => {
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    expect((await rawRequest(emu.port, 'POST', '/sts', form, 'Action=GetCallerIdentity')).status).toBe(200);
    expect((await rawRequest(emu.port, 'POST', '/sts', form, 'Action=Nope')).status).toBe(400);
    expect((await rawRequest(emu.port, 'POST', '/sts', form, `Action=GetCallerIdentity&x=${'a'.repeat(70_000)}`)).status).toBe(400);
    const mid = open(emu.port, `POST /sts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\n`, 'Action=GetCallerIdentity&x=aaaa');
    await pause(50);
    mid.socket.destroy();
  });

  it('ends with exactly the witness counted: nothing leaked, nothing given back twice', async () => {
    await pause(300);
    expect(await settles(BUDGET - WITNESS - 64 * KiB)).toBe('404 NoSuchBucket');
    expect(await probe(BUDGET - WITNESS + 64 * KiB)).toBe('503 SlowDown');
    witness.socket.destroy();
    await pause(200);
    expect(await settles(BUDGET - 64 * KiB)).toBe('404 NoSuchBucket');
  });
});
