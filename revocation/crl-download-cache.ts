/**
 * The conditional-GET cache of downloaded CRLs: per source URL, the validators (ETag, Last-Modified) the server
 * gave and the body they belong to, so a 304 Not Modified can be answered with the same bytes. The body is
 * re-verified on every run like a fresh download; the cache only saves the transfer. Files are written
 * atomically (temp then rename), body first, so the validators never point at a body that is not there.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeFolder } from '../host/make-folder';

export interface CachedCrl {
  etag?: string;
  lastModified?: string;
  bytes: Buffer;
}

interface CacheEntryFile {
  format: 'conngate-crl-cache/1';
  url: string;
  etag?: string;
  lastModified?: string;
  sha256: string;
}

function base(dir: string, url: string): string {
  return path.join(dir, createHash('sha256').update(url).digest('hex').slice(0, 24));
}

function writeAtomic(file: string, data: string | Buffer): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** The cached copy of `url`, if its body is intact; anything else reads as "nothing cached". */
export function readCachedCrl(dir: string, url: string): CachedCrl | undefined {
  try {
    const doc = JSON.parse(fs.readFileSync(`${base(dir, url)}.json`, 'utf8')) as CacheEntryFile;
    if (doc.format !== 'conngate-crl-cache/1' || doc.url !== url) return undefined;
    const bytes = fs.readFileSync(`${base(dir, url)}.crl`);
    if (createHash('sha256').update(bytes).digest('hex') !== doc.sha256) return undefined;
    return { etag: doc.etag, lastModified: doc.lastModified, bytes };
  } catch {
    return undefined;
  }
}

/**
 * Remembers a download with its validators. When the server sent none, what was kept for the URL is forgotten:
 * its old validators describe a body the server no longer stands behind, and a 304 to them would bring it back.
 */
export function writeCachedCrl(dir: string, url: string, entry: CachedCrl): void {
  if (!entry.etag && !entry.lastModified) {
    fs.rmSync(`${base(dir, url)}.json`, { force: true });
    fs.rmSync(`${base(dir, url)}.crl`, { force: true });
    return;
  }
  makeFolder(dir);
  writeAtomic(`${base(dir, url)}.crl`, entry.bytes);
  const doc: CacheEntryFile = {
    format: 'conngate-crl-cache/1', url, etag: entry.etag, lastModified: entry.lastModified,
    sha256: createHash('sha256').update(entry.bytes).digest('hex'),
  };
  writeAtomic(`${base(dir, url)}.json`, JSON.stringify(doc));
}
