/**
 * The KeyValueStore import JSON of the AWS docs (`{"data":[{"key":..,"value":..}]}`): read as a revocation
 * source, and written by `conngate revocations export --format kvs-import` to seed a new store from S3.
 */
import { UserError } from '../diagnostics/user-error';
import { canonicalSerial } from './canonical-serial';
import { RevokedSet } from './revoked-set';
import { readSourceFile } from './source-file';
import { printable } from '../diagnostics/untrusted-text';

/** Parses import JSON; every key must be a serial (it is canonicalised), every value a non-empty string. */
export function parseKvsImport(text: string, where: string): RevokedSet {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError(where, `not valid JSON (${(e as Error).message})`, 'pass a KeyValueStore import file: {"data":[{"key":"..","value":".."}]}');
  }
  const data = (doc as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) {
    throw new UserError(where, 'no "data" array', 'pass a KeyValueStore import file: {"data":[{"key":"..","value":".."}]}');
  }
  const entries = new Map<string, string>();
  data.forEach((item: unknown, i: number) => {
    const at = `${where} data[${i}]`;
    const { key, value } = (item ?? {}) as { key?: unknown; value?: unknown };
    if (typeof key !== 'string' || typeof value !== 'string' || value === '') {
      throw new UserError(at, 'each item needs a string "key" and a non-empty string "value"', 'fix that item');
    }
    const canonical = canonicalSerial(key);
    if (!canonical) throw new UserError(at, `key "${printable(key.slice(0, 60))}" is not a certificate serial`, 'use hex serials as keys');
    entries.set(canonical, value);
  });
  return { entries, inputs: [`${where} (KeyValueStore import JSON, ${entries.size} keys)`] };
}

/** Reads and parses an import JSON file. */
export function readKvsImportFile(file: string): RevokedSet {
  return parseKvsImport(readSourceFile(file, 'import JSON', '--kvs-json').toString('utf8'), file);
}

/** Formats entries as import JSON, keys sorted so the file is reproducible. */
export function formatKvsImport(entries: Map<string, string>): string {
  const data = [...entries.keys()].sort().map((key) => ({ key, value: entries.get(key)! }));
  return `${JSON.stringify({ data }, null, 1)}\n`;
}
