/**
 * The part of Terraform's expression language a synthesized stage stack uses: attribute references of the form
 * `${<type>.<name>.<attr>}`, either as a whole string (the value keeps its type) or embedded in a longer string
 * (the value is converted to a string), plus the `$${` / `%%{` escapes. Every other interpolation (functions,
 * `var.`, `local.`, `data.`, `module.`, index expressions, `%{` directives) is reported as unsupported so the
 * caller can refuse it instead of writing a literal `${...}` into a resource.
 */

/** One `<type>.<name>.<attr>` reference. */
export interface AttributeReference {
  /** Resource address `<type>.<name>`. */
  address: string;
  type: string;
  name: string;
  attribute: string;
}

/** A piece of a string value: literal text or a reference. */
type Part = { literal: string } | { ref: AttributeReference; expression: string };

/** Thrown for an interpolation this subset does not evaluate; `expression` is the text between `${` and `}`. */
export class UnsupportedExpressionError extends Error {
  constructor(readonly expression: string, readonly reason: string) {
    super(`${reason}: "${expression}"`);
    this.name = 'UnsupportedExpressionError';
  }
}

const REFERENCE = /^\s*([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)\.([a-z_][a-z0-9_]*)\s*$/;
const NOT_RESOURCE_ROOTS = new Set(['var', 'local', 'data', 'module', 'path', 'terraform', 'each', 'count', 'self']);

/** Splits a string into literal parts and references; throws UnsupportedExpressionError on anything else. */
export function parseTemplate(s: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('$${', i)) { literal += '${'; i += 3; continue; }
    if (s.startsWith('%%{', i)) { literal += '%{'; i += 3; continue; }
    if (s.startsWith('%{', i)) {
      const end = s.indexOf('}', i);
      throw new UnsupportedExpressionError(s.slice(i + 2, end < 0 ? undefined : end), 'template directives (%{...}) are not supported');
    }
    if (s.startsWith('${', i)) {
      const end = s.indexOf('}', i + 2);
      const expression = s.slice(i + 2, end < 0 ? undefined : end);
      if (end < 0) throw new UnsupportedExpressionError(expression, 'unterminated interpolation');
      if (literal) { parts.push({ literal }); literal = ''; }
      parts.push({ ref: parseReference(expression), expression });
      i = end + 1;
      continue;
    }
    literal += s[i];
    i += 1;
  }
  if (literal || parts.length === 0) parts.push({ literal });
  return parts;
}

function parseReference(expression: string): AttributeReference {
  const root = /^\s*([a-z_]+)\./.exec(expression)?.[1];
  if (root && NOT_RESOURCE_ROOTS.has(root)) {
    throw new UnsupportedExpressionError(expression, `"${root}." references are not supported (only resource attributes)`);
  }
  const m = REFERENCE.exec(expression);
  if (!m || expression.includes('{')) {
    throw new UnsupportedExpressionError(expression, 'only resource attribute references ${<type>.<name>.<attribute>} are supported');
  }
  const [, type, name, attribute] = m;
  return { address: `${type}.${name}`, type, name, attribute };
}

/** Every reference inside a JSON value (strings at any depth), in document order. */
export function collectReferences(value: unknown): AttributeReference[] {
  const out: AttributeReference[] = [];
  walkStrings(value, (s) => {
    for (const p of parseTemplate(s)) if ('ref' in p) out.push(p.ref);
  });
  return out;
}

/** The value with every reference replaced by `lookup(ref)`; a whole-string reference keeps the looked-up type. */
export function resolveValue(value: unknown, lookup: (ref: AttributeReference) => unknown): unknown {
  if (typeof value === 'string') {
    const parts = parseTemplate(value);
    if (parts.length === 1 && 'ref' in parts[0]) return lookup(parts[0].ref);
    return parts.map((p) => ('ref' in p ? String(lookup(p.ref)) : p.literal)).join('');
  }
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, lookup));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, lookup)]));
  }
  return value;
}

function walkStrings(value: unknown, visit: (s: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) value.forEach((v) => walkStrings(v, visit));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => walkStrings(v, visit));
}
