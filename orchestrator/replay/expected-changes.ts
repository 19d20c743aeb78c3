/**
 * The expected-changes file: decision changes a candidate is meant to make (a newly revoked serial, a CA being
 * retired), which a replay allows instead of counting them against `maxChangedDecisions`. Format (docs/replay.md):
 *
 *   { "format": "conngate-replay-expected/1",
 *     "changes": [ { "serial": "00:b1:43", "live": "allow", "candidate": "deny", "why": "revoked 2026-12-01" } ] }
 *
 * An entry matches a changed connection when its `live` and `candidate` decisions are the connection's and every
 * selector it gives (`serial`, `issuer`, `subject`; at least one) equals the connection's: serials in any spelling
 * (compared in canonical form), DNs exactly as the log writes them.
 */
import Ajv from 'ajv';
import { UserError } from '../../diagnostics/user-error';
import { jsonSyntaxProblem } from '../../diagnostics/json-syntax';
import { printable } from '../../diagnostics/untrusted-text';
import { canonicalSerial } from '../../revocation/canonical-serial';
import { readRegularFile } from '../../revocation/source-file';
import type { ReplayDecision } from './replay-report';

export const EXPECTED_CHANGES_FORMAT = 'conngate-replay-expected/1';

/** Entries one file may hold: a list that long is no longer a list of expected changes. */
export const MAX_EXPECTED_CHANGES = 10_000;

export interface ExpectedChange {
  serial?: string;
  issuer?: string;
  subject?: string;
  live: ReplayDecision;
  candidate: ReplayDecision;
  why?: string;
}

const decision = { enum: ['allow', 'deny', 'error'] } as const;
const text = { type: 'string', minLength: 1, maxLength: 4096 } as const;

export const EXPECTED_CHANGES_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['format', 'changes'],
  properties: {
    $schema: { type: 'string' },
    format: { const: EXPECTED_CHANGES_FORMAT },
    changes: {
      type: 'array',
      maxItems: MAX_EXPECTED_CHANGES,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['live', 'candidate'],
        anyOf: [{ required: ['serial'] }, { required: ['issuer'] }, { required: ['subject'] }],
        properties: { serial: text, issuer: text, subject: text, live: decision, candidate: decision, why: { type: 'string', maxLength: 4096 } },
      },
    },
  },
} as const;

let validator: ReturnType<Ajv['compile']> | undefined;

/** Reads and checks an expected-changes file; bad input is a one-line UserError naming the entry and field. */
export function loadExpectedChanges(file: string): ExpectedChange[] {
  let raw: string;
  try {
    raw = readRegularFile(file).toString('utf8');
  } catch {
    throw new UserError(file, 'expected-changes file cannot be read', 'pass the path of a JSON file (format in docs/replay.md)');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (e) {
    throw new UserError(file, `not valid JSON at ${jsonSyntaxProblem(raw, e)}`, 'fix the JSON syntax there');
  }
  return checkExpectedChanges(doc, file);
}

/** Checks a parsed expected-changes document against its schema and returns its entries. */
export function checkExpectedChanges(doc: unknown, where: string): ExpectedChange[] {
  validator ??= new Ajv({ allErrors: false, strict: false }).compile(EXPECTED_CHANGES_SCHEMA);
  if (!validator(doc)) {
    // An entry without a selector fails each branch of anyOf first; the anyOf error says what is wrong.
    const err = validator.errors?.find((e) => e.keyword === 'anyOf') ?? validator.errors?.[0];
    const at = err?.instancePath ? `${where} ${err.instancePath.slice(1).replace(/\//g, '.')}` : where;
    const p = (err?.params ?? {}) as Record<string, unknown>;
    const what = err?.keyword === 'additionalProperties' ? `unknown field "${printable(String(p.additionalProperty))}"`
      : err?.keyword === 'const' ? `must be "${EXPECTED_CHANGES_FORMAT}"`
        : err?.keyword === 'anyOf' ? 'names no connection: give serial, issuer or subject'
          : err?.keyword === 'enum' ? 'must be "allow", "deny" or "error"'
            : printable(err?.message ?? 'is not an expected-changes document');
    throw new UserError(at, what, 'see the expected-changes format in docs/replay.md');
  }
  const changes = (doc as { changes: ExpectedChange[] }).changes;
  changes.forEach((c, i) => {
    if (c.serial !== undefined && canonicalSerial(c.serial) === undefined) {
      throw new UserError(`${where} changes.${i}.serial`, `"${printable(c.serial)}" is not a serial number`, 'write it in hex, e.g. 00:b1:43:ed or B143ED');
    }
  });
  return changes;
}

/** A changed connection as the matcher sees it. */
export interface ChangedConnection { serial?: string; issuer?: string; subject?: string; live: ReplayDecision; candidate: ReplayDecision }

/** Whether some entry of `expected` allows this change. */
export function isExpectedChange(expected: readonly ExpectedChange[], c: ChangedConnection): boolean {
  return expected.some((e) => e.live === c.live && e.candidate === c.candidate
    && (e.serial === undefined || (c.serial !== undefined && canonicalSerial(e.serial) === canonicalSerial(c.serial)))
    && (e.issuer === undefined || e.issuer === c.issuer)
    && (e.subject === undefined || e.subject === c.subject));
}
