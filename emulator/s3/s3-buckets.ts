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

/**
 * What an object or a bucket holds besides its bytes, counted against the store budget: its entry, ETag and date.
 * Without it (and its key and content type) an empty object under a 16 KB key counted nothing, and a flood of them,
 * or of buckets, grew the emulator without bound.
 */
const ENTRY_BYTES = 512;
const costOf = (key: string, o: S3Object) => ENTRY_BYTES + Buffer.byteLength(key) + Buffer.byteLength(o.contentType) + o.body.length;
/** A string of its own: a key or header sliced from a longer string (the request line) would keep all of it alive. */
const own = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

export class S3Buckets {
  private readonly buckets = new Map<string, Map<string, S3Object>>();
  /** Every stored object and bucket counts against `stored`. */
  constructor(readonly stored: MemoryBudget) {}

  /** 'exists' when the bucket is already there, 'full' (nothing created) when it does not fit the store's budget. */
  createBucket(name: string): 'created' | 'exists' | 'full' {
    if (this.buckets.has(name)) return 'exists';
    if (!this.stored.tryReserve(ENTRY_BYTES + Buffer.byteLength(name))) return 'full';
    this.buckets.set(own(name), new Map());
    return 'created';
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
    const replaced = objects.get(key);
    const old = replaced ? costOf(key, replaced) : 0;
    // A small body may be a slice of Node's shared buffer pool, which it would keep alive: it is copied out.
    const kept = body.length === body.buffer.byteLength ? body : Buffer.allocUnsafeSlow(body.length);
    if (kept !== body) body.copy(kept);
    const obj: S3Object = {
      body: kept, contentType: own(contentType), etag: `"${createHash('md5').update(body).digest('hex')}"`,
      lastModified: new Date(Math.floor(now.getTime() / 1000) * 1000),
    };
    // Only the difference is taken (or given back, when the new object is smaller): a refused put changes nothing.
    if (!this.stored.tryReserve(costOf(key, obj) - old)) return undefined;
    objects.set(own(key), obj);
    return obj;
  }

  /** Up to `max` keys of the bucket that start with `prefix`, in key order, after `after` (ListObjectsV2's page). */
  list(bucket: string, prefix: string, after: string | undefined, max: number): { items: [string, S3Object][]; truncated: boolean } {
    const keys = [...this.buckets.get(bucket)!.keys()].filter((k) => k.startsWith(prefix) && (after === undefined || k > after)).sort();
    return { items: keys.slice(0, max).map((k) => [k, this.buckets.get(bucket)!.get(k)!]), truncated: keys.length > max };
  }
}
