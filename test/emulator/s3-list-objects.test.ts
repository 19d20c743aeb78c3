/** ListObjectsV2 in the emulator's S3 subset (what `conngate replay --logs s3://bucket/prefix` lists), through the real SDK. */
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../aws/clients';
import { RunningEmulator, startEmulator } from '../../emulator';

describe('emulator S3 subset: ListObjectsV2', () => {
  let emu: RunningEmulator;
  let s3: S3Client;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    s3 = createS3Client({ endpoint: emu.endpoint, region: 'us-east-1' });
    await s3.send(new CreateBucketCommand({ Bucket: 'conn-logs' }));
    for (const key of ['logs/2026/12/06/b.jsonl', 'logs/2026/12/06/a&<x>.jsonl', 'logs/2026/12/07/c.jsonl.gz', 'other/d.jsonl', 'logs-old/e.jsonl']) {
      await s3.send(new PutObjectCommand({ Bucket: 'conn-logs', Key: key, Body: key }));
    }
  });
  afterAll(async () => emu.close());

  it('lists the keys under a prefix in key order, page by page with continuation tokens, names escaped', async () => {
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: 'conn-logs', Prefix: 'logs/', MaxKeys: 2, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((o) => `${o.Key} ${o.Size}`));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      pages++;
    } while (token);
    expect(keys).toEqual(['logs/2026/12/06/a&<x>.jsonl 27', 'logs/2026/12/06/b.jsonl 23', 'logs/2026/12/07/c.jsonl.gz 26']);
    expect(pages).toBe(2);
  });

  it('answers a missing bucket with NoSuchBucket', async () => {
    await expect(s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' }))).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });
});
