import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { createKvsClient, resolveTarget } from '../../aws/clients';
import { UserError } from '../../diagnostics/user-error';
import { findStageConfig, loadStageConfigs } from '../../stacks/stage-config';
import { countApiCalls, formatApiCalls } from '../../revocation/api-call-counter';
import { canonicalSerial } from '../../revocation/canonical-serial';
import { formatKvsImport } from '../../revocation/kvs-import-format';
import { loadRevocationSource, SourceOptions } from '../../revocation/load-source';
import { syncRevocations, SyncResult } from '../../revocation/sync';
import { OutputsStore } from '../outputs-store';
import type { CommandModule } from './index';
import { DEFAULT_STATE_DIR } from './pipeline-options';

/** Where the pipeline commands keep the stages' outputs by default (<dir>/<state-dir>/outputs.json). */
const DEFAULT_OUTPUTS = path.join(DEFAULT_STATE_DIR, 'outputs.json');

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

interface SourceFlags {
  crl?: string[];
  serials?: string[];
  kvsJson?: string[];
  ca?: string[];
  allowStale?: boolean;
}

function addSourceOptions(cmd: Command): Command {
  return cmd
    .option('--crl <file>', 'X.509 CRL, PEM (one or more CRLs) or DER; repeat for several CAs', collect)
    .option('--serials <file>', 'serial list: one serial per line, any common hex spelling, # comments', collect)
    .option('--kvs-json <file>', 'KeyValueStore import JSON ({"data":[{"key":..,"value":..}]})', collect)
    .option('--ca <cert.pem>', 'CA certificate every CRL must verify against (repeatable)', collect)
    .option('--allow-stale', 'accept CRLs whose nextUpdate has passed');
}

function sourceOptions(f: SourceFlags): SourceOptions {
  return { crlFiles: f.crl ?? [], serialFiles: f.serials ?? [], kvsJsonFiles: f.kvsJson ?? [], caFiles: f.ca ?? [], allowStale: !!f.allowStale };
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
    `(${r.unchanged} unchanged; store ${r.storeKeysAfter} keys, ${mb} MB; ${r.conflicts} conflicts; read: ${r.readMode}; ETag ${r.etag})`;
}

interface SyncFlags extends SourceFlags {
  allowMassDelete?: boolean;
  maxDeleteShare: string;
  dryRun?: boolean;
  dir: string;
  outputs?: string;
  kvsArn?: string;
  canary?: string;
  endpoint?: string;
  snapshotDir?: string;
  snapshot: boolean;
}

async function runSync(stage: string, f: SyncFlags): Promise<void> {
  const share = parseShare(f.maxDeleteShare);
  const dir = path.resolve(f.dir);
  // The stage config is where the canary is defined (the stack writes it from there), also when --kvs-arn names the store.
  const config = findStageConfig(loadStageConfigs(dir), stage);
  const canaryKey = f.canary ? canary(f.canary, '--canary') : config.canarySerial;
  const outputsFile = f.outputs ? path.resolve(f.outputs) : path.join(dir, DEFAULT_OUTPUTS);
  const kvsArn = f.kvsArn ?? new OutputsStore(outputsFile).require(stage).kvsArn;
  const source = await loadRevocationSource(sourceOptions(f));
  const progress = (line: string): void => { process.stderr.write(`revocations ${stage}: ${line}\n`); };
  for (const i of source.inputs) progress(`source ${i}`);
  const abort = new AbortController();
  const onSigint = (): void => {
    progress('interrupt: stopping after the current batch');
    abort.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    const client = createKvsClient(resolveTarget({ endpoint: f.endpoint }));
    const calls = countApiCalls(client);
    const result = await syncRevocations({
      client, kvsArn, source, protectedKeys: [canaryKey], maxDeleteShare: share, allowMassDelete: !!f.allowMassDelete,
      dryRun: !!f.dryRun,
      snapshotDir: f.snapshot ? f.snapshotDir ?? path.join(path.dirname(outputsFile), 'revocation-snapshots') : undefined,
      onProgress: progress, signal: abort.signal,
    });
    process.stdout.write(`${describe(result, stage)}; ${formatApiCalls(calls)}\n`);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

interface ExportFlags extends SourceFlags {
  format: string;
  out?: string;
  canary?: string;
}

async function runExport(f: ExportFlags): Promise<void> {
  const source = await loadRevocationSource(sourceOptions(f));
  const entries = new Map(source.entries);
  if (f.canary) {
    const c = canary(f.canary, '--canary');
    if (!entries.has(c)) entries.set(c, '1');
  }
  const text = formatKvsImport(entries);
  if (f.out) {
    fs.mkdirSync(path.dirname(path.resolve(f.out)), { recursive: true });
    fs.writeFileSync(f.out, text);
    process.stderr.write(`revocations export: wrote ${entries.size} keys to ${f.out}\n`);
  } else {
    process.stdout.write(text);
  }
}

/** `conngate revocations sync|export`: keep a stage's KeyValueStore equal to the CA's revocations. */
export const revocationsCommand: CommandModule = {
  register(program) {
    const group = program.command('revocations')
      .description('Sync revoked client-certificate serials (CRLs, serial lists) into a stage\'s KeyValueStore');
    addSourceOptions(group.command('sync')
      .description('Make the stage\'s KeyValueStore hold exactly the revoked serials of the given sources (the canary is kept)')
      .argument('<stage>', 'stage whose store to sync (its kvs_arn comes from the outputs file, its canary from the stage config)'))
      .option('--allow-mass-delete', 'allow deleting more than --max-delete-share of the store, or applying an empty source')
      .option('--max-delete-share <share>', 'largest share of the store one sync may delete', '0.1')
      .option('--dry-run', 'print the difference (counts and a sample) without writing')
      .option('--dir <path>', 'the project folder (conngate.config.json, .conngate/)', '.')
      .option('--outputs <file>', `Terraform outputs file of the stages (default: <dir>/${DEFAULT_OUTPUTS})`)
      .option('--kvs-arn <arn>', 'KeyValueStore ARN (instead of the stage\'s kvs_arn output)')
      .option('--canary <serial>', 'canary serial never deleted (default: the stage\'s canarySerial in conngate.config.json, else 0badc0de0badc0de)')
      .option('--endpoint <url>', 'CloudFront API endpoint, e.g. the local emulator (default: $CONNGATE_ENDPOINT, else AWS)')
      .option('--snapshot-dir <dir>', 'where the last sync\'s snapshot of each store is kept (default: revocation-snapshots next to --outputs)')
      .option('--no-snapshot', 'ignore snapshots: always list the store')
      .addHelpText('after', '\nExamples:\n  conngate revocations sync prod --crl ca1.crl --crl ca2.pem --ca ca1.pem --ca ca2.pem\n' +
        '  conngate revocations sync dev --serials revoked.txt --dry-run')
      .action(async (stage: string, flags: SyncFlags) => runSync(stage, flags));
    addSourceOptions(group.command('export')
      .description('Write the revoked serials of the given sources as KeyValueStore import JSON (to create a store from S3)'))
      .addOption(new Option('--format <format>', 'output format').choices(['kvs-import']).makeOptionMandatory())
      .option('--out <file>', 'write to this file instead of stdout')
      .option('--canary <serial>', 'also include this canary serial')
      .action(async (flags: ExportFlags) => runExport(flags));
  },
};
