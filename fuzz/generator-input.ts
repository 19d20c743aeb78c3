import type { Suite } from '../runtime/suite';
import { conditionAttributes, conditionSans } from './declared-properties';
import { parseName, renderName, type NameAttribute } from './distinguished-name-text';
import type { GeneratorInput } from './connection-arbitrary';

/** Names drawn from when a suite names none: the documented example certificate's. */
const DEFAULT_SUBJECT: NameAttribute[] = [{ type: 'C', value: 'US' }, { type: 'O', value: 'Example Corp' }, { type: 'CN', value: 'client.example.com' }];
const DEFAULT_ISSUER: NameAttribute[] = [{ type: 'C', value: 'US' }, { type: 'O', value: 'Example Corp' }, { type: 'CN', value: 'Example Corp Intermediate CA' }];

interface Leaf { subject?: unknown; issuer?: unknown; san?: unknown }
function leafOf(c: Record<string, unknown>): Leaf | undefined {
  return (c.clientCertificate as { certificates?: { leaf?: Leaf } } | undefined)?.certificates?.leaf;
}

/** A known name with one attribute set to `attr` (replacing the first of its type, or added at the end). */
function withAttribute(base: NameAttribute[], attr: NameAttribute): NameAttribute[] {
  const i = base.findIndex((a) => a.type.toUpperCase() === attr.type.toUpperCase());
  return i >= 0 ? base.map((a, j) => (j === i ? attr : a)) : [...base, attr];
}

function unique(names: NameAttribute[][]): NameAttribute[][] {
  const seen = new Set<string>();
  return names.filter((n) => {
    const key = renderName(n.map((a) => [a]));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * What the generators start from, taken from the suite: the subjects and issuers its cases use and the attribute
 * values its properties name (those first: they are what a property is about), and the SAN entries of both.
 */
export function generatorInput(suite: Suite | undefined, revoked: string[], now: Date): GeneratorInput {
  const leaves = (suite?.cases ?? []).map((c) => leafOf(c.baseConnection)).filter((l): l is Leaf => l !== undefined);
  const names = (key: 'subject' | 'issuer', fallback: NameAttribute[]): NameAttribute[][] => {
    const fromCases = leaves.map((l) => (typeof l[key] === 'string' ? parseName(l[key] as string) : undefined))
      .filter((n): n is NameAttribute[] => n !== undefined && n.length > 0);
    const base = fromCases[0] ?? fallback;
    const fromProperties = (suite?.properties ?? []).flatMap((p) => conditionAttributes(p.when, key)).map((a) => withAttribute(base, a));
    return unique([...fromProperties, ...fromCases, ...(fromCases.length ? [] : [fallback])]);
  };
  const sanEntries = [...new Set([
    ...(suite?.properties ?? []).flatMap((p) => conditionSans(p.when)),
    ...leaves.flatMap((l) => (typeof l.san === 'string' && l.san ? l.san.split(',') : [])),
  ])];
  return { revoked, subjects: names('subject', DEFAULT_SUBJECT), issuers: names('issuer', DEFAULT_ISSUER), sanEntries, now };
}
