/**
 * `conngate revocations check`: a read-only comparison of a store with its sources, for scheduled jobs. It
 * fails (exit 1) when a revoked serial is missing from the store (the function would let that certificate in),
 * when a CRL has passed its nextUpdate or will within the warning window, when the canary is gone, when a
 * source CRL is older than what the store already applied (a stale mirror), when a mark is unreadable, or when
 * the store holds the mark of a CRL no source includes (a CRL dropped from the job, or substituted).
 * Extras, size and marks are reported.
 */
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { isOlder, markCovered, marksHolding, shortKey, storedMarks } from './crl-mark';
import { entryBytes, KVS_LIMITS } from './kvs-limits';
import type { LoadedSource } from './load-source';
import { isReservedKey } from './reserved-keys';
import { readSnapshot } from './store-snapshot';
import { readStore } from './sync';

export interface CheckOptions {
  client: CloudFrontKeyValueStoreClient;
  kvsArn: string;
  source: LoadedSource;
  canary: string;
  /** a CRL whose nextUpdate is less than this far away fails the check, ms */
  warnBeforeMs: number;
  now?: Date;
  /** snapshot folder: used only when its ETag is the store's (never written) */
  snapshotDir?: string;
  /** CA keys the stage config retires (retiredCrlCaKeys): judged as the next sync will, which tombstones their marks */
  retiredCaKeys?: string[];
}

export interface CrlStatus {
  where: string;
  issuer: string;
  crlNumber?: string;
  thisUpdate: string;
  nextUpdate?: string;
  revoked: number;
  /** ok, expiring (within --warn-before), expired */
  freshness: 'ok' | 'expiring' | 'expired' | 'unknown';
  /** SHA-256 of the verifying CA key's SubjectPublicKeyInfo, hex (undefined: not verified) */
  caKey?: string;
  /** how the CRL compares with the store's high-water mark of its issuer, scope and CA key */
  mark: 'current' | 'newer-than-store' | 'older-than-store' | 'no-mark';
}

export interface MarkStatus {
  key: string;
  issuer: string;
  crlNumber?: string;
  thisUpdate?: string;
  /** the CA key of the mark's scope; undefined for a mark written before marks were bound to keys */
  caKey?: string;
  /** when the key was retired (a tombstone) */
  retired?: string;
  readable: boolean;
  /** false when no CRL of the sources has this mark's scope: that CRL is no longer being applied */
  inSources: boolean;
}

export interface CheckReport {
  ok: boolean;
  kvsArn: string;
  etag: string;
  readMode: string;
  store: { keys: number; serialKeys: number; reservedKeys: number; bytes: number; maxBytes: number; share: number };
  sourceSerials: number;
  missing: { count: number; sample: string[] };
  extras: { count: number; sample: string[] };
  canaryPresent: boolean;
  crls: CrlStatus[];
  marks: MarkStatus[];
  problems: string[];
}

const SAMPLE = 10;

export async function checkRevocations(opts: CheckOptions): Promise<CheckReport> {
  const now = opts.now ?? new Date();
  const snap = opts.snapshotDir ? readSnapshot(opts.snapshotDir, opts.kvsArn) : undefined;
  const known = await readStore(opts.client, opts.kvsArn, snap, () => undefined);
  const store = known.entries;
  const target = opts.source.entries;
  const missing: string[] = [];
  for (const k of target.keys()) if (!store.has(k)) missing.push(k);
  const extras: string[] = [];
  let bytes = 0;
  let reserved = 0;
  const marks: MarkStatus[] = [];
  const unreadableMarks: string[] = [];
  const entries = storedMarks(store);
  const retiredInConfig = new Set(opts.retiredCaKeys ?? []);
  for (const e of entries) {
    const m = e.stored;
    marks.push({ key: e.key, issuer: m?.issuer ?? '', crlNumber: m?.crlNumber, thisUpdate: m?.thisUpdate, caKey: m?.caKey, retired: m?.retired,
      readable: !!m, inSources: markCovered(e, opts.source.crls) || (!!m?.caKey && retiredInConfig.has(m.caKey)) });
    if (!m) unreadableMarks.push(e.key);
  }
  for (const [k, v] of store) {
    bytes += entryBytes(k, v);
    if (isReservedKey(k)) reserved++;
    else if (!target.has(k) && k !== opts.canary) extras.push(k);
  }
  missing.sort();
  extras.sort();
  const problems: string[] = [];
  if (missing.length > 0) {
    problems.push(`${missing.length} revoked serial(s) of the sources are missing from the store (e.g. ${missing.slice(0, 3).join(', ')}): run revocations sync`);
  }
  // A CRL the store applied but the job no longer reads: its serials stay as extras and are never updated, and the
  // next sync refuses (or, with --allow-mass-delete, deletes them). A substituted CRL looks exactly like this.
  for (const m of marks) {
    if (!m.inSources) problems.push(`${m.key}: the store applied a CRL of "${m.issuer}" (${m.caKey ? `${shortKey(m.caKey)}, ` : ''}CRL number ${m.crlNumber ?? '-'}) that no source of this check includes`);
  }
  for (const k of unreadableMarks) problems.push(`${k}: the high-water mark is unreadable; the next sync will refuse until it is replaced (--allow-older-crl)`);
  const canaryPresent = store.has(opts.canary);
  if (!canaryPresent) problems.push(`the canary ${opts.canary} is missing from the store: re-apply the stage`);

  const crls: CrlStatus[] = opts.source.crls.map((c) => {
    const next = c.nextUpdate?.getTime();
    const freshness: CrlStatus['freshness'] = next === undefined ? 'unknown' : next < now.getTime() ? 'expired'
      : next < now.getTime() + opts.warnBeforeMs ? 'expiring' : 'ok';
    if (freshness === 'expired') problems.push(`${c.where}: nextUpdate ${c.nextUpdate!.toISOString()} has passed: the CA's newer CRL is not being fetched`);
    // RFC 5280 requires nextUpdate; without it a mirror can serve the same CRL forever and no date ever says so.
    if (freshness === 'unknown') problems.push(`${c.where}: the CRL has no nextUpdate, so whether it is the CA's current one cannot be told`);
    if (freshness === 'expiring') problems.push(`${c.where}: nextUpdate ${c.nextUpdate!.toISOString()} is within the warning window`);
    const mine = { crlNumber: c.crlNumber, thisUpdate: c.thisUpdate.toISOString() };
    // The marks that hold this CRL: its own scope's, and a legacy mark of its name (which holds every key).
    const holding = marksHolding(c, entries).map((e) => e.stored).filter((m) => m !== undefined);
    const older = holding.find((m) => isOlder(mine, m));
    const mark: CrlStatus['mark'] = holding.length === 0 ? 'no-mark' : older ? 'older-than-store'
      : holding.some((m) => isOlder(m, mine)) ? 'newer-than-store' : 'current';
    if (older) problems.push(`${c.where}: older than the CRL the store already applied (CRL number ${older.crlNumber ?? '-'}, ${older.thisUpdate}): the source is stale`);
    if (c.caKey && (retiredInConfig.has(c.caKey) || entries.some((e) => e.stored?.retired && e.stored.caKey === c.caKey))) {
      problems.push(`${c.where}: verified by a retired CA key (sha256:${c.caKey}); the next sync refuses it`);
    }
    return {
      where: c.where, issuer: c.issuer, crlNumber: c.crlNumber, thisUpdate: c.thisUpdate.toISOString(), nextUpdate: c.nextUpdate?.toISOString(),
      revoked: c.revoked, freshness, mark, ...(c.caKey ? { caKey: c.caKey } : {}),
    };
  });
  return {
    ok: problems.length === 0, kvsArn: opts.kvsArn, etag: known.etag, readMode: known.mode,
    store: { keys: store.size, serialKeys: store.size - reserved, reservedKeys: reserved, bytes, maxBytes: KVS_LIMITS.maxStoreBytes, share: bytes / KVS_LIMITS.maxStoreBytes },
    sourceSerials: target.size,
    missing: { count: missing.length, sample: missing.slice(0, SAMPLE) },
    extras: { count: extras.length, sample: extras.slice(0, SAMPLE) },
    canaryPresent, crls, marks, problems,
  };
}

/** The report as a table for people (the same facts as --json). */
export function formatCheckReport(r: CheckReport, stage: string): string {
  const mb = (b: number): string => (b / (1024 * 1024)).toFixed(2);
  const rows: string[][] = [
    ['store', `${r.store.serialKeys} serial keys incl. canary, ${r.store.reservedKeys} reserved; ${mb(r.store.bytes)} MB of ${mb(r.store.maxBytes)} MB (${(r.store.share * 100).toFixed(1)}%); ETag ${r.etag}; read: ${r.readMode}`],
    ['sources', `${r.sourceSerials} revoked serials`],
    ['missing', `${r.missing.count}${r.missing.count ? `: ${r.missing.sample.join(' ')}${r.missing.count > r.missing.sample.length ? ' ...' : ''}` : ''}`],
    ['extras', `${r.extras.count}${r.extras.count ? `: ${r.extras.sample.join(' ')}${r.extras.count > r.extras.sample.length ? ' ...' : ''}` : ''} (in the store, in no source)`],
    ['canary', r.canaryPresent ? 'present' : 'MISSING'],
    ...r.crls.map((c) => ['crl', `${c.where}: "${c.issuer}" (${shortKey(c.caKey)}) number ${c.crlNumber ?? '-'}, ${c.revoked} revoked, thisUpdate ${c.thisUpdate}, nextUpdate ${c.nextUpdate ?? '-'} (${c.freshness}); vs store mark: ${c.mark}`]),
    ...r.marks.map((m) => ['mark', `${m.readable ? `"${m.issuer}" (${m.caKey ? shortKey(m.caKey) : 'any key: written before marks were bound to keys'}) number ${m.crlNumber ?? '-'}, thisUpdate ${m.thisUpdate}` : `${m.key}: UNREADABLE`}` +
      `${m.retired ? ` RETIRED ${m.retired}` : m.inSources ? '' : ' (in no source)'}`]),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const head = `revocations check ${stage}: ${r.ok ? 'OK' : `FAIL (${r.problems.length} problem${r.problems.length > 1 ? 's' : ''})`}`;
  return [head, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`), ...r.problems.map((p) => `  problem: ${p}`)].join('\n');
}
