/**
 * The emulator's S3 subset keeps object keys literally, as S3 does: "." and ".." segments are part of the key.
 * Parsing the request path with new URL() resolved them, so the key "a/../b" was stored as "b", and
 * GetObject of "../other-bucket/key" in one bucket returned another bucket's object (an s3:// CRL source could
 * read a CRL it never named). A malformed percent-escape is S3's 400 InvalidURI, not a 500.
 */
import * as http from 'node:http';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../aws/clients';
import { RunningEmulator, startEmulator } from '../../emulator';

describe('emulator S3 keys are literal', () => {
  let emu: RunningEmulator;
  let s3: S3Client;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    s3 = createS3Client({ endpoint: emu.endpoint, region: 'us-east-1' });
    await s3.send(new CreateBucketCommand({ Bucket: 'public-crls' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'private-crls' }));
    await s3.send(new PutObjectCommand({ Bucket: 'private-crls', Key: 'crl/ca.crl', Body: 'private' }));
  });
  afterAll(async () => emu.close());

  const get = async (bucket: string, key: string): Promise<string> => {
    try {
      return await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
    } catch (e) {
      return (e as Error).name;
    }
  };

  it('never resolves ".." into another key or another bucket', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'public-crls', Key: 'a/../b', Body: 'dot-dot' }));
    expect(await get('public-crls', 'a/../b')).toBe('dot-dot');
    expect(await get('public-crls', 'b')).toBe('NoSuchKey');
    expect(await get('public-crls', '../private-crls/crl/ca.crl')).toBe('NoSuchKey');
    expect(await get('public-crls', './../private-crls/crl/ca.crl')).toBe('NoSuchKey');
    expect(await get('private-crls', 'crl/ca.crl')).toBe('private');
  });

  it('answers a malformed percent-escape with 400 InvalidURI', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      http.get(`${emu.endpoint}/s3/public-crls/%E0%A4%A`, (res) => {
        let b = '';
        res.on('data', (c) => { b += String(c); });
        res.on('end', () => resolve({ status: res.statusCode!, body: b }));
      }).on('error', reject);
    });
    expect(status).toBe(400);
    expect(body).toContain('<Code>InvalidURI</Code>');
  });
});
