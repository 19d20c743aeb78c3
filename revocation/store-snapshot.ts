/**
 * What the last sync left in a store, tied to the store's data-plane ETag. Every write changes the ETag, so
 * while Describe (or a successful If-Match write) still shows it, the snapshot is the store's exact content and
 * the sync need not list 100,000 keys 50 at a time.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isReservedKey } from './reserved-keys';
import { makeFolder } from '../host/make-folder';

export interface StoreSnapshot {
  kvsArn: string;
  etag: string;
  savedAt: string;
  entries: Map<string, string>;
}

interface SnapshotFile {
  format: 'conngate-kvs-snapshot/1';
  kvsArn: string;
  etag: string;
  savedAt: string;
  entries: [string, string][];
}

/** The snapshot file of one store (named by a hash of its ARN, so several stages share a folder). */
export function snapshotFile(dir: string, kvsArn: string): string {
  return path.join(dir, `${createHash('sha256').update(kvsArn).digest('hex').slice(0, 20)}.json`);
}

/** Reads a store's snapshot; a missing, unreadable or foreign file means "no snapshot" (the sync lists instead). */
export function readSnapshot(dir: string, kvsArn: string): StoreSnapshot | undefined {
  let doc: SnapshotFile;
  try {
    doc = JSON.parse(fs.readFileSync(snapshotFile(dir, kvsArn), 'utf8')) as SnapshotFile;
  } catch {
    return undefined;
  }
  if (doc?.format !== 'conngate-kvs-snapshot/1' || doc.kvsArn !== kvsArn || typeof doc.etag !== 'string' || !Array.isArray(doc.entries)) {
    return undefined;
  }
  return { kvsArn, etag: doc.etag, savedAt: doc.savedAt, entries: new Map(doc.entries) };
}

/** Writes a snapshot atomically (temp file then rename): a crash never leaves a half-written one. */
export function writeSnapshot(dir: string, snap: Omit<StoreSnapshot, 'savedAt'>): void {
  makeFolder(dir);
  const file = snapshotFile(dir, snap.kvsArn);
  const doc: SnapshotFile = {
    format: 'conngate-kvs-snapshot/1', kvsArn: snap.kvsArn, etag: snap.etag, savedAt: new Date().toISOString(),
    entries: [...snap.entries],
  };
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(doc));
  fs.renameSync(tmp, file);
}

/**
 * Moves a store's snapshot over a write conngate made to its own reserved keys (a stage lease, evidence, a CRL
 * mark): if the snapshot of `kvsArn` is at `fromEtag`, applies `change` and records `toEtag`, atomically;
 * otherwise does nothing (the next sync then lists the store, as it would anyway). Without this, every such
 * write would cost the next sync its snapshot. Only reserved keys may be in `change`: a serial written by
 * anything but the sync must make the sync look at the store.
 */
export function advanceSnapshot(snapshotDir: string, kvsArn: string, fromEtag: string, toEtag: string,
  change: { puts: { key: string; value: string }[]; deletes: string[] }): void {
  const foreign = [...change.puts.map((p) => p.key), ...change.deletes].find((k) => !isReservedKey(k));
  if (foreign !== undefined) throw new Error(`advanceSnapshot: ${JSON.stringify(foreign)} is not a reserved key`);
  const snap = readSnapshot(snapshotDir, kvsArn);
  if (!snap || snap.etag !== fromEtag) return;
  for (const p of change.puts) snap.entries.set(p.key, p.value);
  for (const k of change.deletes) snap.entries.delete(k);
  writeSnapshot(snapshotDir, { kvsArn, etag: toEtag, entries: snap.entries });
}
