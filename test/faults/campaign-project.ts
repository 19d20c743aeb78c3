import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { ListKeysCommand, type CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { createCloudFrontClient, createKvsClient } from '../../aws/clients';
import { candidateSha256 } from '../../orchestrator/stage/candidate';
import { stageSpecsFrom } from '../../orchestrator/stage/stage-spec';
import { prepareWorkdir } from '../../demo/demo-workdir';
import { liveEvidenceCheck } from '../../orchestrator/evidence/stage-evidence';
import { EvidenceKeyring, hmacSigner } from '../../orchestrator/signing/evidence-signing';
import { tryReadFunctionStage } from '../../orchestrator/stage/function-stages';
import { InterruptGuard } from '../../orchestrator/pipeline/interrupt-guard';
import { LocalApplier } from '../../local-apply/local-applier';
import { synthesizeStacks } from '../../local-apply/stack-synthesis';
import { OutputsStore } from '../../orchestrator/stage/outputs-store';
import type { Applier, PipelineContext } from '../../orchestrator/pipeline/pipeline';
import { silentProgress, type Progress } from '../../orchestrator/reports/progress';
import { RateLimiter } from '../../orchestrator/stage/rate-limiter';
import type { StageOutputs } from '../../orchestrator/stage/stage-outputs';
import type { StageSpec } from '../../orchestrator/stage/stage-spec';
import { loadRemoteCases } from '../../orchestrator/suite/suite-cases';
import { isReservedKey } from '../../revocation/reserved-keys';
import { loadStageConfigs } from '../../stacks/stage-config';
import { stackFilePath } from '../../stacks/synth-output';

export const PROJECT_DIR = path.join(__dirname, '..', '..');
/** The HMAC evidence key of fault and crash runs (a test-only secret). */
export const CAMPAIGN_EVIDENCE_KEY = 'conngate-fault-campaign-key-not-secret';

/**
 * Applies a stage like `cdktf deploy` would, through the real local apply stand-in, from stacks synthesized once
 * (with and without the association) with the current function file's code put in: the real synth takes seconds,
 * and hundreds of fault and crash runs only change the code. Terraform's own state stays in <stateDir>/local-state.
 */
export class TemplateApplier implements Applier {
  readonly kind = 'local apply (emulator, pre-synthesized)';
  constructor(private readonly p: { templatesDir: string; dir: string; stateDir: string; cf: CloudFrontClient; kvs: CloudFrontKeyValueStoreClient; stages: StageSpec[] }) {}

  async apply(stage: string, opts: { associate: boolean }): Promise<StageOutputs> {
    const spec = this.p.stages.find((s) => s.name === stage)!;
    const outdir = path.join(this.p.stateDir, 'cdktf.out');
    const doc = JSON.parse(fs.readFileSync(stackFilePath(path.join(this.p.templatesDir, opts.associate ? 'associated' : 'unassociated'), stage), 'utf8'));
    const code = fs.readFileSync(spec.functionFile, 'utf8');
    for (const fn of Object.values(doc.resource.aws_cloudfront_connection_function as Record<string, { connection_function_code: string }>)) fn.connection_function_code = code;
    doc.output.candidate_sha256.value = candidateSha256(code);
    const file = stackFilePath(outdir, stage);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(doc));
    const applier = new LocalApplier({ cf: this.p.cf, kvs: this.p.kvs, cwd: this.p.dir, outdir, stateDir: this.p.stateDir,
      resynthesize: 'when-association-changes', wait: { intervalMs: 20, timeoutMs: 60_000 } });
    return applier.apply(stage, opts);
  }
}

/** A scratch cdktf project with stacks synthesized once, for pipelines run against one emulator endpoint. */
export class CampaignProject {
  readonly dir: string;
  readonly stateDir: string;
  readonly templatesDir: string;
  readonly stages: StageSpec[];
  readonly keys = new EvidenceKeyring(hmacSigner(CAMPAIGN_EVIDENCE_KEY));
  cf!: CloudFrontClient;
  kvs!: CloudFrontKeyValueStoreClient;

  private constructor(dir: string) {
    this.dir = dir;
    this.stateDir = path.join(dir, '.conngate');
    this.templatesDir = path.join(dir, 'templates');
    this.stages = stageSpecsFrom(loadStageConfigs(dir));
  }

  /** `stageNames`: a chain of stages, each promoting from the one before (default dev -> staging -> prod). */
  static async create(prefix: string, stageNames?: string[]): Promise<CampaignProject> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    prepareWorkdir(PROJECT_DIR, dir, stageNames ? { stages: Object.fromEntries(stageNames.map((n) => [n, {}])) } : undefined);
    const p = new CampaignProject(dir);
    const names = p.stages.map((s) => s.name);
    await synthesizeStacks(names, { unassociated: [], cwd: dir, outdir: path.join(p.templatesDir, 'associated'), progress: () => undefined });
    await synthesizeStacks(names, { unassociated: names, cwd: dir, outdir: path.join(p.templatesDir, 'unassociated'), progress: () => undefined });
    return p;
  }

  /** The project `create` made, from another process (a crash-run child). */
  static open(dir: string): CampaignProject {
    return new CampaignProject(dir);
  }

  get fnFile(): string {
    return path.join(this.dir, 'functions', 'revocation-check.js');
  }

  /**
   * Clients for the endpoint. `fastRetries`: the SDK's standard retry strategy with millisecond backoff instead of
   * its 100-500 ms base, so hundreds of injected throttles and 5xx cost little wall time (the retries are real).
   */
  connect(endpoint: string, opts: { fastRetries?: boolean } = {}): void {
    this.cf = createCloudFrontClient({ endpoint, region: 'us-east-1' });
    this.kvs = createKvsClient({ endpoint, region: 'us-east-1' });
    if (opts.fastRetries) {
      for (const c of [this.cf, this.kvs]) {
        (c.config as unknown as { retryStrategy: () => Promise<unknown> }).retryStrategy = async () => new ConfiguredRetryStrategy(3, (attempt) => 5 * attempt);
      }
    }
  }

  applier(): TemplateApplier {
    return new TemplateApplier({ templatesDir: this.templatesDir, dir: this.dir, stateDir: this.stateDir, cf: this.cf, kvs: this.kvs, stages: this.stages });
  }

  context(opts: { progress?: Progress; keys?: EvidenceKeyring; leaseTtlMs?: number } = {}): PipelineContext {
    return {
      cf: this.cf, kvs: this.kvs, keys: opts.keys ?? this.keys, stages: this.stages,
      outputs: new OutputsStore(path.join(this.stateDir, 'outputs.json')),
      limiter: new RateLimiter({ concurrency: 8, ratePerSecond: 0 }), stateDir: this.stateDir,
      progress: opts.progress ?? silentProgress, liveSuite: 'smoke', interrupt: new InterruptGuard(),
      wait: { intervalMs: 20, timeoutMs: 60_000 }, leaseTtlMs: opts.leaseTtlMs,
    };
  }

  /** A fresh runner: every local file conngate keeps is gone, only Terraform's own state (local-state) remains. */
  freshRunner(): void {
    if (!fs.existsSync(this.stateDir)) return;
    for (const entry of fs.readdirSync(this.stateDir)) {
      if (entry !== 'local-state') fs.rmSync(path.join(this.stateDir, entry), { recursive: true, force: true });
    }
  }

  spec(stage: string): StageSpec {
    return this.stages.find((s) => s.name === stage)!;
  }

  /** Why LIVE of the stage does not run code with valid evidence for that stage (I1), or undefined when it does. */
  async liveProblem(stage: string): Promise<string | undefined> {
    const spec = this.spec(stage);
    const live = await tryReadFunctionStage(this.cf, spec.functionName, 'LIVE');
    if (!live) return 'no LIVE stage';
    return (await liveEvidenceCheck(this.cf, this.kvs, this.keys, spec, live, loadRemoteCases(spec).suiteSha256)).problem;
  }

  async liveSha(stage: string): Promise<string | undefined> {
    return (await tryReadFunctionStage(this.cf, this.spec(stage).functionName, 'LIVE'))?.sha256;
  }

  /** Every key of a store, paging through ListKeys. */
  async storeKeys(kvsArn: string): Promise<Map<string, string>> {
    const keys = new Map<string, string>();
    let next: string | undefined;
    do {
      const out = await this.kvs.send(new ListKeysCommand({ KvsARN: kvsArn, NextToken: next, MaxResults: 50 }));
      for (const i of out.Items ?? []) keys.set(i.Key!, i.Value!);
      next = out.NextToken;
    } while (next);
    return keys;
  }

  /** The serial keys of a store (everything but conngate's reserved keys). */
  async storeSerials(kvsArn: string): Promise<string[]> {
    return [...(await this.storeKeys(kvsArn)).keys()].filter((k) => !isReservedKey(k)).sort();
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
