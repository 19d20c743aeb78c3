/**
 * Memory the emulator holds for all clients together: request bodies in flight share one budget, and S3 objects
 * share another, so many clients (or one with many connections) cannot grow it without bound.
 */
import { connect, type Socket } from 'node:net';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../aws/clients';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { openHeldRequest, rawRequest, xmlErrorCode } from './raw-http';

jest.setTimeout(60_000);

const MiB = 1024 * 1024;
const TAGS = '/2020-05-31/tagging?Operation=Tag&Resource=arn%3Aaws%3Acloudfront%3A%3A123456789012%3Adistribution%2FEXAMPLE';

/** A request whose headers and first `sent` body bytes are on the wire, the rest held back until `finish()`. */
function holdBody(port: number, declared: number, sent: number): { socket: Socket; answer: Promise<string>; finish: () => void } {
  const held = openHeldRequest(port, `POST ${TAGS} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/xml\r\nContent-Length: ${declared}\r\nConnection: close\r\n\r\n`,
    Buffer.alloc(sent, 0x20));
  return { socket: held.socket, answer: held.answer, finish: () => held.finish(Buffer.alloc(declared - sent, 0x20)) };
}

const settle = () => new Promise((r) => setTimeout(r, 300));

describe('request bodies in flight share one budget', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, connectionLimits: { maxBodyBytesInFlight: 3 * MiB } });
  });
  afterAll(async () => emu.close());

  it('answers a body that does not fit with the retryable busy error, and serves it once the others are done', async () => {
    const a = holdBody(emu.port, 2 * MiB, 1.5 * MiB);
    const b = holdBody(emu.port, 2 * MiB, 1 * MiB);
    await settle();
    // 2.5 MiB held: a third body of 1 MiB does not fit.
    const third = await rawRequest(emu.port, 'POST', TAGS, { 'Content-Type': 'application/xml' }, Buffer.alloc(MiB, 0x20));
    expect([third.status, xmlErrorCode(third.body)]).toEqual([503, 'ServiceUnavailable']);
    expect(third.body).toMatch(/already holds 2\.5 MiB of request bodies, its limit of 3 MiB/);
    // A held body that grows past the budget is refused too (1.5 + 2 MiB), while the other is still kept.
    b.finish();
    expect(/^HTTP\/1\.1 (\d{3}) /.exec(await b.answer)?.[1]).toBe('503');
    a.finish();
    expect(/^HTTP\/1\.1 (\d{3}) /.exec(await a.answer)?.[1]).toBe('400');
    // Everything was given back: the same third body now reaches the operation (which rejects the blank XML).
    const again = await rawRequest(emu.port, 'POST', TAGS, { 'Content-Type': 'application/xml' }, Buffer.alloc(MiB, 0x20));
    expect(again.status).toBe(400);
  });

  it('gives back the bytes of bodies whose clients went away mid-way, chunked or not', async () => {
    for (let i = 0; i < 20; i++) {
      const h = holdBody(emu.port, 3 * MiB, 2.5 * MiB);
      await new Promise((r) => setTimeout(r, 20));
      h.socket.destroy();
    }
    for (let i = 0; i < 10; i++) {
      const s = connect(emu.port, '127.0.0.1');
      s.on('error', () => undefined);
      s.write(`POST ${TAGS} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\n\r\n`);
      s.write(`${(2 * MiB).toString(16)}\r\n`);
      s.write(Buffer.alloc(2 * MiB, 0x20));
      await new Promise((r) => setTimeout(r, 20));
      s.destroy();
    }
    await settle();
    // A body of nearly the whole budget still fits.
    const r = await rawRequest(emu.port, 'POST', TAGS, { 'Content-Type': 'application/xml' }, Buffer.alloc(2.9 * MiB, 0x20));
    expect(r.status).toBe(400);
  });
});

describe('S3 objects share one store budget', () => {
  let emu: RunningEmulator;
  let s3: S3Client;
  beforeAll(async () => {
    // 3 MiB of bytes and room for the entries of the bucket and the two objects that fill it (some 540 bytes each), not a third.
    emu = await startEmulator({ port: 0, connectionLimits: { maxS3StoredBytes: 3 * MiB + 2048 } });
    s3 = createS3Client({ endpoint: emu.endpoint, region: 'us-east-1', maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: 'crls' }));
  });
  afterAll(async () => {
    s3.destroy();
    await emu.close();
  });
  const put = (key: string, size: number) => s3.send(new PutObjectCommand({ Bucket: 'crls', Key: key, Body: Buffer.alloc(size, 0x61) }))
    .then(() => 'stored', (e: { name: string; message: string }) => `${e.name}: ${e.message}`);

  it('refuses an upload past the store budget with nothing stored; overwriting frees the old object\'s bytes', async () => {
    expect(await put('a.crl', 2 * MiB)).toBe('stored');
    expect(await put('b.crl', 2 * MiB)).toMatch(/^InsufficientStorage: The emulator's S3 subset already stores 2 MiB of objects, its limit of 3 MiB/);
    const missing = await s3.send(new GetObjectCommand({ Bucket: 'crls', Key: 'b.crl' })).then(() => 'found', (e: Error) => e.name);
    expect(missing).toBe('NoSuchKey');
    // A refused overwrite keeps the old object and its count.
    expect(await put('a.crl', 4 * MiB)).toMatch(/^InsufficientStorage/);
    expect((await s3.send(new GetObjectCommand({ Bucket: 'crls', Key: 'a.crl' }))).ContentLength).toBe(2 * MiB);
    expect(await put('a.crl', 1 * MiB)).toBe('stored');
    expect(await put('b.crl', 2 * MiB)).toBe('stored');
    expect(await put('c.crl', 1)).toMatch(/^InsufficientStorage/);
  });
});
