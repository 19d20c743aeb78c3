import { isIPv4, isIPv6 } from 'node:net';
import { canonicalSerial } from '../revocation/canonical-serial';
import type { PropertyCondition } from '../runtime/suite';
import { parseName, type NameAttribute } from './distinguished-name-text';

/** What a condition is judged against besides the connection. */
export interface ConditionContext {
  /** Canonical revoked serials. */
  revoked: ReadonlySet<string>;
  now: Date;
}

interface Leaf { subject?: unknown; issuer?: unknown; serialNumber?: unknown; validity?: { notBefore?: unknown; notAfter?: unknown }; san?: unknown }

function leafOf(connection: Record<string, unknown>): Leaf | undefined {
  const cc = connection.clientCertificate as { certificates?: { leaf?: unknown } } | undefined;
  const leaf = cc?.certificates?.leaf;
  return leaf !== null && typeof leaf === 'object' ? leaf as Leaf : undefined;
}

/** Whether the leaf's serial (any spelling) is in the revoked set. */
export function leafRevoked(connection: Record<string, unknown>, revoked: ReadonlySet<string>): boolean {
  const serial = leafOf(connection)?.serialNumber;
  const canonical = typeof serial === 'string' ? canonicalSerial(serial) : undefined;
  return canonical !== undefined && revoked.has(canonical);
}

/** Each attribute type must occur exactly once, with one of the given values, compared exactly (no case folding). */
function nameMatches(text: unknown, want: Record<string, string | string[]>): boolean {
  const attrs = typeof text === 'string' ? parseName(text) : undefined;
  if (!attrs) return false;
  return Object.entries(want).every(([type, values]) => {
    const found = attrs.filter((a) => a.type === type.toUpperCase());
    return found.length === 1 && (Array.isArray(values) ? values : [values]).includes(found[0].value);
  });
}

function ocspStatus(connection: Record<string, unknown>): string {
  const cc = connection.clientCertificate as { revocationStatus?: { certificates?: { leaf?: { status?: unknown } } } } | undefined;
  const status = cc?.revocationStatus?.certificates?.leaf?.status;
  return typeof status === 'string' ? status : 'none';
}

/** Whether `when` holds for a connection (docs/fuzz.md gives each key's meaning). */
export function conditionHolds(when: PropertyCondition, connection: Record<string, unknown>, ctx: ConditionContext): boolean {
  const leaf = leafOf(connection);
  if (when.certificate !== undefined && when.certificate !== (leaf !== undefined)) return false;
  if (when.subject && !(leaf && nameMatches(leaf.subject, when.subject))) return false;
  if (when.issuer && !(leaf && nameMatches(leaf.issuer, when.issuer))) return false;
  if (when.revoked !== undefined && when.revoked !== leafRevoked(connection, ctx.revoked)) return false;
  if (when.ocsp !== undefined && !(Array.isArray(when.ocsp) ? when.ocsp : [when.ocsp]).includes(ocspStatus(connection))) return false;
  if (when.clientIp !== undefined) {
    const ip = typeof connection.clientIp === 'string' ? connection.clientIp : '';
    if (!(when.clientIp === 'ipv4' ? isIPv4(ip) : isIPv6(ip))) return false;
  }
  if (when.valid !== undefined) {
    const from = Date.parse(String(leaf?.validity?.notBefore ?? ''));
    const to = Date.parse(String(leaf?.validity?.notAfter ?? ''));
    const t = ctx.now.getTime();
    if (when.valid !== (from <= t && t <= to)) return false;
  }
  if (when.san !== undefined && !(typeof leaf?.san === 'string' && leaf.san.split(',').includes(when.san))) return false;
  if (when.not && conditionHolds(when.not, connection, ctx)) return false;
  if (when.anyOf && !when.anyOf.some((c) => conditionHolds(c, connection, ctx))) return false;
  return true;
}

/** Every attribute a condition names for `key` (subject or issuer), in the order written. */
export function conditionAttributes(when: PropertyCondition, key: 'subject' | 'issuer'): NameAttribute[] {
  const own = Object.entries(when[key] ?? {}).flatMap(([type, v]) => (Array.isArray(v) ? v : [v]).map((value) => ({ type: type.toUpperCase(), value })));
  return [...own, ...(when.not ? conditionAttributes(when.not, key) : []), ...(when.anyOf ?? []).flatMap((c) => conditionAttributes(c, key))];
}

/** Every SAN entry a condition names. */
export function conditionSans(when: PropertyCondition): string[] {
  return [...(when.san ? [when.san] : []), ...(when.not ? conditionSans(when.not) : []), ...(when.anyOf ?? []).flatMap(conditionSans)];
}
