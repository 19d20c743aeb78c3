/**
 * High-water marks: per CRL issuer and scope, the highest CRL number (and its thisUpdate) applied to a store,
 * kept in the store itself under a reserved key so that every runner sees it, with or without local state. The
 * sync writes a mark in the same all-or-nothing UpdateKeys as its last batch, so the mark moves only once the
 * CRL's serials are in; a CRL older than the mark is refused unless --allow-older-crl.
 */
import { UserError } from '../diagnostics/user-error';
import type { ParsedCrl } from './crl-source';
import { reservedKey } from './reserved-keys';
import type { KeyValue } from './store-diff';

/** What one applied CRL leaves as its mark. */
export interface CrlMark {
  scopeId: string;
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
}

/** The reserved key of a scope's mark. */
export function crlMarkKey(scopeId: string): string {
  return reservedKey('crl-mark', scopeId);
}

/** The mark a parsed CRL sets. */
export function markOf(crl: ParsedCrl): CrlMark {
  return { scopeId: crl.scopeId, issuer: crl.issuer, crlNumber: crl.crlNumber, thisUpdate: crl.thisUpdate.toISOString(), where: crl.where };
}

/** The JSON value stored for a mark (always under the 1 KB value limit: the issuer text is cut). */
export function formatMark(m: CrlMark): string {
  const stored: StoredMark = { issuer: m.issuer.slice(0, 300), ...(m.crlNumber ? { crlNumber: m.crlNumber } : {}), thisUpdate: m.thisUpdate };
  return JSON.stringify(stored);
}

/** Parses a stored mark; undefined when it is not one (damaged, or written by something else). */
export function parseMark(value: string): StoredMark | undefined {
  try {
    const v = JSON.parse(value) as Partial<StoredMark>;
    if (typeof v.thisUpdate !== 'string' || Number.isNaN(Date.parse(v.thisUpdate))) return undefined;
    if (v.crlNumber !== undefined && (typeof v.crlNumber !== 'string' || !/^[0-9a-f]+$/.test(v.crlNumber))) return undefined;
    return { issuer: typeof v.issuer === 'string' ? v.issuer : '', crlNumber: v.crlNumber, thisUpdate: v.thisUpdate };
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

/**
 * Checks the marks against what the store holds and returns the mark writes to make. A CRL older than its
 * scope's mark, or a damaged mark, is a refusal unless allowOlder (then the mark is set to the CRL applied).
 *
 * A mark in the store whose scope no CRL of this run has is a CRL left out: the store would lose every serial
 * only that CRL revoked. That is how a substituted CRL looks (another partition of the same CA, served at the
 * URL of the full CRL; a CA whose CRL was dropped from the job; a serial list replacing the CRLs), and the
 * mass-delete share only slows it down run by run. Refused unless allowDrop (--allow-mass-delete), which then
 * deletes that mark in the last batch, so the scope is forgotten on purpose.
 */
export function planMarks(store: ReadonlyMap<string, string>, marks: CrlMark[], allowOlder: boolean, allowDrop = false):
  { puts: KeyValue[]; deletes: string[]; refusal?: UserError } {
  const puts: KeyValue[] = [];
  const deletes: string[] = [];
  const inRun = new Set(marks.map((m) => m.scopeId));
  for (const key of store.keys()) {
    const scopeId = markScopeOf(key);
    if (scopeId === undefined || inRun.has(scopeId)) continue;
    if (allowDrop) {
      deletes.push(key);
      continue;
    }
    const stored = parseMark(store.get(key) ?? '');
    const what = stored ? `a CRL of "${stored.issuer}" (${stored.crlNumber ? `CRL number ${stored.crlNumber}, ` : ''}thisUpdate ${stored.thisUpdate})` : 'a CRL';
    return { puts, deletes, refusal: new UserError(key, `the store applied ${what} that this run does not include; its revocations would be deleted`,
      'pass that CA\'s CRL (every partition) too; pass --allow-mass-delete only to drop that CRL from the store on purpose (its mark is removed)') };
  }
  for (const m of marks) {
    const key = crlMarkKey(m.scopeId);
    const raw = store.get(key);
    const value = formatMark(m);
    if (raw === value) continue;
    const stored = raw === undefined ? undefined : parseMark(raw);
    if (raw !== undefined && !stored && !allowOlder) {
      return { puts, deletes, refusal: new UserError(key, `the store's high-water mark for "${m.issuer}" is unreadable (${JSON.stringify(raw.slice(0, 80))})`,
        'find out who wrote it; pass --allow-older-crl to replace it with this CRL\'s mark') };
    }
    if (stored && isOlder(m, stored) && !allowOlder) {
      const had = `${stored.crlNumber ? `CRL number ${stored.crlNumber}, ` : ''}thisUpdate ${stored.thisUpdate}`;
      const got = `${m.crlNumber ? `CRL number ${m.crlNumber}, ` : ''}thisUpdate ${m.thisUpdate}`;
      return { puts, deletes, refusal: new UserError(m.where, `older CRL refused: the store already holds a newer CRL of "${m.issuer}" (${had}); this one has ${got}`,
        'fetch the current CRL from the CA; pass --allow-older-crl only to roll back on purpose') };
    }
    if (!m.checkOnly) puts.push({ key, value });
  }
  return { puts, deletes };
}
