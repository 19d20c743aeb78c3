/** The emulator's S3 subset through the real @aws-sdk/client-s3 (path style under <endpoint>/s3). */
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../aws/clients';
import { RunningEmulator, startEmulator } from '../../emulator';

describe('emulator S3 subset', () => {
  let emu: RunningEmulator;
  let s3: S3Client;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    s3 = createS3Client({ endpoint: emu.endpoint, region: 'us-east-1' });
    await s3.send(new CreateBucketCommand({ Bucket: 'pca-crls' }));
  });
  afterAll(async () => emu.close());

  it('puts and gets bytes unchanged, with an MD5 ETag and Last-Modified', async () => {
    const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    const put = await s3.send(new PutObjectCommand({ Bucket: 'pca-crls', Key: 'crl/ca-1.crl', Body: body }));
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'pca-crls', Key: 'crl/ca-1.crl' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    expect(got.ETag).toBe(put.ETag);
    expect(got.LastModified).toBeInstanceOf(Date);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'pca-crls', Key: 'crl/ca-1.crl' }));
    expect(head).toMatchObject({ ETag: put.ETag, ContentLength: body.length });
  });

  it('answers conditional GETs with 304 and If-Match with 412', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: 'pca-crls', Key: 'c.crl', Body: 'v1' }));
    const status = async (input: Record<string, unknown>): Promise<number> => {
      try {
        return (await s3.send(new GetObjectCommand({ Bucket: 'pca-crls', Key: 'c.crl', ...input }))).$metadata.httpStatusCode!;
      } catch (e) {
        return (e as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode;
      }
    };
    expect(await status({ IfNoneMatch: put.ETag })).toBe(304);
    expect(await status({ IfNoneMatch: '"other"' })).toBe(200);
    expect(await status({ IfModifiedSince: new Date(Date.now() + 60_000) })).toBe(304);
    expect(await status({ IfModifiedSince: new Date(Date.now() - 3600_000) })).toBe(200);
    expect(await status({ IfMatch: '"other"' })).toBe(412);
    await s3.send(new PutObjectCommand({ Bucket: 'pca-crls', Key: 'c.crl', Body: 'v2' }));
    expect(await status({ IfNoneMatch: put.ETag })).toBe(200);
  });

  it('refuses browser requests (an Origin header or a cross-site fetch)', async () => {
    for (const headers of [{ Origin: 'https://evil.example' }, { 'Sec-Fetch-Site': 'cross-site' }] as Record<string, string>[]) {
      const r = await fetch(`${emu.endpoint}/s3/pca-crls/crl/ca-1.crl`, { headers });
      expect(r.status).toBe(403);
      expect(await r.text()).toContain('<Code>AccessDenied</Code>');
    }
    expect((await fetch(`${emu.endpoint}/s3/pca-crls/crl/ca-1.crl`)).status).toBe(200);
  });

  it('names a missing key or bucket with S3 error codes', async () => {
    await expect(s3.send(new GetObjectCommand({ Bucket: 'pca-crls', Key: 'none' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    await expect(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'x' }))).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });
});
