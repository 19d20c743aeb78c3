/**
 * The objects of the emulator's S3 subset, in memory (not in the state file): buckets of key -> bytes with the
 * ETag (quoted MD5, as S3 gives for single-part uploads) and Last-Modified (whole seconds, as HTTP dates carry).
 */
import { createHash } from 'node:crypto';
import type { MemoryBudget } from '../memory-budget';

export interface S3Object {
  body: Buffer;
  etag: string;
  lastModified: Date;
  contentType: string;
}

export class S3Buckets {
  private readonly buckets = new Map<string, Map<string, S3Object>>();
  /** The bytes of every stored object count against `stored`. */
  constructor(readonly stored: MemoryBudget) {}

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

  /** Stores the object; undefined (nothing changed) when it does not fit the store's budget. */
  put(bucket: string, key: string, body: Buffer, contentType: string, now: Date): S3Object | undefined {
    const objects = this.buckets.get(bucket)!;
    const old = objects.get(key)?.body.length ?? 0;
    // The replaced object's bytes are given back only when the new one fits.
    this.stored.release(old);
    if (!this.stored.tryReserve(body.length)) {
      this.stored.tryReserve(old);
      return undefined;
    }
    const obj: S3Object = {
      body, contentType, etag: `"${createHash('md5').update(body).digest('hex')}"`,
      lastModified: new Date(Math.floor(now.getTime() / 1000) * 1000),
    };
    objects.set(key, obj);
    return obj;
  }
}
