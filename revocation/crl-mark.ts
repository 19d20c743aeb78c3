/**
 * High-water marks: per CRL issuer, scope and CA key, the highest CRL number (and its thisUpdate) applied to a
 * store, kept in the store itself under a reserved key so that every runner sees it, with or without local state.
 * The sync writes a mark in the same all-or-nothing UpdateKeys as its last batch, so the mark moves only once the
 * CRL's serials are in; a CRL older than the mark is refused unless --allow-older-crl.
 *
 * The key is part of the scope because a name is not an identity: during a CA re-key the old and the new CA
 * certificates carry one name, and a CRL of either key must neither move the other's mark nor stand in for the
 * other's CRL. A key that is no longer used is retired on purpose (retireMarks): its marks become tombstones.
 */
import { UserError } from '../diagnostics/user-error';
import type { ParsedCrl } from './parsed-crl';
import { reservedKey } from './reserved-keys';
import type { KeyValue } from './store-diff';

/** What one applied CRL leaves as its mark. */
export interface CrlMark {
  scopeId: string;
  /** the issuer name and scope alone: what marks written before key binding were keyed by */
  nameScopeId: string;
  /** SHA-256 of the verifying CA key's SubjectPublicKeyInfo, hex; undefined for an unverified CRL */
  caKey?: string;
  issuer: string;
  /** cRLNumber as lowercase hex, when the CRL has one */
  crlNumber?: string;
  thisUpdate: string;
  /** the CRL's file or URL, for messages */
  where: string;
  /** an unverified CRL (--insecure-skip-crl-verify): refused when older than the mark, but never moves it */
  checkOnly?: boolean;
}

/** The stored form: small JSON (the issuer is for people reading the store; comparisons use the other fields). */
export interface StoredMark {
  issuer: string;
  crlNumber?: string;
  thisUpdate: string;
  /** the CA key of the scope; absent in a mark written before marks were bound to keys (a legacy mark) */
  caKey?: string;
  /** the issuer-and-scope id without the key (for unverified CRLs and legacy marks) */
  nameScope?: string;
  /** when the key was retired (ISO time): a tombstone, no longer a CRL the store must keep applying */
  retired?: string;
}

/** A mark found in the store. */
export interface StoredMarkEntry {
  key: string;
  scopeId: string;
  /** undefined when the value is not a readable mark */
  stored?: StoredMark;
}

/** The reserved key of a scope's mark. */
export function crlMarkKey(scopeId: string): string {
  return reservedKey('crl-mark', scopeId);
}

/** The mark a parsed CRL sets. */
export function markOf(crl: ParsedCrl): CrlMark {
  return {
    scopeId: crl.scopeId, nameScopeId: crl.nameScopeId, ...(crl.caKey ? { caKey: crl.caKey } : {}), issuer: crl.issuer,
    crlNumber: crl.crlNumber, thisUpdate: crl.thisUpdate.toISOString(), where: crl.where,
  };
}

/** The JSON value stored for a mark (always under the 1 KB value limit: the issuer text is cut). */
export function formatMark(m: Pick<CrlMark, 'issuer' | 'crlNumber' | 'thisUpdate' | 'caKey' | 'nameScopeId'>, retired?: string): string {
  const stored: StoredMark = {
    issuer: cutUtf8(m.issuer, ISSUER_BYTES), ...(m.crlNumber ? { crlNumber: m.crlNumber } : {}), thisUpdate: m.thisUpdate,
    ...(m.caKey ? { caKey: m.caKey, nameScope: m.nameScopeId } : {}), ...(retired ? { retired } : {}),
  };
  return JSON.stringify(stored);
}

/**
 * The issuer's share of a mark's 1,024 bytes. Cut in UTF-8 bytes, not characters: a CA name of CJK text is three
 * bytes a character, and the other fields (CRL number, key, scope, times) take up to about 270.
 */
const ISSUER_BYTES = 300;

/** `text` cut to at most `max` UTF-8 bytes, at a character boundary. */
function cutUtf8(text: string, max: number): string {
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    bytes += Buffer.byteLength(ch, 'utf8');
    if (bytes > max) break;
    out += ch;
  }
  return out;
}

/** Parses a stored mark; undefined when it is not one (damaged, or written by something else). */
export function parseMark(value: string): StoredMark | undefined {
  try {
    const v = JSON.parse(value) as Partial<StoredMark>;
    if (typeof v.thisUpdate !== 'string' || Number.isNaN(Date.parse(v.thisUpdate))) return undefined;
    if (v.crlNumber !== undefined && (typeof v.crlNumber !== 'string' || !/^[0-9a-f]+$/.test(v.crlNumber))) return undefined;
    if (v.caKey !== undefined && (typeof v.caKey !== 'string' || !/^[0-9a-f]{64}$/.test(v.caKey))) return undefined;
    if (v.nameScope !== undefined && (typeof v.nameScope !== 'string' || !/^[0-9a-f]{32}$/.test(v.nameScope))) return undefined;
    // A key-bound mark names its name scope too: without it an unverified CRL could not be held to it.
    if ((v.caKey === undefined) !== (v.nameScope === undefined)) return undefined;
    if (v.retired !== undefined && (typeof v.retired !== 'string' || Number.isNaN(Date.parse(v.retired)) || v.caKey === undefined)) return undefined;
    return {
      issuer: typeof v.issuer === 'string' ? v.issuer : '', crlNumber: v.crlNumber, thisUpdate: v.thisUpdate,
      ...(v.caKey ? { caKey: v.caKey, nameScope: v.nameScope } : {}), ...(v.retired ? { retired: v.retired } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * True when `m` goes back from `stored`: a lower CRL number (the CA's own sequence, RFC 5280 5.2.3), or, with
 * equal or missing numbers, an earlier thisUpdate.
 */
export function isOlder(m: Pick<CrlMark, 'crlNumber' | 'thisUpdate'>, stored: Pick<StoredMark, 'crlNumber' | 'thisUpdate'>): boolean {
  if (m.crlNumber && stored.crlNumber) {
    const a = BigInt(`0x${m.crlNumber}`);
    const b = BigInt(`0x${stored.crlNumber}`);
    if (a !== b) return a < b;
  }
  return Date.parse(m.thisUpdate) < Date.parse(stored.thisUpdate);
}

const MARK_PREFIX = `${reservedKey('crl-mark')}:`;

/** The scope id of a mark's key (`conngate:crl-mark:<scopeId>`); undefined for any other key. */
export function markScopeOf(key: string): string | undefined {
  return key.startsWith(MARK_PREFIX) ? key.slice(MARK_PREFIX.length) : undefined;
}

/** Every mark key in the store, parsed. */
export function storedMarks(store: ReadonlyMap<string, string>): StoredMarkEntry[] {
  const out: StoredMarkEntry[] = [];
  for (const [key, value] of store) {
    const scopeId = markScopeOf(key);
    if (scopeId !== undefined) out.push({ key, scopeId, stored: parseMark(value) });
  }
  return out;
}

/** A short form of a key digest for reports and messages (the full one is in `revocations check --json`). */
export function shortKey(caKey: string | undefined): string {
  return caKey ? `key sha256:${caKey.slice(0, 16)}` : 'key unknown';
}

/**
 * The stored marks a run's CRL is held to (retired ones excepted). A verified CRL: the mark of its own scope
 * (name, partition and key), and a legacy mark of its name and partition, which does not say which key's CRL it
 * counted, so it holds every key of that name (fails closed). An unverified CRL has no key: every mark of its
 * name and partition holds it.
 */
export function marksHolding(m: Pick<CrlMark, 'scopeId' | 'nameScopeId' | 'caKey'>, entries: StoredMarkEntry[]): StoredMarkEntry[] {
  return entries.filter((e) => {
    if (e.stored?.retired) return false;
    if (e.scopeId === m.scopeId) return true;
    if (e.scopeId === m.nameScopeId && !e.stored?.caKey) return true; // a legacy (or unreadable) mark at the name's key
    return !m.caKey && e.stored?.nameScope === m.nameScopeId;
  });
}

/** True when some CRL of the run keeps this stored mark's CRL applied (a tombstone needs none). */
export function markCovered(e: StoredMarkEntry, marks: Pick<CrlMark, 'scopeId' | 'nameScopeId' | 'caKey'>[]): boolean {
  return !!e.stored?.retired || marks.some((m) => marksHolding(m, [e]).length > 0);
}

function describeStored(stored: StoredMark): string {
  return `a CRL of "${stored.issuer}" (${stored.caKey ? `${shortKey(stored.caKey)}, ` : ''}${stored.crlNumber ? `CRL number ${stored.crlNumber}, ` : ''}thisUpdate ${stored.thisUpdate})`;
}

/**
 * Checks the marks against what the store holds and returns the mark writes to make. A CRL older than a mark
 * that holds it (marksHolding), or a damaged mark, is a refusal unless allowOlder (then the mark is set to the
 * CRL applied).
 *
 * A mark in the store that no CRL of this run covers is a CRL left out: the store would lose every serial only
 * that CRL revoked. That is how a substituted CRL looks (another partition of the same CA, served at the URL of
 * the full CRL; a CA whose CRL was dropped from the job; a serial list replacing the CRLs; the CRL of another key
 * with the same name), and the mass-delete share only slows it down run by run. Refused unless allowDrop
 * (--allow-mass-delete), which then deletes that mark in the last batch, so the scope is forgotten on purpose.
 *
 * Retired keys (tombstones in the store, and `retiredKeys` from the stage config, which the last batch turns into
 * tombstones) are never left out, and a CRL verified by one is refused: the operator said that key is done.
 *
 * A legacy mark (no key) that verified CRLs cover is replaced by their key-bound marks in the last batch.
 */
export function planMarks(store: ReadonlyMap<string, string>, marks: CrlMark[], allowOlder: boolean, allowDrop = false,
  retiredKeys: ReadonlySet<string> = new Set(), now = new Date()):
  { puts: KeyValue[]; deletes: string[]; refusal?: UserError } {
  const puts: KeyValue[] = [];
  const deletes: string[] = [];
  const entries = storedMarks(store);
  const retiredInStore = new Map<string, string>();
  for (const e of entries) if (e.stored?.retired && e.stored.caKey) retiredInStore.set(e.stored.caKey, e.stored.retired);
  for (const m of marks) {
    if (!m.caKey || !(retiredInStore.has(m.caKey) || retiredKeys.has(m.caKey))) continue;
    const when = retiredInStore.get(m.caKey);
    return { puts, deletes, refusal: new UserError(m.where, `the CRL of "${m.issuer}" is verified by a retired CA key (sha256:${m.caKey}${when ? `, retired ${when}` : ', listed in retiredCrlCaKeys'})`,
      'drop this CRL and the retired CA certificate from the job; the key\'s serials are no longer kept current') };
  }
  for (const e of entries) {
    if (e.stored?.caKey && !e.stored.retired && retiredKeys.has(e.stored.caKey)) {
      // Retired in the stage config: the tombstone keeps the retirement in the store, where every runner sees it.
      puts.push({ key: e.key, value: formatMark({ ...e.stored, nameScopeId: e.stored.nameScope! }, now.toISOString()) });
      continue;
    }
    if (markCovered(e, marks)) continue;
    if (allowDrop) {
      deletes.push(e.key);
      continue;
    }
    const what = e.stored ? describeStored(e.stored) : 'a CRL';
    return { puts, deletes, refusal: new UserError(e.key, `the store applied ${what} that this run does not include; its revocations would be deleted`,
      'pass that CA\'s CRL (every partition, every CA key in use) too; retire a CA key that is no longer used with `revocations retire-ca`; ' +
      'pass --allow-mass-delete only to drop that CRL from the store on purpose (its mark is removed)') };
  }
  for (const m of marks) {
    for (const e of marksHolding(m, entries)) {
      if (!e.stored && !allowOlder) {
        return { puts, deletes, refusal: new UserError(e.key, `the store's high-water mark for "${m.issuer}" is unreadable (${JSON.stringify((store.get(e.key) ?? '').slice(0, 80))})`,
          'find out who wrote it; pass --allow-older-crl to replace it with this CRL\'s mark') };
      }
      if (e.stored && isOlder(m, e.stored) && !allowOlder) {
        const had = `${e.stored.crlNumber ? `CRL number ${e.stored.crlNumber}, ` : ''}thisUpdate ${e.stored.thisUpdate}`;
        const got = `${m.crlNumber ? `CRL number ${m.crlNumber}, ` : ''}thisUpdate ${m.thisUpdate}`;
        const legacy = m.caKey && !e.stored.caKey;
        return { puts, deletes, refusal: new UserError(m.where, `older CRL refused: the store already holds a newer CRL of "${m.issuer}" (${had}); this one has ${got}` +
          (legacy ? '; that mark was written before marks were bound to CA keys, so it holds every key of this name' : ''),
        legacy ? 'if this is a new CA key, sync the old key\'s CRL once first (its mark then becomes the old key\'s), or pass --allow-older-crl once to start the new key\'s history'
          : 'fetch the current CRL from the CA; pass --allow-older-crl only to roll back on purpose') };
      }
    }
  }
  const written = new Set<string>();
  for (const m of marks) {
    if (m.checkOnly) continue;
    const key = crlMarkKey(m.scopeId);
    written.add(key);
    const value = formatMark(m);
    if (store.get(key) !== value) puts.push({ key, value });
  }
  // Legacy (and, with allowOlder, unreadable) marks at a name's key that verified CRLs now cover are replaced by
  // their key-bound marks; deleting them in the same batch that writes those keeps the history unbroken.
  for (const e of entries) {
    if (written.has(e.key) || e.stored?.caKey || deletes.includes(e.key)) continue;
    if (marks.some((m) => !m.checkOnly && m.caKey && m.nameScopeId === e.scopeId)) deletes.push(e.key);
  }
  return { puts, deletes };
}

/**
 * Retires a CA key: its marks become tombstones (the same fields, plus when), so no run is refused for leaving its
 * CRL out any more, and a CRL it verifies is refused. Returns the puts; undefined when the store has no live mark of
 * that key.
 */
export function retireMarks(store: ReadonlyMap<string, string>, caKey: string, now: Date): KeyValue[] | undefined {
  const puts = storedMarks(store).filter((e) => e.stored?.caKey === caKey && !e.stored.retired)
    .map((e) => ({ key: e.key, value: formatMark({ ...e.stored!, nameScopeId: e.stored!.nameScope! }, now.toISOString()) }));
  return puts.length ? puts : undefined;
}
