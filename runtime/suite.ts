import Ajv, { type ErrorObject } from 'ajv';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UserError } from '../diagnostics/user-error';
import { buildConnectionObject, type ConnectionObjectOptions } from './payload';
import { buildRevocationStatus, checkOcspOutcome, type OcspOutcome } from './ocsp-outcome';
import { canonicalSerial } from '../revocation/canonical-serial';
import { readRegularFile } from '../revocation/source-file';
import { isSerialSpelling, SERIAL_SPELLINGS, spellSerial, type SerialSpelling } from './serial-spelling';
import { jsonSyntaxProblem } from '../diagnostics/json-syntax';

/** The JSON Schema every suite file is validated against. */
const SUITE_SCHEMA_FILE = [path.join(__dirname, '..', 'functions', 'suite.schema.json'), path.join(__dirname, '..', '..', 'functions', 'suite.schema.json')]
  .find((f) => fs.existsSync(f)) ?? path.join(__dirname, '..', 'functions', 'suite.schema.json'); // sources or dist/

/** One case of a suite. */
export interface SuiteCase {
  name: string;
  expect: { decision: 'allow' | 'deny'; logs?: string[]; maxComputeUtilization?: number };
  /** false for cases that need local-only store contents or a simulated store failure. */
  remote: boolean;
  /** Part of the LIVE-verification smoke subset. */
  smoke: boolean;
  /** The connection object before placeholders and overrides (from the inline object or the certificate). */
  baseConnection: Record<string, unknown>;
  /** Absolute path of the certificate the connection was built from, if any. */
  certificateFile?: string;
  /** Replaces the leaf serialNumber (placeholders allowed). */
  serialNumber?: string;
  withoutCertificate: boolean;
  /** The OCSP outcome CloudFront reports (trust store with OCSP on); fills clientCertificate.revocationStatus. */
  ocsp?: OcspOutcome;
  /** KeyValueStore contents for local runs. */
  store: Record<string, string>;
  /** Every store read fails in local runs. */
  storeFailure: boolean;
  /** Frozen Date for local runs (case value, else the suite's, else the time of the run). */
  now?: Date;
}

/** A condition on a generated connection, as a suite's `properties` declare it (docs/fuzz.md). */
export interface PropertyCondition {
  certificate?: boolean;
  subject?: Record<string, string | string[]>;
  issuer?: Record<string, string | string[]>;
  revoked?: boolean;
  ocsp?: string | string[];
  clientIp?: 'ipv4' | 'ipv6';
  valid?: boolean;
  san?: string;
  not?: PropertyCondition;
  anyOf?: PropertyCondition[];
}

/** A property `conngate fuzz` checks: whenever `when` holds, the function decides `expect`. */
export interface SuiteProperty {
  name: string;
  description?: string;
  when: PropertyCondition;
  expect: 'allow' | 'deny';
}

/** A validated suite file. */
export interface Suite {
  file: string;
  functionFile: string;
  /** SHA-256 (hex) of the suite file's bytes. */
  sha256: string;
  cases: SuiteCase[];
  /** The suite's frozen Date, when it sets one. */
  now?: Date;
  /** Properties for `conngate fuzz` (none when the suite declares none). */
  properties: SuiteProperty[];
}

interface RawCase {
  name: string; connection?: Record<string, unknown>; certificate?: string; connectionOptions?: ConnectionObjectOptions;
  chain?: string; ocsp?: OcspOutcome;
  serialNumber?: string; withoutCertificate?: boolean; store?: Record<string, string>; storeFailure?: boolean;
  now?: string; remote?: boolean; smoke?: boolean;
  expect: SuiteCase['expect'];
}
interface RawSuite { function?: string; now?: string; cases: RawCase[]; properties?: SuiteProperty[] }

let validator: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null } | undefined;
function validate(data: unknown): ErrorObject[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, validateFormats: false });
    validator = ajv.compile(JSON.parse(fs.readFileSync(SUITE_SCHEMA_FILE, 'utf8')) as object);
  }
  return validator(data) ? [] : (validator.errors ?? []);
}

function describeError(e: ErrorObject): string {
  const at = e.instancePath || '(top level)';
  if (e.keyword === 'additionalProperties') return `${at}: unknown property "${String((e.params as { additionalProperty: string }).additionalProperty)}"`;
  if (e.keyword === 'oneOf' && /^\/cases\/\d+$/.test(e.instancePath)) return `${at}: needs exactly one of "connection" or "certificate"`;
  if (e.keyword === 'enum') return `${at}: must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
  return `${at}: ${e.message ?? e.keyword}`;
}

/** `${canarySerial}` or `${canarySerial:<spelling>}`. */
const CANARY_PLACEHOLDER = /\$\{canarySerial(?::([^}]*))?\}/g;

function parseDate(value: string | undefined, where: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new UserError(where, `"${value}" is not an ISO 8601 date-time`, 'write it like 2026-01-31T12:00:00Z');
  return d;
}

/** functions/x.js -> functions/x.suite.json (or .suite.yaml / .suite.yml), if such a file exists. */
export function findSuiteFor(functionFile: string): string | undefined {
  const base = functionFile.replace(/\.(c|m)?js$/, '');
  for (const ext of ['.suite.json', '.suite.yaml', '.suite.yml']) {
    if (fs.existsSync(base + ext)) return base + ext;
  }
  return undefined;
}

/**
 * Loads and validates a suite (JSON or YAML) against functions/suite.schema.json, resolves certificates relative
 * to the suite and builds their connection objects. Throws UserError (file, what, fix) for anything wrong.
 */
export function loadSuite(file: string): Suite {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(file);
  } catch {
    throw new UserError(file, 'suite file cannot be read', 'check the path (suites live next to their function: functions/<name>.suite.json)');
  }
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(file) ? parseYaml(bytes.toString('utf8')) : JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    const yaml = /\.ya?ml$/i.test(file);
    throw new UserError(file, `is not valid ${yaml ? 'YAML' : 'JSON'}: ${yaml ? (err as Error).message.split('\n')[0] : `at ${jsonSyntaxProblem(bytes.toString('utf8'), err)}`}`, 'fix the syntax');
  }
  const errors = validate(raw);
  if (errors.length > 0) {
    throw new UserError(file, `does not match the suite schema: ${errors.slice(0, 3).map(describeError).join('; ')}`,
      `see ${path.relative(process.cwd(), SUITE_SCHEMA_FILE)}`);
  }
  const suite = raw as RawSuite;
  const dir = path.dirname(file);
  const functionFile = suite.function ? path.resolve(dir, suite.function)
    : path.resolve(file.replace(/\.suite\.(json|ya?ml)$/i, '.js'));
  const suiteNow = parseDate(suite.now, `${file}: now`);
  const names = new Set<string>();
  const cases = suite.cases.map((c, i): SuiteCase => {
    const where = `${file}: case "${c.name}"`;
    if (names.has(c.name)) throw new UserError(where, `duplicate case name (case ${i + 1})`, 'give every case its own name');
    names.add(c.name);
    // A misspelt spelling would otherwise run the case with some other form of the serial and still pass.
    for (const m of JSON.stringify([c.connection, c.connectionOptions, c.serialNumber]).matchAll(CANARY_PLACEHOLDER)) {
      if (m[1] !== undefined && !isSerialSpelling(m[1])) {
        throw new UserError(where, `unknown serial spelling "${m[1]}" in \${canarySerial:${m[1]}}`, `use one of ${SERIAL_SPELLINGS.join(', ')}`);
      }
    }
    const localOnly = c.store !== undefined || c.storeFailure === true;
    if (localOnly && c.remote === true) {
      throw new UserError(where, 'remote is true but the case needs local store contents or a simulated store failure',
        'set "remote": false (remote runs use the stage\'s real store)');
    }
    if (c.ocsp) checkOcspOutcome(c.ocsp, `${where}: ocsp`);
    if (c.ocsp && c.withoutCertificate) {
      throw new UserError(where, 'ocsp needs a certificate but withoutCertificate removes it', 'keep one of the two');
    }
    if (c.chain !== undefined && c.certificate === undefined) {
      throw new UserError(where, 'chain needs certificate (the intermediates are checked against the leaf)', 'add "certificate", or write intermediates into the inline connection');
    }
    let chain: Buffer | undefined;
    if (c.chain !== undefined) {
      try {
        chain = readRegularFile(path.resolve(dir, c.chain));
      } catch {
        throw new UserError(`${where}: chain ${c.chain}`, 'cannot be read', 'check the path (relative to the suite file)');
      }
    }
    let baseConnection: Record<string, unknown>;
    let certificateFile: string | undefined;
    if (c.certificate !== undefined) {
      certificateFile = path.resolve(dir, c.certificate);
      let cert: Buffer;
      try {
        cert = readRegularFile(certificateFile);
      } catch {
        throw new UserError(`${where}: certificate ${c.certificate}`, 'cannot be read', 'check the path (relative to the suite file)');
      }
      // revocationStatus is added per run (caseConnection), after a serial override; the certificate's own OCSP
      // URL is still checked here, since CloudFront does not run the function for a certificate without one.
      baseConnection = buildConnectionObject(cert, {
        ...c.connectionOptions, chain, source: `${where}: certificate ${c.certificate}`,
        ...(c.ocsp ? { ocsp: c.ocsp } : {}),
      }) as unknown as Record<string, unknown>;
      delete (baseConnection.clientCertificate as Record<string, unknown>).revocationStatus;
    } else {
      baseConnection = c.connection as Record<string, unknown>;
    }
    return {
      name: c.name,
      expect: c.expect,
      remote: c.remote ?? !localOnly,
      smoke: c.smoke ?? false,
      baseConnection,
      certificateFile,
      serialNumber: c.serialNumber,
      withoutCertificate: c.withoutCertificate ?? false,
      ...(c.ocsp ? { ocsp: c.ocsp } : {}),
      store: c.store ?? {},
      storeFailure: c.storeFailure ?? false,
      now: parseDate(c.now, `${where}: now`) ?? suiteNow,
    };
  });
  const properties = suite.properties ?? [];
  const propertyNames = new Set<string>();
  for (const p of properties) {
    if (propertyNames.has(p.name)) throw new UserError(`${file}: property "${p.name}"`, 'duplicate property name', 'give every property its own name');
    propertyNames.add(p.name);
  }
  return { file, functionFile, sha256: createHash('sha256').update(bytes).digest('hex'), cases, ...(suiteNow ? { now: suiteNow } : {}), properties };
}

/** Replaces `${canarySerial}` (colon form) and `${canarySerial:<spelling>}` in a string (spellings checked at load). */
function substitute(s: string, canonicalCanary: string): string {
  return s.replace(CANARY_PLACEHOLDER, (_m, spelling: string | undefined) => spellSerial(canonicalCanary, spelling as SerialSpelling | undefined));
}

function substituteDeep(v: unknown, canary: string): unknown {
  if (typeof v === 'string') return substitute(v, canary);
  if (Array.isArray(v)) return v.map((x) => substituteDeep(x, canary));
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, substituteDeep(x, canary)]));
  }
  return v;
}

/**
 * The connection object to send for a case (locally or through TestConnectionFunction): the base object with
 * `${canarySerial}` placeholders filled with the stage's canary, the serial override applied and, for
 * withoutCertificate, clientCertificate removed. Always a fresh object.
 */
export function caseConnection(c: SuiteCase, vars: { canarySerial: string }): object {
  const canary = canonicalSerial(vars.canarySerial);
  if (canary === undefined) throw new UserError('canarySerial', `"${vars.canarySerial}" is not a hex serial`, 'use hex digits, e.g. 0badc0de0badc0de');
  const conn = substituteDeep(c.baseConnection, canary) as Record<string, unknown>;
  if (c.serialNumber !== undefined) {
    const cc = conn.clientCertificate as { certificates?: { leaf?: Record<string, unknown> } } | undefined;
    if (cc?.certificates?.leaf) cc.certificates.leaf.serialNumber = substitute(c.serialNumber, canary);
  }
  if (c.withoutCertificate) delete conn.clientCertificate;
  if (c.ocsp) {
    const cc = conn.clientCertificate as { certificates?: { leaf?: { serialNumber?: string }; intermediates?: { serialNumber?: string }[] }; revocationStatus?: unknown } | undefined;
    if (!cc?.certificates?.leaf) {
      throw new UserError(`case "${c.name}"`, 'ocsp needs clientCertificate.certificates.leaf in the connection', 'add the leaf, or use "certificate"');
    }
    const serial = (x: { serialNumber?: string }) => ({ serialNumber: String(x.serialNumber ?? '') });
    cc.revocationStatus = buildRevocationStatus(c.ocsp, serial(cc.certificates.leaf), (cc.certificates.intermediates ?? []).map(serial));
  }
  return conn;
}
