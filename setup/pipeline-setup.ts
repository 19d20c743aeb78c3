/**
 * How a command's flags become a pipeline run: the target and each stage's clients, the evidence keys, the state
 * folder, and the applier (the real cdktf/cdktn CLI, or the local stand-in against the emulator). The CLI's pipeline
 * commands and the HCP Terraform run task share it; it sits above the orchestrator and the local apply stand-in.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCloudFrontClient, createKvsClient, createS3Client, resolveTarget, type Target } from '../aws/clients';
import { notePathFlag } from '../diagnostics/operational-error';
import { UserError } from '../diagnostics/user-error';
import { loadStageConfigs, type StageConfig } from '../stacks/stage-config';
import { CdktfApplier } from '../orchestrator/cdktf/cdktf-applier';
import { evidenceKeyringFromEnv } from '../orchestrator/signing/evidence-keys';
import { EvidenceKeyring, UNSIGNED_SIGNER } from '../orchestrator/signing/evidence-signing';
import { InterruptGuard } from '../orchestrator/pipeline/interrupt-guard';
import { LocalApplier } from '../local-apply/local-applier';
import { s3StateStore } from '../local-apply/s3-state-store';
import { fileStateStore, type LocalStateStore } from '../local-apply/local-state';
import { OutputsStore } from '../orchestrator/stage/outputs-store';
import type { Applier, PipelineContext } from '../orchestrator/pipeline/pipeline';
import { createProgress } from '../orchestrator/reports/progress';
import { RateLimiter } from '../orchestrator/stage/rate-limiter';
import { stageSpecsFrom } from '../orchestrator/stage/stage-spec';
import { clientsPerStage } from '../orchestrator/stage/stage-target';

/** The flags every pipeline command (deploy, verify, promote, status) shares. */
export interface PipelineFlags {
  endpoint?: string;
  dir: string;
  stateDir: string;
  outputs?: string;
  concurrency: string;
  rate: string;
  liveSuite: 'smoke' | 'full';
  applier?: 'cdktf' | 'local';
  quiet?: boolean;
  forceUnlock?: boolean;
  insecureUnsignedEvidence?: boolean;
  overridePolicy?: boolean;
  reason?: string;
  allowRollbackTo?: string;
}

function positiveInt(flag: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UserError(flag, `"${v}" is not a whole number >= ${min}`, `pass e.g. ${flag} 8`);
  return n;
}

/** The state folder must be a folder (or not exist yet): found before anything runs, not when evidence is written. */
function checkStateDir(stateDir: string): void {
  for (let p = stateDir; p !== path.dirname(p); p = path.dirname(p)) {
    if (!fs.existsSync(p)) continue;
    if (!fs.statSync(p).isDirectory()) {
      throw new UserError(`--state-dir ${stateDir}`, p === stateDir ? 'is a file, not a folder' : `${p} is a file, not a folder`, 'pass --state-dir a folder (default .conngate, relative to --dir)');
    }
    try {
      fs.accessSync(p, fs.constants.W_OK);
    } catch {
      throw new UserError(`--state-dir ${stateDir}`, `${p} is not writable`, 'pass --state-dir a folder you can write to');
    }
    return;
  }
}

export interface PipelineSetup {
  ctx: PipelineContext;
  target: Target;
  configs: StageConfig[];
  dir: string;
  makeApplier(): Applier;
  /** Points ctx's clients (and the applier made after) at one stage's account. */
  forStage(stage: string): void;
  /** Where one stage's calls go: the command's target with the stage's own access (stage config `aws`). */
  targetFor(stage: string): Target;
  /** Where the local apply stand-in keeps a stage's state (its S3 backend, else the state folder). */
  stateStoreFor(stage: string): LocalStateStore;
}

/**
 * The evidence keyring from the environment. `requireKey: false` (status) gives, when no key is set, a keyring that
 * trusts no key, so every signature reads as unchecked rather than the command refusing to run.
 */
function evidenceKeys(flags: PipelineFlags, requireKey: boolean): EvidenceKeyring | Promise<EvidenceKeyring> {
  try {
    return evidenceKeyringFromEnv(process.env, { insecureUnsigned: flags.insecureUnsignedEvidence });
  } catch (e) {
    if (requireKey || !(e instanceof UserError)) throw e;
    return new EvidenceKeyring(UNSIGNED_SIGNER, [], false);
  }
}

/** The keyring `status` checks evidence with: the configured one, or one that trusts no key (evidence then reads as unchecked). */
export async function evidenceKeysForStatus(): Promise<EvidenceKeyring> {
  return evidenceKeys({} as PipelineFlags, false);
}

export function setupPipeline(flags: PipelineFlags, opts: { requireKey?: boolean } = {}): PipelineSetup {
  const dir = path.resolve(flags.dir);
  if (!fs.existsSync(path.join(dir, 'cdktf.json'))) {
    throw new UserError(dir, 'no cdktf.json here', 'run conngate in the cdktf project folder, or pass --dir <folder>');
  }
  const target = resolveTarget({ endpoint: flags.endpoint });
  const configs = loadStageConfigs(dir);
  const stateDir = path.resolve(dir, flags.stateDir);
  checkStateDir(stateDir);
  notePathFlag('--dir', dir);
  notePathFlag('--state-dir', stateDir);
  if (flags.outputs) notePathFlag('--outputs', path.resolve(flags.outputs));
  if (flags.overridePolicy && !flags.reason?.trim()) {
    throw new UserError('--override-policy', 'an override needs a reason', 'pass --reason "<why this cannot wait>"');
  }
  if (flags.allowRollbackTo !== undefined && !/^[0-9a-f]{64}$/.test(flags.allowRollbackTo)) {
    throw new UserError('--allow-rollback-to', `"${flags.allowRollbackTo}" is not a sha256`, 'pass the full 64-hex sha256 the refusal named');
  }
  const cf = createCloudFrontClient(target);
  const progress = createProgress({ quiet: flags.quiet });
  const ctx: PipelineContext = {
    cf,
    kvs: createKvsClient(target),
    keys: evidenceKeys(flags, opts.requireKey ?? true),
    forceUnlock: flags.forceUnlock,
    stages: stageSpecsFrom(configs),
    outputs: flags.outputs ? new OutputsStore(path.resolve(flags.outputs), true) : new OutputsStore(path.join(stateDir, 'outputs.json')),
    limiter: new RateLimiter({ concurrency: positiveInt('--concurrency', flags.concurrency, 1), ratePerSecond: positiveInt('--rate', flags.rate, 0) }),
    stateDir,
    progress,
    liveSuite: flags.liveSuite,
    interrupt: new InterruptGuard(),
    ...(flags.allowRollbackTo ? { allowRollbackTo: flags.allowRollbackTo } : {}),
    ...(flags.overridePolicy ? { policyOverride: { reason: flags.reason!.trim(), by: process.env.GITHUB_ACTOR ?? os.userInfo().username } } : {}),
  };
  // Each stage through its own account (stage config `aws`); `forStage` points the run's clients at one stage.
  const clientsFor = clientsPerStage(target, configs, flags.endpoint !== undefined, { cf, kvs: ctx.kvs });
  ctx.cfFor = (stage) => clientsFor(stage).cf;
  ctx.kvsFor = (stage) => clientsFor(stage).kvs;
  ctx.targetOf = (stage) => clientsFor(stage).target;
  ctx.s3For = (stage) => createS3Client(clientsFor(stage).target);
  let runTarget = target;
  let runStage: string | undefined;
  const forStage = (stage: string): void => {
    const c = clientsFor(stage);
    runTarget = c.target;
    runStage = stage;
    ctx.cf = c.cf;
    ctx.kvs = c.kvs;
  };
  const makeApplier = (): Applier => {
    const target = runTarget;
    const kind = flags.applier ?? (target.endpoint ? 'local' : 'cdktf');
    if (kind === 'cdktf') return new CdktfApplier({ cwd: dir, progress });
    if (!target.endpoint) {
      throw new UserError('--applier local', 'the local apply stand-in only targets the emulator', 'pass --endpoint <emulator URL>, or use --applier cdktf for real AWS');
    }
    return new LocalApplier({ cf: ctx.cf, kvs: ctx.kvs, cwd: dir, outdir: path.join(stateDir, 'cdktf.out'), stateDir,
      ...(runStage ? { stateStore: stateStoreFor(runStage) } : {}),
      progress: (line: string) => progress.info(`   │ ${line}`) });
  };
  // The stand-in keeps its state where the stage's S3 backend says (the emulator's S3 subset), so that a CI run
  // in a fresh checkout converges; other backends keep it in the state folder.
  const stateStoreFor = (stage: string): LocalStateStore => {
    const backend = configs.find((c) => c.name === stage)?.backend;
    return backend?.type === 's3' ? s3StateStore(createS3Client(clientsFor(stage).target), backend) : fileStateStore(stateDir);
  };
  return { ctx, target, configs, dir, makeApplier, forStage, targetFor: (stage) => clientsFor(stage).target, stateStoreFor };
}
