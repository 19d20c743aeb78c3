/**
 * The arguments the local applier understands for each resource type, and the check that a synthesized resource
 * uses nothing else. Terraform JSON writes a nested block either as an object or as a list of objects (cdktf does
 * both); normalizing gives one shape: an object (or undefined) for a single block, an array for a list block.
 */

/** A scalar argument, a list/map of strings, or a nested block. */
export type AttributeSpec = 'string' | 'bool' | 'number' | 'string-list' | 'string-map' | BlockSpec;

export interface BlockSpec {
  block: Record<string, AttributeSpec>;
  /** The block may repeat (e.g. `origin`); normalized to an array. */
  list?: boolean;
  /** Arguments the block must set. */
  required?: string[];
}

/** An argument path (`default_cache_behavior.allowed_methods`) and what is wrong with it. */
export class SchemaError extends Error {
  constructor(readonly path: string, readonly problem: string) {
    super(`${path}: ${problem}`);
    this.name = 'SchemaError';
  }
}

/** True for a string holding an interpolation, which stands for a value of any type until it is resolved. */
function isReference(v: unknown): boolean {
  return typeof v === 'string' && v.includes('${');
}

/** Checks `raw` against `spec` and returns it normalized; throws SchemaError naming the first offending argument. */
export function normalizeConfig(spec: BlockSpec, raw: unknown, path = ''): Record<string, unknown> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new SchemaError(path || '(resource)', 'must be an object');
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key === '//') continue; // cdktf metadata (construct path), not an argument
    const at = path ? `${path}.${key}` : key;
    const s = spec.block[key];
    if (!s) {
      throw new SchemaError(at, `argument not supported by the local applier (supported here: ${Object.keys(spec.block).sort().join(', ')})`);
    }
    if (value === null || value === undefined) continue;
    out[key] = normalizeValue(s, value, at);
  }
  for (const r of spec.required ?? []) {
    if (out[r] === undefined) throw new SchemaError(path ? `${path}.${r}` : r, 'required argument is missing');
  }
  return out;
}

function normalizeValue(s: AttributeSpec, value: unknown, at: string): unknown {
  if (typeof s === 'object') {
    const items = Array.isArray(value) ? value : [value];
    if (!s.list) {
      if (items.length === 0) return undefined;
      if (items.length > 1) throw new SchemaError(at, `block may appear once, got ${items.length}`);
      return normalizeConfig(s, items[0], at);
    }
    return items.map((item, i) => normalizeConfig(s, item, `${at}[${i}]`));
  }
  if (isReference(value)) return value;
  switch (s) {
    case 'string':
      if (typeof value !== 'string') throw new SchemaError(at, `must be a string, got ${JSON.stringify(value)}`);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw new SchemaError(at, `must be true or false, got ${JSON.stringify(value)}`);
      return value;
    case 'number':
      if (typeof value !== 'number') throw new SchemaError(at, `must be a number, got ${JSON.stringify(value)}`);
      return value;
    case 'string-list':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
        throw new SchemaError(at, `must be a list of strings, got ${JSON.stringify(value)}`);
      }
      return value;
    case 'string-map':
      if (!value || typeof value !== 'object' || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
        throw new SchemaError(at, `must be a map of strings, got ${JSON.stringify(value)}`);
      }
      return value;
  }
}
