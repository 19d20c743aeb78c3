import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { createCloudFrontClient, createKvsClient, createS3Client, resolveTarget, type Target } from '../aws/clients';
import { UserError } from '../diagnostics/user-error';
import { printable } from '../diagnostics/untrusted-text';
import { findStageConfig, loadStageConfigs } from '../stacks/stage-config';
import { countApiCalls, formatApiCalls } from '../revocation/api-call-counter';
import { canonicalSerial } from '../revocation/canonical-serial';
import { formatKvsImport } from '../revocation/kvs-import-format';
import { parseCaKey, retireCaKey } from '../revocation/ca-key-retirement';
import { loadRevocationSource, SourceOptions } from '../revocation/load-source';
import { checkRevocations, formatCheckReport } from '../revocation/store-check';
import { syncRevocations, SyncResult } from '../revocation/sync';
import { OutputsStore } from '../orchestrator/stage/outputs-store';
import { confirmStageStore } from '../orchestrator/pipeline/stage-identity';
import { stageTarget } from '../orchestrator/stage/stage-target';
import type { CommandModule } from './command-module';
import { DEFAULT_STATE_DIR, stageSpecsFrom } from '../orchestrator/stage/stage-spec';
import { makeFolder } from '../host/make-folder';

/** Where the pipeline commands keep the stages' outputs by default (<dir>/<state-dir>/outputs.json). */
const DEFAULT_OUTPUTS = path.join(DEFAULT_STATE_DIR, 'outputs.json');

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

interface SourceFlags {
  crl?: string[];
  crlFromCert?: string[];
  serials?: string[];
  kvsJson?: string[];
  ca?: string[];
  insecureSkipCrlVerify?: boolean;
  allowStale?: boolean;
  crlMaxMb: string;
  fetchTimeout: string;
  crlCacheDir?: string;
  endpoint?: string;
  allowPrivateCrlHosts?: boolean;
  allowPrivateCrlHost?: string[];
  crlIdpAlias?: string[];
  allowCrlIdpMismatch?: boolean;
}

/** The options that name a stage's store: the project, its outputs file, or the store's ARN itself. */
function addStoreOptions(cmd: Command): Command {
  return cmd
    .option('--dir <path>', 'the project folder (conngate.config.json, .conngate/)', '.')
    .option('--outputs <file>', `Terraform outputs file of the stages (default: <dir>/${DEFAULT_OUTPUTS})`)
    .option('--kvs-arn <arn>', 'KeyValueStore ARN (instead of the stage\'s kvs_arn output)');
}

function addSourceOptions(cmd: Command): Command {
  return cmd
    .option('--crl <file|url>', 'X.509 CRL: a file (PEM with one or more CRLs, or DER), an http(s):// URL or s3://bucket/key; repeat for several CAs', collect)
    .option('--crl-from-cert <cert.pem>', 'fetch the CRL named by this certificate\'s CRL Distribution Points (http/https)', collect)
    .option('--serials <file>', 'serial list: one serial per line, any common hex spelling, # comments', collect)
    .option('--kvs-json <file>', 'KeyValueStore import JSON ({"data":[{"key":..,"value":..}]})', collect)
    .option('--ca <cert.pem>', 'CA certificate every CRL must verify against (repeatable); required with CRLs unless the stage config has crlCaFiles', collect)
    .option('--insecure-skip-crl-verify', 'apply CRLs without verifying their signature (warned about on every run)')
    .option('--allow-stale', 'accept CRLs whose nextUpdate has passed')
    .option('--crl-max-mb <mb>', 'largest CRL download accepted, MB', '64')
    .option('--fetch-timeout <seconds>', 'deadline of each CRL download, redirects included', '60')
    .option('--crl-cache-dir <dir>', 'where downloaded CRLs and their ETag / Last-Modified are kept for conditional GETs (default: crl-cache next to the outputs file)')
    .option('--endpoint <url>', 'AWS endpoint, e.g. the local emulator, for the store and s3:// CRLs (default: $CONNGATE_ENDPOINT, else AWS)')
    .option('--allow-private-crl-hosts', 'let CRL downloads (and the s3:// endpoint) reach loopback, link-local, private and unique-local addresses (an internal PKI)')
    .option('--allow-private-crl-host <host[:port]>', 'let CRL downloads reach this one private host (repeatable)', collect)
    .option('--crl-idp-alias <url=uri>', 'a CRL fetched from URL names URI as its issuing distribution point (a mirror, an s3:// copy); repeatable', collect)
    .option('--allow-crl-idp-mismatch', 'accept a downloaded CRL whose issuing distribution point names another URL');
}

/** `URL=URI`, split at the first `=` that starts a URI (a query string may hold `=` too). */
function parseIdpAliases(values: string[] | undefined, fromConfig: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = { ...(fromConfig ?? {}) };
  for (const v of values ?? []) {
    const m = /^(.+?)=([a-z][a-z0-9+.-]*:\/\/.+)$/i.exec(v);
    if (!m) throw new UserError('--crl-idp-alias', `"${printable(v)}" is not URL=URI`, 'pass e.g. s3://my-crls/crl/ca.crl=http://crl.example.com/crl/ca.crl');
    out[m[1]] = m[2];
  }
  return out;
}

function positive(v: string, flag: string, example: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UserError(flag, `"${v}" is not a positive number`, `pass e.g. ${example}`);
  return n;
}

/** What the stage config says about CRL sources. */
interface StageCrlConfig {
  crlCaFiles?: string[];
  allowPrivateCrlHosts?: boolean;
  crlIdpAliases?: Record<string, string>;
}

/** --ca wins; without it (and without --insecure-skip-crl-verify) the stage config's crlCaFiles, when the sources have CRLs. */
function withStageCa<T extends SourceFlags>(f: T, crlCaFiles: string[] | undefined, progress: (line: string) => void): T {
  const hasCrl = (f.crl?.length ?? 0) + (f.crlFromCert?.length ?? 0) > 0;
  if (f.ca?.length || f.insecureSkipCrlVerify || !crlCaFiles?.length || !hasCrl) return f;
  progress(`verifying CRLs against the stage config's crlCaFiles: ${crlCaFiles.join(', ')}`);
  return { ...f, ca: crlCaFiles };
}

function sourceOptions(f: SourceFlags, cacheDir: string | undefined, progress: (line: string) => void, stage: StageCrlConfig = {}): SourceOptions {
  const maxBytes = Math.floor(positive(f.crlMaxMb, '--crl-max-mb', '64') * 1024 * 1024);
  const timeoutMs = Math.floor(positive(f.fetchTimeout, '--fetch-timeout', '60') * 1000);
  const target = resolveTarget({ endpoint: f.endpoint });
  return {
    crlFiles: f.crl ?? [], crlFromCertFiles: f.crlFromCert ?? [], serialFiles: f.serials ?? [], kvsJsonFiles: f.kvsJson ?? [],
    caFiles: f.ca ?? [], insecureSkipCrlVerify: !!f.insecureSkipCrlVerify, allowStale: !!f.allowStale,
    fetch: {
      cacheDir: f.crlCacheDir ?? cacheDir, maxBytes, timeoutMs, onProgress: progress,
      privateHosts: { all: !!f.allowPrivateCrlHosts || !!stage.allowPrivateCrlHosts, hosts: f.allowPrivateCrlHost ?? [] },
    },
    idpAliases: parseIdpAliases(f.crlIdpAlias, stage.crlIdpAliases), allowIdpMismatch: !!f.allowCrlIdpMismatch,
    s3Client: (connect) => createS3Client(target, connect), s3Endpoint: target.endpoint,
    // On stderr, on every run, whatever else is printed.
    onWarning: (line) => { process.stderr.write(`conngate: ${line}\n`); },
  };
}

function canary(raw: string, where: string): string {
  const c = canonicalSerial(raw);
  if (!c) throw new UserError(where, `canary serial "${raw}" is not a hex serial`, 'pass a hex serial such as 0b:ad:c0:de:0b:ad:c0:de');
  return c;
}

function parseShare(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new UserError('--max-delete-share', `"${v}" is not a share between 0 and 1`, 'pass e.g. 0.1 for 10%');
  }
  return n;
}

function describe(r: SyncResult, stage: string): string {
  const mb = (r.storeBytesAfter / (1024 * 1024)).toFixed(2);
  const sample = (label: string, keys: string[], n: number): string =>
    n === 0 ? '' : `\n  ${label} (${n}): ${keys.join(' ')}${n > keys.length ? ' ...' : ''}`;
  if (r.dryRun) {
    return `revocations ${stage}: dry run, would put ${r.plannedPuts} and delete ${r.plannedDeletes} keys ` +
      `(${r.unchanged} unchanged; store ${r.storeKeysBefore} -> ${r.storeKeysAfter} keys, ${mb} MB; read: ${r.readMode})` +
      sample('puts', r.samplePuts, r.plannedPuts) + sample('deletes', r.sampleDeletes, r.plannedDeletes);
  }
  return `revocations ${stage}: put ${r.puts} and deleted ${r.deletes} keys in ${r.batches} batches ` +
    `(${r.unchanged} unchanged; store ${r.storeKeysAfter} keys, ${mb} MB; ${r.conflicts} conflicts; read: ${r.readMode}; ` +
    `${r.marksWritten ? `${r.marksWritten} CRL mark${r.marksWritten > 1 ? 's' : ''} moved; ` : ''}ETag ${r.etag})`;
}

interface SyncFlags extends SourceFlags {
  allowMassDelete?: boolean;
  allowOlderCrl?: boolean;
  maxDeleteShare: string;
  dryRun?: boolean;
  dir: string;
  outputs?: string;
  kvsArn?: string;
  canary?: string;
  snapshotDir?: string;
  snapshot: boolean;
}

/**
 * What sync and check share: the stage's store, canary, state folder, and the clients of the stage's own account
 * (stage config `aws`). A store taken from the outputs file must be the stage's (CloudFront is asked for the store of
 * the stage's declared name); `--kvs-arn` is the operator's own choice, named as such in the output.
 */
async function stageStore(stage: string, f: Pick<SyncFlags, 'dir' | 'outputs' | 'kvsArn' | 'canary' | 'endpoint'>, progress: (line: string) => void): Promise<{
  kvsArn: string; canaryKey: string; stateDir: string; crlCaFiles?: string[]; crl: StageCrlConfig; retiredCrlCaKeys?: string[]; target: Target;
}> {
  const dir = path.resolve(f.dir);
  // The stage config is where the canary is defined (the stack writes it from there), also when --kvs-arn names the store.
  const config = findStageConfig(loadStageConfigs(dir), stage);
  const canaryKey = f.canary ? canary(f.canary, '--canary') : config.canarySerial;
  const outputsFile = f.outputs ? path.resolve(f.outputs) : path.join(dir, DEFAULT_OUTPUTS);
  const target = stageTarget(resolveTarget({ endpoint: f.endpoint }), config, f.endpoint !== undefined);
  let kvsArn: string;
  if (f.kvsArn) {
    kvsArn = f.kvsArn;
    progress(`store ${kvsArn} (--kvs-arn: your choice, not checked against the ${stage} stage's store)`);
  } else {
    kvsArn = new OutputsStore(outputsFile, f.outputs !== undefined).require(stage).kvsArn;
    await confirmStageStore(createCloudFrontClient(target), stageSpecsFrom([config])[0], kvsArn, outputsFile);
  }
  return {
    kvsArn, canaryKey, stateDir: path.dirname(outputsFile), crlCaFiles: config.crlCaFiles, retiredCrlCaKeys: config.retiredCrlCaKeys,
    crl: { allowPrivateCrlHosts: config.allowPrivateCrlHosts, crlIdpAliases: config.crlIdpAliases }, target,
  };
}

async function runSync(stage: string, f: SyncFlags): Promise<void> {
  const share = parseShare(f.maxDeleteShare);
  const progress = (line: string): void => { process.stderr.write(`revocations ${stage}: ${line}\n`); };
  const { kvsArn, canaryKey, stateDir, crlCaFiles, crl, retiredCrlCaKeys, target } = await stageStore(stage, f, progress);
  const source = await loadRevocationSource(sourceOptions(withStageCa(f, crlCaFiles, progress), path.join(stateDir, 'crl-cache'), progress, crl));
  for (const i of source.inputs) progress(`source ${i}`);
  const abort = new AbortController();
  const onSigint = (): void => {
    progress('interrupt: stopping after the current batch');
    abort.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    const client = createKvsClient(target);
    const calls = countApiCalls(client);
    const result = await syncRevocations({
      client, kvsArn, source, protectedKeys: [canaryKey], maxDeleteShare: share, allowMassDelete: !!f.allowMassDelete,
      allowOlderCrl: !!f.allowOlderCrl, dryRun: !!f.dryRun, retiredCaKeys: retiredCrlCaKeys,
      snapshotDir: f.snapshot ? f.snapshotDir ?? path.join(stateDir, 'revocation-snapshots') : undefined,
      onProgress: progress, signal: abort.signal,
    });
    process.stdout.write(`${describe(result, stage)}; ${formatApiCalls(calls)}\n`);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

interface CheckFlags extends SourceFlags {
  dir: string;
  outputs?: string;
  kvsArn?: string;
  canary?: string;
  warnBefore: string;
  json?: boolean;
  snapshotDir?: string;
}

/** "12h", "3d", "90m", "3600s" or plain seconds -> ms. */
function parseDuration(v: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)?$/.exec(v.trim());
  if (!m) throw new UserError(flag, `"${v}" is not a duration`, 'pass e.g. 12h, 2d or 90m');
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
}

async function runCheck(stage: string, f: CheckFlags): Promise<void> {
  const warnBeforeMs = parseDuration(f.warnBefore, '--warn-before');
  const progress = (line: string): void => { process.stderr.write(`revocations check ${stage}: ${line}\n`); };
  const { kvsArn, canaryKey, stateDir, crlCaFiles, crl, retiredCrlCaKeys, target } = await stageStore(stage, f, progress);
  // A stale CRL is a finding of the check (exit 1), not bad input.
  const source = await loadRevocationSource({
    ...sourceOptions(withStageCa(f, crlCaFiles, progress), path.join(stateDir, 'crl-cache'), progress, crl), allowStale: true,
  });
  const client = createKvsClient(target);
  const report = await checkRevocations({
    // The store is listed unless --snapshot-dir is given: the check is the sync's independent witness, and a local
    // snapshot (restored from a CI cache) is the sync's own belief about the store.
    client, kvsArn, source, canary: canaryKey, warnBeforeMs, snapshotDir: f.snapshotDir, retiredCaKeys: retiredCrlCaKeys,
  });
  process.stdout.write(f.json ? `${JSON.stringify({ stage, ...report }, null, 2)}\n` : `${formatCheckReport(report, stage)}\n`);
  if (!report.ok) process.exitCode = 1;
}

interface ExportFlags extends SourceFlags {
  format: string;
  out?: string;
  canary?: string;
}

async function runExport(f: ExportFlags): Promise<void> {
  const progress = (line: string): void => { process.stderr.write(`revocations export: ${line}\n`); };
  const source = await loadRevocationSource(sourceOptions(f, undefined, progress));
  const entries = new Map(source.entries);
  if (f.canary) {
    const c = canary(f.canary, '--canary');
    if (!entries.has(c)) entries.set(c, '1');
  }
  const text = formatKvsImport(entries);
  if (f.out) {
    makeFolder(path.dirname(path.resolve(f.out)));
    fs.writeFileSync(f.out, text);
    process.stderr.write(`revocations export: wrote ${entries.size} keys to ${f.out}\n`);
  } else {
    process.stdout.write(text);
  }
}

interface RetireFlags {
  dir: string;
  outputs?: string;
  kvsArn?: string;
  endpoint?: string;
  snapshotDir?: string;
}

async function runRetireCa(stage: string, rawKey: string, f: RetireFlags): Promise<void> {
  const caKey = parseCaKey(rawKey, '<ca-key>');
  const progress = (line: string): void => { process.stderr.write(`revocations ${stage}: ${line}\n`); };
  const { kvsArn, stateDir, target } = await stageStore(stage, f, progress);
  const client = createKvsClient(target);
  const r = await retireCaKey({ client, kvsArn, caKey, snapshotDir: f.snapshotDir ?? path.join(stateDir, 'revocation-snapshots') });
  process.stdout.write(`revocations ${stage}: retired CA key sha256:${caKey} (${r.retired.length} CRL mark${r.retired.length > 1 ? 's' : ''} now tombstones; ETag ${r.etag}); ` +
    'the next sync no longer needs its CRL, deletes the serials only it revoked, and refuses a CRL it signs\n');
}

/** `conngate revocations sync|check|export|retire-ca`: keep a stage's KeyValueStore equal to the CA's revocations. */
export const revocationsCommand: CommandModule = {
  register(program) {
    const group = program.command('revocations')
      .description('Sync revoked client-certificate serials (CRLs, serial lists) into a stage\'s KeyValueStore');
    addStoreOptions(addSourceOptions(group.command('sync')
      .description('Make the stage\'s KeyValueStore hold exactly the revoked serials of the given sources (the canary is kept)')
      .argument('<stage>', 'stage whose store to sync (its kvs_arn comes from the outputs file, its canary from the stage config)')))
      .option('--allow-mass-delete', 'allow deleting more than --max-delete-share of the store, applying an empty source, or dropping a CRL the store applied (its mark is removed)')
      .option('--allow-older-crl', 'apply a CRL older than the one the store already applied for its CA (a deliberate roll-back)')
      .option('--max-delete-share <share>', 'largest share of the store one sync may delete', '0.1')
      .option('--dry-run', 'print the difference (counts and a sample) without writing')
      .option('--canary <serial>', 'canary serial never deleted (default: the stage\'s canarySerial in conngate.config.json, else 0badc0de0badc0de)')
      .option('--snapshot-dir <dir>', 'where the last sync\'s snapshot of each store is kept (default: revocation-snapshots next to --outputs)')
      .option('--no-snapshot', 'ignore snapshots: always list the store')
      .addHelpText('after', '\nExamples:\n  conngate revocations sync prod --crl ca1.crl --crl ca2.pem --ca ca1.pem --ca ca2.pem\n' +
        '  conngate revocations sync prod --crl http://crl.example.com/issuing.crl --ca issuing.pem\n' +
        '  conngate revocations sync prod --crl s3://my-pca-crls/crl/11223344-aaaa-bbbb-cccc-1234567890ab.crl --ca pca.pem\n' +
        '  conngate revocations sync prod --crl-from-cert client.pem --ca issuing.pem\n' +
        '  conngate revocations sync dev --serials revoked.txt --dry-run')
      .action(async (stage: string, flags: SyncFlags) => runSync(stage, flags));
    addStoreOptions(addSourceOptions(group.command('check')
      .description('Read-only: compare the stage\'s store with the sources (exit 1 when a revoked serial is missing, a CRL is stale or about to be, or the canary is gone)')
      .argument('<stage>', 'stage whose store to check')))
      .option('--warn-before <duration>', 'fail when a CRL\'s nextUpdate is closer than this (s, m, h, d)', '12h')
      .option('--json', 'print the report as JSON')
      .option('--canary <serial>', 'canary serial expected in the store (default: the stage\'s canarySerial)')
      .option('--snapshot-dir <dir>', 'use the snapshots a sync left here when current, instead of listing the store (cheaper; trusts the local files)')
      .addHelpText('after', '\nExit codes: 0 all good, 1 a finding (missing serials, stale CRL, canary gone, source older than the store), 2 bad input.\n' +
        'Example (hourly, after the sync):\n  conngate revocations check prod --crl http://crl.example.com/issuing.crl --ca issuing.pem --warn-before 12h --json')
      .action(async (stage: string, flags: CheckFlags) => runCheck(stage, flags));
    addSourceOptions(group.command('export')
      .description('Write the revoked serials of the given sources as KeyValueStore import JSON (to create a store from S3)'))
      .addOption(new Option('--format <format>', 'output format').choices(['kvs-import']).default('kvs-import'))
      .option('--out <file>', 'write to this file instead of stdout')
      .option('--canary <serial>', 'also include this canary serial')
      .action(async (flags: ExportFlags) => runExport(flags));
    addStoreOptions(group.command('retire-ca')
      .description('After a CA re-key: stop keeping the old CA key\'s CRL applied (its marks become tombstones; the next sync deletes the serials only it revoked)')
      .argument('<stage>', 'stage whose store to change')
      .argument('<ca-key>', 'SHA-256 of the old CA certificate\'s public key (SubjectPublicKeyInfo), as `revocations check --json` shows it (marks[].caKey)'))
      .option('--endpoint <url>', 'AWS endpoint, e.g. the local emulator (default: $CONNGATE_ENDPOINT, else AWS)')
      .option('--snapshot-dir <dir>', 'the sync\'s snapshot folder, kept current (default: revocation-snapshots next to --outputs)')
      .addHelpText('after', '\nExample:\n  conngate revocations retire-ca prod 3f1c...e9 (or set retiredCrlCaKeys in conngate.config.json)')
      .action(async (stage: string, caKey: string, flags: RetireFlags) => runRetireCa(stage, caKey, flags));
  },
};
