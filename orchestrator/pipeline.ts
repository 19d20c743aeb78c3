import * as fs from 'node:fs';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { candidateSha256, shortSha } from './candidate';
import { summarize, type SuiteRunSummary } from './case-result';
import { appendLedger, writeEvidenceTags, type EvidenceRecord } from './evidence';
import { publishAndWait, readFunctionStage, restoreAndPublish, tryReadFunctionStage, type FunctionStageState, type WaitOptions } from './function-stages';
import { checkGate, type GateResult } from './gate';
import { InterruptGuard } from './interrupt-guard';
import type { OutputsStore } from './outputs-store';
import type { Progress } from './progress';
import type { RateLimiter } from './rate-limiter';
import { runRemoteSuite, type RemoteCase } from './remote-suite';
import { writeRunReports } from './run-reports';
import type { StageOutputs } from './stage-outputs';
import { StageLock } from './stage-lock';
import { StepError } from './step-error';
import { loadRemoteCases, type LoadedCases } from './suite-cases';
import type { StageSpec } from './stage-spec';

/** Applies a stage's Terraform (for real through cdktf, or the local stand-in against the emulator). */
export interface Applier {
  readonly kind: string;
  /** Applies the stage; `associate: false` leaves the distribution's function association out (first deploy). */
  apply(stage: string, opts: { associate: boolean }): Promise<StageOutputs>;
}

export interface PipelineContext {
  cf: CloudFrontClient;
  stages: StageSpec[];
  outputs: OutputsStore;
  limiter: RateLimiter;
  /** Folder for the ledger, reports and locks (default .conngate). */
  stateDir: string;
  progress: Progress;
  /** Which cases verify LIVE: the suite's smoke subset (falls back to all when none is marked) or every case. */
  liveSuite: 'smoke' | 'full';
  interrupt: InterruptGuard;
  wait?: WaitOptions;
}

export type StageOutcome = 'verified' | 'failed-development' | 'rolled-back' | 'refused' | 'failed';

export interface StepRecord { name: string; status: 'ok' | 'skipped' | 'failed'; detail: string; durationMs: number }

/** Everything one stage run did: the input to evidence, reports and the CLI's exit code. */
export interface StageRunReport {
  stage: string;
  outcome: StageOutcome;
  candidateSha256: string;
  previousLiveSha256?: string;
  /** The candidate's code and the LIVE code it replaces, for the reports' diff (undefined when not read). */
  candidateCode?: string;
  previousLiveCode?: string;
  suiteSha256?: string;
  functionName?: string;
  functionId?: string;
  gate?: GateResult;
  firstDeploy: boolean;
  published: boolean;
  steps: StepRecord[];
  development?: SuiteRunSummary;
  live?: SuiteRunSummary;
  message: string;
  startedAt: string;
  finishedAt: string;
  reports?: { junit: string; markdown: string; html?: string };
}

class StageRun {
  readonly report: StageRunReport;
  constructor(readonly ctx: PipelineContext, readonly spec: StageSpec, candidate: string) {
    this.report = { stage: spec.name, outcome: 'failed', candidateSha256: candidate, firstDeploy: false, published: false,
      steps: [], message: '', startedAt: new Date().toISOString(), finishedAt: '' };
  }

  /**
   * Runs one step with progress and a record; a thrown error marks the step failed and propagates. `met` says
   * whether the step reached its aim (a suite step that ran but saw failures is failed, not ok).
   */
  async step<T>(name: string, text: string, work: () => Promise<T>, doneText?: (v: T) => string, met?: (v: T) => boolean): Promise<T> {
    const started = Date.now();
    this.ctx.progress.start(`${this.spec.name}: ${text}`);
    try {
      const v = await work();
      const detail = doneText ? doneText(v) : text;
      const ok = met ? met(v) : true;
      this.report.steps.push({ name, status: ok ? 'ok' : 'failed', detail, durationMs: Date.now() - started });
      if (ok) this.ctx.progress.done(`${this.spec.name}: ${detail}`);
      else this.ctx.progress.fail(`${this.spec.name}: ${detail}`);
      return v;
    } catch (e) {
      const msg = (e as Error).message;
      this.report.steps.push({ name, status: 'failed', detail: msg, durationMs: Date.now() - started });
      this.ctx.progress.fail(msg.startsWith(`${this.spec.name}: `) ? msg : `${this.spec.name}: ${name} failed: ${msg}`);
      throw e;
    }
  }

  skip(name: string, detail: string) {
    this.report.steps.push({ name, status: 'skipped', detail, durationMs: 0 });
    this.ctx.progress.info(`   ${this.spec.name}: ${detail}`);
  }

  async runSuite(target: 'DEVELOPMENT' | 'LIVE', fn: FunctionStageState, functionId: string, cases: RemoteCase[]): Promise<SuiteRunSummary> {
    return this.step(`test ${target}`, `testing ${target} (${cases.length} cases)`, async () => {
      const results = await runRemoteSuite({
        cf: this.ctx.cf, functionId, etag: fn.etag, stage: target, cases, limiter: this.ctx.limiter,
        onCase: (_r, done, total) => this.ctx.progress.update(`${done}/${total}`),
      });
      return summarize(target, results, cases);
    }, (s) => `${target}: ${s.passed}/${s.total} cases passed${s.maxComputeUtilization !== undefined ? `, max utilization ${s.maxComputeUtilization}` : ''}`,
    (s) => s.failed === 0);
  }
}

function liveCases(loaded: LoadedCases, mode: 'smoke' | 'full'): RemoteCase[] {
  if (mode === 'full') return loaded.cases;
  return loaded.smoke.length ? loaded.smoke : loaded.cases;
}

function failedCaseLines(s: SuiteRunSummary): string {
  return s.results.filter((r) => !r.passed).slice(0, 5).map((r) => `${r.name}: ${r.message}`).join('; ');
}

/**
 * The whole post-apply pipeline for one stage: gate, (apply), test DEVELOPMENT, publish, verify LIVE (rolling back
 * on failure), (apply the association on a first deploy), and evidence. `applier` undefined = verify mode, for
 * runs where Terraform applied elsewhere: the candidate is then whatever DEVELOPMENT holds.
 */
export async function runStagePipeline(ctx: PipelineContext, stageName: string, applier?: Applier): Promise<StageRunReport> {
  const spec = ctx.stages.find((s) => s.name === stageName);
  if (!spec) {
    throw new StepError(stageName, `unknown stage "${stageName}"`, `use one of: ${ctx.stages.map((s) => s.name).join(', ')}`, 2);
  }
  const lock = StageLock.acquire(ctx.stateDir, spec.name);
  try {
    return await runLocked(ctx, spec, applier);
  } finally {
    lock.release();
  }
}

async function runLocked(ctx: PipelineContext, spec: StageSpec, applier?: Applier): Promise<StageRunReport> {
  const { cf, progress, interrupt } = ctx;
  const cases = loadRemoteCases(spec);
  let outputs: StageOutputs | undefined = applier ? undefined : ctx.outputs.require(spec.name);
  // The candidate: the local function file when we apply it ourselves; DEVELOPMENT's code in verify mode (read once
  // here and tested below as it is).
  const devInVerifyMode = outputs && await readFunctionStage(cf, outputs.functionId, 'DEVELOPMENT');
  const candidateBytes = devInVerifyMode ? devInVerifyMode.code : fs.readFileSync(spec.functionFile);
  const candidate = candidateSha256(candidateBytes);
  const run = new StageRun(ctx, spec, candidate);
  const r = run.report;
  r.candidateCode = Buffer.from(candidateBytes).toString('utf8');
  r.suiteSha256 = cases.suiteSha256;
  progress.info(`▶ ${spec.name}: candidate ${shortSha(candidate)} (${spec.functionFile})`);

  const finish = (outcome: StageOutcome, message: string): StageRunReport => {
    r.outcome = outcome;
    r.message = message;
    r.finishedAt = new Date().toISOString();
    return r;
  };
  const record = async (event: EvidenceRecord['event'], detail: string, o?: StageOutputs, devEtag?: string, liveEtag?: string) => {
    const ev: EvidenceRecord = {
      event, stage: spec.name, candidateSha256: candidate, suiteSha256: cases.suiteSha256,
      functionId: o?.functionId, functionArn: o?.functionArn, devEtag, liveEtag,
      development: r.development && { ...r.development, results: undefined } as EvidenceRecord['development'],
      live: r.live && { ...r.live, results: undefined } as EvidenceRecord['live'],
      detail, time: new Date().toISOString(),
    };
    appendLedger(`${ctx.stateDir}/ledger.jsonl`, ev);
    if (o?.functionArn && event !== 'refused') await writeEvidenceTags(cf, o.functionArn, ev);
    r.reports = writeRunReports(ctx.stateDir, r);
  };

  // a. gate
  if (spec.promotesFrom) {
    try {
      r.gate = await run.step('gate', `checking the gate from ${spec.promotesFrom}`,
        () => checkGate(ctx, spec, candidate),
        (g) => `gate open: ${g.upstream} runs ${shortSha(g.upstreamLiveSha256)} in LIVE and its suite passed there`);
    } catch (e) {
      if (!(e instanceof StepError)) throw e;
      finish('refused', e.message);
      await record('refused', e.message);
      return r;
    }
  } else {
    run.skip('gate', `no upstream stage: ${spec.name} accepts any candidate that passes its suite`);
  }
  interrupt.checkpoint('apply');

  // b. apply (first deploy: without the association, which needs a LIVE function)
  if (applier) {
    // The function's name comes from the stage config (the stack declares the same name), so no synth is needed
    // just to learn whether this is a first deploy.
    const liveBefore = await tryReadFunctionStage(cf, spec.functionName, 'LIVE');
    r.firstDeploy = !liveBefore;
    r.previousLiveSha256 = liveBefore?.sha256;
    r.previousLiveCode = liveBefore && Buffer.from(liveBefore.code).toString('utf8');
    outputs = await run.step('apply', r.firstDeploy
      ? `applying ${spec.name} with ${applier.kind} (first deploy: without the function association)`
      : `applying ${spec.name} with ${applier.kind}`,
    () => applier.apply(spec.name, { associate: !r.firstDeploy }), (o) => `applied: function ${o.functionName} (${o.functionId})`);
    ctx.outputs.write(spec.name, outputs);
  }
  const out = outputs!;
  r.functionName = out.functionName;
  r.functionId = out.functionId;
  interrupt.checkpoint('testing');

  // c. test DEVELOPMENT
  const dev = devInVerifyMode ?? await readFunctionStage(cf, out.functionId, 'DEVELOPMENT');
  if (dev.sha256 !== candidate) {
    const msg = `DEVELOPMENT holds ${shortSha(dev.sha256)}, not the candidate ${shortSha(candidate)}: the function changed outside this run`;
    finish('failed', msg);
    await record('failed', msg, out, dev.etag);
    throw new StepError(`${spec.name}: test DEVELOPMENT`, msg, 're-run the deploy so the candidate is applied and tested again');
  }
  r.development = await run.runSuite('DEVELOPMENT', dev, out.functionId, cases.cases);
  if (r.development.failed > 0) {
    const msg = `${r.development.failed} of ${r.development.total} cases failed in DEVELOPMENT; LIVE was not changed (${failedCaseLines(r.development)})`;
    finish('failed-development', msg);
    await record('failed', msg, out, dev.etag);
    return r;
  }
  interrupt.checkpoint('publishing');

  // d-e. publish and verify LIVE, as one unit an interrupt cannot split
  return interrupt.critically(async () => {
    const previousLive = await tryReadFunctionStage(cf, out.functionId, 'LIVE');
    r.previousLiveSha256 = previousLive?.sha256;
    r.previousLiveCode = previousLive && Buffer.from(previousLive.code).toString('utf8');
    if (previousLive?.sha256 === candidate) {
      run.skip('publish', `LIVE already runs ${shortSha(candidate)}; not publishing again`);
    } else {
      await run.step('publish', `publishing ${shortSha(candidate)} to LIVE`, () => publishAndWait(cf, out.functionId, dev.etag, ctx.wait),
        (s) => `published to LIVE (status ${s.Status})`);
      r.published = true;
    }
    const live = await readFunctionStage(cf, out.functionId, 'LIVE');
    if (live.sha256 !== candidate) {
      // Someone else published after us: theirs is not ours to roll back.
      const msg = `LIVE holds ${shortSha(live.sha256)}, not ${shortSha(candidate)}: another deploy published after this one`;
      finish('failed', msg);
      await record('failed', msg, out, dev.etag, live.etag);
      throw new StepError(`${spec.name}: verify LIVE`, msg, 'check `conngate status` and re-run the deploy of the candidate you want');
    }
    r.live = await run.runSuite('LIVE', live, out.functionId, liveCases(cases, ctx.liveSuite));
    if (r.live.failed > 0) {
      const why = `${r.live.failed} of ${r.live.total} cases failed in LIVE (${failedCaseLines(r.live)})`;
      if (r.published && previousLive) {
        await run.step('rollback', `rolling LIVE back to ${shortSha(previousLive.sha256)}`,
          () => restoreAndPublish(cf, out.functionId, previousLive.code, ctx.wait), () => `LIVE rolled back to ${shortSha(previousLive.sha256)}`);
        const msg = `${why}; LIVE was rolled back to ${shortSha(previousLive.sha256)}`;
        finish('rolled-back', msg);
        await record('rolled-back', msg, out, dev.etag, live.etag);
      } else {
        const msg = r.published
          ? `${why}; there is no earlier LIVE code to roll back to (first publish); the function is not associated with the distribution yet`
          : `${why}; LIVE was already this candidate before this run`;
        finish('failed', msg);
        await record('failed', msg, out, dev.etag, live.etag);
      }
      return r;
    }

    // first deploy: now that LIVE exists and is verified, apply again with the association
    if (applier && r.firstDeploy) {
      const o2 = await run.step('associate', `applying ${spec.name} again with the function association`,
        () => applier.apply(spec.name, { associate: true }), () => 'function associated with the distribution');
      ctx.outputs.write(spec.name, o2);
    }
    finish('verified', `${shortSha(candidate)} verified in LIVE (${r.live.passed}/${r.live.total} cases)`);
    await record('verified', r.message, out, dev.etag, live.etag);
    return r;
  });
}
