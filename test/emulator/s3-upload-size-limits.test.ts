import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../aws/clients';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { rawExchange, rawRequest, xmlErrorCode } from './raw-http';

jest.setTimeout(60_000);

describe('S3 uploads: a CRL larger than the CloudFront body limit is taken, one over 64 MB gets an S3 error', () => {
  let emu: RunningEmulator;
  let s3: S3Client;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    s3 = createS3Client({ endpoint: emu.endpoint, region: 'us-east-1', maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: 'crls' }));
  });
  afterAll(async () => {
    s3.destroy();
    await emu.close();
  });

  const over = Buffer.alloc(64 * 1024 * 1024 + 1, 0x61);

  test('the SDK uploads a 40 MB object (it announces it with Expect: 100-continue, which met the 8 MiB CloudFront limit)', async () => {
    const body = Buffer.alloc(40 * 1024 * 1024, 0x62);
    await s3.send(new PutObjectCommand({ Bucket: 'crls', Key: 'million.crl', Body: body }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'crls', Key: 'million.crl' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  });

  test('through the S3 SDK client: EntityTooLarge, and nothing stored', async () => {
    const err = await s3.send(new PutObjectCommand({ Bucket: 'crls', Key: 'big.crl', Body: over })).then(
      () => undefined, (e: { name: string; $metadata?: { httpStatusCode?: number } }) => e);
    expect(err?.name).toBe('EntityTooLarge');
    expect(err?.$metadata?.httpStatusCode).toBe(400);
    const missing = await s3.send(new GetObjectCommand({ Bucket: 'crls', Key: 'big.crl' })).then(() => undefined, (e: Error) => e.name);
    expect(missing).toBe('NoSuchKey');
  });

  test('through raw HTTP: the error arrives, and the emulator keeps serving', async () => {
    const r = await rawRequest(emu.port, 'PUT', '/s3/crls/raw.crl', { 'Content-Type': 'application/pkix-crl' }, over);
    expect(r.status).toBe(400);
    expect(xmlErrorCode(r.body)).toBe('EntityTooLarge');
    // A body far past what is drained: the answer comes, then the connection closes.
    const x = await rawExchange(emu.port, 'PUT /s3/crls/huge.crl HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 9000000000\r\n\r\n', 10000);
    expect(x.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(x.text).toContain('<Code>EntityTooLarge</Code>');
    expect(x.closed).toBe(true);
    await s3.send(new PutObjectCommand({ Bucket: 'crls', Key: 'small.crl', Body: 'ok' }));
  });
});
