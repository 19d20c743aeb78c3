/**
 * The objects of the emulator's S3 subset, in memory (not in the state file): buckets of key -> bytes with the
 * ETag (quoted MD5, as S3 gives for single-part uploads) and Last-Modified (whole seconds, as HTTP dates carry).
 */
import { createHash } from 'node:crypto';

export interface S3Object {
  body: Buffer;
  etag: string;
  lastModified: Date;
  contentType: string;
}

export class S3Buckets {
  private readonly buckets = new Map<string, Map<string, S3Object>>();

  createBucket(name: string): boolean {
    if (this.buckets.has(name)) return false;
    this.buckets.set(name, new Map());
    return true;
  }

  hasBucket(name: string): boolean {
    return this.buckets.has(name);
  }

  get(bucket: string, key: string): S3Object | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  put(bucket: string, key: string, body: Buffer, contentType: string, now: Date): S3Object {
    const obj: S3Object = {
      body, contentType, etag: `"${createHash('md5').update(body).digest('hex')}"`,
      lastModified: new Date(Math.floor(now.getTime() / 1000) * 1000),
    };
    this.buckets.get(bucket)!.set(key, obj);
    return obj;
  }
}
