import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { ErrorObject } from 'ajv';
import { UserError } from '../diagnostics/user-error';
import { checkCaBundleRotates } from '../modules/ca-bundle-rotation';
import { RESERVED_TAG_PREFIX } from '../modules/reserved-tags';
import { canonicalSerial, DEFAULT_CANARY_SERIAL } from '../revocation/canonical-serial';
import { STAGE_CONFIG_FILE_SCHEMA } from './stage-config-schema';
import type { PromotionPolicy, StageNotify } from './stage-workflow-config';
import { jsonSyntaxProblem } from '../diagnostics/json-syntax';

/** Name of the optional per-project configuration file, read from the working directory. */
export const STAGE_CONFIG_FILE = 'conngate.config.json';


/** The stages, in promotion order, when there is no config file. */
export const DEFAULT_STAGE_NAMES = ['dev', 'staging', 'prod'] as const;

/** Where a stage keeps its Terraform state. */
export type StageBackend =
  /** A local state file (absolute path once loaded). */
  | { type: 'local'; path: string }
  /** An S3 bucket with Terraform's native S3 lock file (`use_lockfile`). */
  | { type: 's3'; bucket: string; key: string; region: string; encrypt: boolean }
  /** A Terraform Cloud / Enterprise workspace. */
  | { type: 'cloud'; organization: string; workspace: string; hostname: string };

/**
 * Client-certificate trust store: created from a PEM bundle in S3 (with CloudFront's OCSP checks when `ocsp`), an
 * existing one by id, or none (passthrough mode). `placeholder` marks the built-in default location, used when the
 * config names no bundle: it has no version, so it is for the emulator and demos, never a real deploy.
 */
export type StageTrustStore =
  | { type: 's3'; name: string; bucket: string; key: string; region: string; version?: string; ocsp: boolean; placeholder?: boolean }
  | { type: 'existing'; trustStoreId: string }
  | { type: 'none' };

/** Viewer mTLS settings of a stage's distribution. */
export interface StageMtlsConfig {
  mode: 'required' | 'optional' | 'passthrough';
  trustStore: StageTrustStore;
  ignoreCertificateExpiry: boolean;
  advertiseTrustStoreCaNames: boolean;
}

/** One stage, fully resolved (every default applied, paths absolute). */
export interface StageConfig {
  /** Stage name = stack id (`cdktf deploy <name>`). */
  name: string;
  /** Prefix of every AWS resource name in the stage. */
  namePrefix: string;
  /** AWS region of the provider (CloudFront itself is global). */
  region: string;
  /** Tags on every taggable resource (merged into the provider's default_tags). */
  tags: Record<string, string>;
  backend: StageBackend;
  /** The stage whose LIVE candidate this stage may receive; none for the first stage. */
  promotesFrom?: string;
  /** Connection-function source, absolute. */
  functionFile: string;
  /** Case suite of the function, absolute; when absent the orchestrator looks next to functionFile. */
  suiteFile?: string;
  /** Canonical canary serial kept in the stage's store. */
  canarySerial: string;
  /** CA certificates (absolute paths) the stage's CRLs must verify against when `--ca` is not given. */
  crlCaFiles?: string[];
  /** CA keys (SHA-256 of the SubjectPublicKeyInfo, lowercase hex) retired after a re-key: their CRL marks become tombstones */
  retiredCrlCaKeys?: string[];
  /** CRL downloads may reach loopback, link-local, private and unique-local addresses (an internal PKI) */
  allowPrivateCrlHosts?: boolean;
  /** a CRL's fetched URL -> the URI its issuingDistributionPoint names (a mirror, or s3:// for an http CDP) */
  crlIdpAliases?: Record<string, string>;
  mtls: StageMtlsConfig;
  /** The HTTPS origin behind the distribution. */
  origin: { domainName: string; originPath?: string };
  /** Alternate domain names (need acmCertificateArn). */
  aliases?: string[];
  /** ACM certificate (us-east-1) for the aliases. */
  acmCertificateArn?: string;
  promotion?: PromotionPolicy;
  notify?: StageNotify;
  /** Set when someone else manages the distribution: the stack declares none; `id` is the one verify checks. */
  externalDistribution?: { id?: string };
  /** The stage's AWS credentials when not the ambient ones: a named profile and/or a role to assume. */
  aws?: StageAwsAccess;
  /** Deploy and promote replay these connection logs first and refuse a candidate that changes too many decisions. */
  replay?: StageReplayConfig;
  /** `conngate fuzz` in deploy/promote/verify, before anything is published (docs/fuzz.md). */
  fuzz?: StageFuzzConfig;
}

/** The replay gate of a stage (docs/replay.md). */
export interface StageReplayConfig {
  /** A connection-log file or folder (absolute), or `s3://bucket/prefix`. */
  logs: string;
  /** Changed decisions beyond the expected ones a candidate may make. @default 0 */
  maxChangedDecisions: number;
  /** The expected-changes file (absolute): changes it lists are allowed. */
  expected?: string;
}

/** The fuzz step of a stage's pipeline. */
export interface StageFuzzConfig {
  /** Generated connections per run. @default DEFAULT_FUZZ_CASES (10000) */
  cases?: number;
  /** The properties checked (built-in and the suite's). @default all of them */
  properties?: string[];
  /** @default derived from the candidate's SHA-256, so the same candidate always meets the same cases */
  seed?: number;
}

/** How conngate reaches a stage's AWS account (both the stacks' provider and the orchestrator's clients). */
export interface StageAwsAccess {
  profile?: string;
  roleArn?: string;
  /** Region of the orchestrator's clients for this stage. */
  region?: string;
  /** A CloudFront-compatible endpoint standing in for this stage's account (an emulator per account); not for AWS. */
  endpoint?: string;
}

/** What conngate.config.json may say about one stage (all optional). */
interface StageFileEntry {
  namePrefix?: string;
  region?: string;
  tags?: Record<string, string>;
  backend?: { type: 'local'; path?: string }
    | { type: 's3'; bucket: string; key?: string; region?: string; encrypt?: boolean }
    | { type: 'cloud'; organization: string; workspace?: string; hostname?: string };
  promotesFrom?: string | null;
  functionFile?: string;
  suiteFile?: string;
  canarySerial?: string;
  crlCaFiles?: string[];
  retiredCrlCaKeys?: string[];
  allowPrivateCrlHosts?: boolean;
  crlIdpAliases?: Record<string, string>;
  mtls?: {
    mode?: 'required' | 'optional' | 'passthrough';
    trustStore?: { caBundle?: { bucket: string; key: string; region?: string; version?: string }; trustStoreId?: string; name?: string; ocsp?: boolean };
    ignoreCertificateExpiry?: boolean;
    advertiseTrustStoreCaNames?: boolean;
  };
  origin?: { domainName: string; originPath?: string };
  aliases?: string[];
  acmCertificateArn?: string;
  promotion?: PromotionPolicy;
  notify?: StageNotify;
  distribution?: 'none' | { existingId: string };
  aws?: StageAwsAccess;
  replay?: { logs: string; maxChangedDecisions?: number; expected?: string };
  fuzz?: { cases?: number; properties?: string[]; seed?: number };
}

interface StageConfigFile {
  defaults?: StageFileEntry;
  stages?: Record<string, StageFileEntry>;
}

/**
 * The stage configs: conngate.config.json in `cwd` when present (validated; errors are one-line UserErrors naming
 * the field), otherwise the defaults dev -> staging -> prod. Relative paths resolve against `cwd`.
 */
export function loadStageConfigs(cwd: string = process.cwd()): StageConfig[] {
  const file = path.join(cwd, STAGE_CONFIG_FILE);
  if (!fs.existsSync(file)) return resolveStageConfigs({}, cwd, STAGE_CONFIG_FILE);
  let doc: unknown;
  const text = fs.readFileSync(file, 'utf8');
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError(STAGE_CONFIG_FILE, `not valid JSON at ${jsonSyntaxProblem(text, e)}`, 'fix the JSON syntax there');
  }
  return resolveStageConfigs(doc, cwd, STAGE_CONFIG_FILE);
}

/** The config of one stage by name; an unknown name is a UserError listing the known ones. */
export function findStageConfig(configs: StageConfig[], name: string): StageConfig {
  const found = configs.find((c) => c.name === name);
  if (!found) {
    throw new UserError(`stage "${name}"`, 'no such stage', `use one of: ${configs.map((c) => c.name).join(', ')} (or add it to ${STAGE_CONFIG_FILE})`);
  }
  return found;
}

/** Validates a parsed config document and applies the defaults; `where` names the file in errors. */
export function resolveStageConfigs(doc: unknown, cwd: string, where: string = STAGE_CONFIG_FILE): StageConfig[] {
  validateDocument(doc, where);
  const cfg = doc as StageConfigFile;
  const names = cfg.stages ? Object.keys(cfg.stages) : [...DEFAULT_STAGE_NAMES];
  const stages = names.map((name, i) =>
    resolveStage(name, i === 0 ? undefined : names[i - 1], cfg.defaults ?? {}, cfg.stages?.[name] ?? {}, cwd, where));
  checkPromotionChain(stages, where);
  return stages;
}

function resolveStage(name: string, previous: string | undefined, defaults: StageFileEntry, own: StageFileEntry, cwd: string, where: string): StageConfig {
  const pick = <K extends keyof StageFileEntry>(k: K): StageFileEntry[K] => (own[k] !== undefined ? own[k] : defaults[k]);
  const at = (field: string) => `${where} stages.${name}.${field}`;

  const namePrefix = pick('namePrefix') ?? `conngate-${name}`;
  const region = pick('region') ?? 'us-east-1';
  const tags = { project: 'conngate', stage: name, ...(defaults.tags ?? {}), ...(own.tags ?? {}) };
  for (const key of Object.keys(tags)) {
    if (key.startsWith(RESERVED_TAG_PREFIX)) {
      throw new UserError(at(`tags.${key}`), 'the "conngate:" tag prefix is reserved for evidence the orchestrator writes', 'rename the tag');
    }
  }

  const b = pick('backend') ?? { type: 'local' as const };
  let backend: StageBackend;
  if (b.type === 'local') {
    backend = { type: 'local', path: path.resolve(cwd, b.path ?? `terraform.${name}.tfstate`) };
  } else if (b.type === 's3') {
    backend = { type: 's3', bucket: b.bucket, key: b.key ?? `conngate/${name}/terraform.tfstate`, region: b.region ?? region, encrypt: b.encrypt ?? true };
  } else {
    backend = { type: 'cloud', organization: b.organization, workspace: b.workspace ?? `conngate-${name}`, hostname: b.hostname ?? 'app.terraform.io' };
  }

  const promotesRaw = pick('promotesFrom');
  const promotesFrom = promotesRaw === null ? undefined : promotesRaw ?? previous;

  const canaryRaw = pick('canarySerial') ?? DEFAULT_CANARY_SERIAL;
  const canarySerial = canonicalSerial(canaryRaw);
  if (canarySerial === undefined) {
    throw new UserError(at('canarySerial'), `"${canaryRaw}" is not a hex certificate serial`, 'use hex digits, e.g. "0b:ad:c0:de:0b:ad:c0:de" or "0badc0de0badc0de"');
  }

  const m = { ...(defaults.mtls ?? {}), ...(own.mtls ?? {}) };
  const ts = m.trustStore ?? {};
  if (ts.caBundle && ts.trustStoreId) {
    throw new UserError(at('mtls.trustStore'), 'both caBundle and trustStoreId are set', 'keep one: caBundle creates a trust store, trustStoreId uses an existing one');
  }
  const mode = m.mode ?? 'required';
  if (mode === 'passthrough') {
    // AWS: passthrough has no trust store; refusing here beats a CloudFront error half-way through an apply.
    for (const k of ['caBundle', 'trustStoreId', 'name', 'ocsp'] as const) {
      if (ts[k] !== undefined) {
        throw new UserError(at(`mtls.trustStore.${k}`), 'passthrough mode takes no trust store', 'remove mtls.trustStore, or use mode "required" or "optional"');
      }
    }
    for (const k of ['ignoreCertificateExpiry', 'advertiseTrustStoreCaNames'] as const) {
      if (m[k]) throw new UserError(at(`mtls.${k}`), 'passthrough mode has no trust store this setting could apply to', `remove mtls.${k}`);
    }
  }
  if (ts.trustStoreId && ts.ocsp !== undefined) {
    throw new UserError(at('mtls.trustStore.ocsp'), 'cannot set OCSP checking on an existing trust store by id',
      'turn UseClientCertificateOCSPEndpoint on where that trust store is managed, or use caBundle so this stage creates it');
  }
  if (ts.caBundle) checkCaBundleRotates(ts.caBundle, at('mtls.trustStore.caBundle.version'));
  const trustStore: StageTrustStore = mode === 'passthrough' ? { type: 'none' } : ts.trustStoreId
    ? { type: 'existing', trustStoreId: ts.trustStoreId }
    : {
      type: 's3',
      name: ts.name ?? `${namePrefix}-trust-store`,
      bucket: ts.caBundle?.bucket ?? `${namePrefix}-trust-store`,
      key: ts.caBundle?.key ?? 'ca-bundle.pem',
      region: ts.caBundle?.region ?? region,
      ...(ts.caBundle?.version ? { version: ts.caBundle.version } : {}),
      ocsp: ts.ocsp ?? false,
      ...(ts.caBundle ? {} : { placeholder: true }),
    };

  const aliases = pick('aliases');
  const acmCertificateArn = pick('acmCertificateArn');
  if (aliases && aliases.length > 0 && !acmCertificateArn) {
    throw new UserError(at('aliases'), 'aliases need a certificate', 'set acmCertificateArn to an ACM certificate in us-east-1 covering them');
  }
  const suiteFile = pick('suiteFile');

  return {
    name,
    namePrefix,
    region,
    tags,
    backend,
    ...(promotesFrom !== undefined ? { promotesFrom } : {}),
    functionFile: path.resolve(cwd, pick('functionFile') ?? 'functions/revocation-check.js'),
    ...(suiteFile ? { suiteFile: path.resolve(cwd, suiteFile) } : {}),
    canarySerial,
    ...(pick('crlCaFiles') ? { crlCaFiles: pick('crlCaFiles')!.map((f) => path.resolve(cwd, f)) } : {}),
    ...(pick('retiredCrlCaKeys')?.length ? { retiredCrlCaKeys: pick('retiredCrlCaKeys')!.map((k) => k.toLowerCase().replace(/^sha256:/, '')) } : {}),
    ...(pick('allowPrivateCrlHosts') ? { allowPrivateCrlHosts: true } : {}),
    ...(pick('crlIdpAliases') ? { crlIdpAliases: pick('crlIdpAliases') } : {}),
    ...(pick('replay') ? { replay: replayConfig(pick('replay')!, cwd) } : {}),
    mtls: {
      mode,
      trustStore,
      ignoreCertificateExpiry: m.ignoreCertificateExpiry ?? false,
      advertiseTrustStoreCaNames: m.advertiseTrustStoreCaNames ?? false,
    },
    origin: pick('origin') ?? { domainName: 'example.com' },
    ...(aliases && aliases.length > 0 ? { aliases } : {}),
    ...(acmCertificateArn ? { acmCertificateArn } : {}),
    ...(pick('promotion') ? { promotion: pick('promotion') } : {}),
    ...(pick('notify') ? { notify: pick('notify') } : {}),
    ...externalAndAccess(pick('distribution'), pick('aws')),
    ...(pick('fuzz') ? { fuzz: { ...pick('fuzz')! } } : {}),
  };
}

function externalAndAccess(d: StageFileEntry['distribution'], aws: StageAwsAccess | undefined): Pick<StageConfig, 'externalDistribution' | 'aws'> {
  return {
    ...(d === undefined ? {} : { externalDistribution: d === 'none' ? {} : { id: d.existingId } }),
    ...(aws && Object.keys(aws).length > 0 ? { aws: { ...aws } } : {}),
  };
}

function checkPromotionChain(stages: StageConfig[], where: string): void {
  const byName = new Map(stages.map((s) => [s.name, s]));
  for (const s of stages) {
    if (s.promotesFrom === undefined) continue;
    if (s.promotesFrom === s.name) {
      throw new UserError(`${where} stages.${s.name}.promotesFrom`, 'a stage cannot promote from itself', 'name the stage before it, or null for the first stage');
    }
    if (!byName.has(s.promotesFrom)) {
      throw new UserError(`${where} stages.${s.name}.promotesFrom`, `unknown stage "${s.promotesFrom}"`,
        `use one of: ${stages.map((x) => x.name).filter((n) => n !== s.name).join(', ')}`);
    }
    // Walk upstream; coming back to the start means the gate could never be satisfied.
    const seen = new Set([s.name]);
    for (let up = byName.get(s.promotesFrom); up; up = up.promotesFrom ? byName.get(up.promotesFrom) : undefined) {
      if (seen.has(up.name)) {
        throw new UserError(`${where} stages.${s.name}.promotesFrom`, `promotion cycle through "${up.name}"`, 'make the chain start at a stage with promotesFrom null');
      }
      seen.add(up.name);
    }
  }
  // Compared without case: some resources named from the prefix (S3 buckets) do not tell case apart.
  const names = new Set<string>();
  const functions = new Map<string, string>();
  for (const s of stages) {
    if (names.has(s.namePrefix.toLowerCase())) {
      throw new UserError(`${where} stages.${s.name}.namePrefix`, `namePrefix "${s.namePrefix}" is used by another stage`, 'give each stage its own prefix so resources do not collide');
    }
    names.add(s.namePrefix.toLowerCase());
    // The orchestrator finds and confirms a stage's function by this name: shared, one stage would act on another's.
    const fn = stageFunctionName(s).toLowerCase();
    if (functions.has(fn)) {
      throw new UserError(`${where} stages.${s.name}.namePrefix`, `the function name "${stageFunctionName(s)}" is stage ${functions.get(fn)}'s too`, 'give each stage a prefix that no other stage\'s function name starts with');
    }
    functions.set(fn, s.name);
  }
}

/** A stage's replay gate with its paths resolved against the project folder (an s3:// source stays as it is). */
function replayConfig(r: NonNullable<StageFileEntry['replay']>, cwd: string): StageReplayConfig {
  return {
    logs: /^s3:\/\//i.test(r.logs) ? r.logs : path.resolve(cwd, r.logs),
    maxChangedDecisions: r.maxChangedDecisions ?? 0,
    ...(r.expected ? { expected: path.resolve(cwd, r.expected) } : {}),
  };
}

let validator: ReturnType<Ajv['compile']> | undefined;

function validateDocument(doc: unknown, where: string): void {
  validator ??= new Ajv({ allErrors: false, discriminator: true, strict: false }).compile(STAGE_CONFIG_FILE_SCHEMA);
  if (validator(doc)) return;
  const err = (validator.errors ?? [])[0];
  throw describeSchemaError(err, where);
}

function describeSchemaError(err: ErrorObject | undefined, where: string): UserError {
  if (!err) return new UserError(where, 'invalid configuration', 'compare it with docs/infrastructure.md');
  const field = err.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
  const at = field ? `${where} ${field}` : where;
  const p = err.params as Record<string, unknown>;
  if (err.propertyName !== undefined || err.keyword === 'propertyNames') {
    const name = err.propertyName ?? String(p.propertyName);
    return new UserError(at, `stage name "${name}" is invalid`, 'use 1-20 characters: lowercase letters, digits and "-", starting with a letter');
  }
  switch (err.keyword) {
    case 'additionalProperties':
      return new UserError(at, `unknown field "${String(p.additionalProperty)}"`, 'remove it or check its spelling against docs/infrastructure.md');
    case 'required':
      return new UserError(at, `missing field "${String(p.missingProperty)}"`, 'add it (see docs/infrastructure.md)');
    case 'enum':
      return new UserError(at, `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`, 'use one of the allowed values');
    case 'discriminator':
      return new UserError(`${at}.type`, 'backend type must be "local", "s3" or "cloud"', 'set backend.type to one of them');
    case 'pattern':
      return new UserError(at, `value does not match ${String(p.pattern)}`, hintFor(field));
    case 'type':
      return new UserError(at, `must be ${String(p.type)}`, 'fix the value type');
    default:
      return new UserError(at, err.message ?? 'invalid value', 'see docs/infrastructure.md for the field');
  }
}

function hintFor(field: string): string {
  if (field.endsWith('namePrefix')) return 'use 1-40 of a-z A-Z 0-9 - _';
  if (field.endsWith('region')) return 'use an AWS region such as "us-east-1"';
  if (field.endsWith('domainName')) return 'give a bare host name such as "api.example.com"';
  if (field.endsWith('originPath')) return 'start the path with "/"';
  if (field.endsWith('acmCertificateArn')) return 'give the certificate ARN (arn:aws:acm:us-east-1:...)';
  return 'see docs/infrastructure.md for the field';
}

/** "functions/revocation-check.js" -> "revocation-check", limited to what a function name allows. */
function functionBaseName(source: string): string {
  const base = path.basename(source).replace(/\.[^.]+$/, '').replace(/[^a-zA-Z0-9_-]/g, '-');
  return base || 'connection-function';
}

/** The comment a stage's distribution carries: how the orchestrator tells the stage's distribution from another's. */
export function stageDistributionComment(stage: string): string {
  return `conngate ${stage} viewer-mTLS distribution`;
}

/**
 * The connection function's name in a stage: `<namePrefix>-<function file name>`. The stack declares it, and the
 * orchestrator finds an upstream stage's function by it without needing that stage's outputs.
 */
export function stageFunctionName(config: Pick<StageConfig, 'namePrefix' | 'functionFile'>): string {
  return `${config.namePrefix}-${functionBaseName(config.functionFile)}`;
}
