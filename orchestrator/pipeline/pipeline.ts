import * as fs from 'node:fs';
import * as path from 'node:path';
import { ListDistributionsByConnectionFunctionCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { candidateSha256, shortSha } from '../stage/candidate';
import { appendLedger, type EvidenceRecord } from '../evidence/evidence';
import type { EvidenceKeyring } from '../signing/evidence-signing';
import { isNotFound, publishAndWait, readFunctionStage, type FunctionStageState } from '../stage/function-stages';
import { checkGate } from '../policies/gate';
import { replayForStage, replayGroupLine, stageStoreEntries } from '../replay/stage-replay';
import { replaySummaryLine } from '../replay/replay-report';
import { LiveRecovery } from './live-recovery';
import { notifyStageOutcome } from '../reports/stage-notifier';
import { ReservedStore } from '../records/reserved-store';
import { rollbackTargetSha, saveRollbackTarget } from '../records/rollback-target';
import { writeRunReports } from '../reports/run-reports';
import type { StageOutputs } from '../stage/stage-outputs';
import { confirmStageIdentity, notStageDistribution } from './stage-identity';
import { StageLease } from '../records/stage-lease';
import { StageLock } from '../records/stage-lock';
import { errText, failedCaseLines, liveCases, StageRun } from './stage-run';
import { findStoreArn } from '../records/stage-store';
import { NothingPublished, StepError } from '../stage/step-error';
import { waitForTrustStoreActive } from '../stage/trust-store-readiness';
import { printable } from '../../diagnostics/untrusted-text';
import { loadRemoteCases, type LoadedCases } from '../suite/suite-cases';
import type { StageSpec } from '../stage/stage-spec';
import { runLocation } from '../stage/run-location';
import type { Applier, PipelineContext } from './pipeline-context';
import { prepareFuzzStep, type FuzzStep } from './fuzz-step';
import type { StageOutcome, StageRunReport } from '../reports/stage-run-report';

export type { Applier, PipelineContext } from './pipeline-context';
export type { StageOutcome, StageRunReport, StepRecord } from '../reports/stage-run-report';

/**
 * The whole post-apply pipeline for one stage: lock and lease, recovery of an unverified LIVE, gate, (apply), test
 * DEVELOPMENT, publish, verify LIVE (rolling back on any failure), evidence, (association on a first deploy).
 * `applier` undefined = verify mode, for runs where Terraform applied elsewhere: the candidate is then whatever
 * DEVELOPMENT holds.
 */
export async function runStagePipeline(ctx: PipelineContext, stageName: string, applier?: Applier): Promise<StageRunReport> {
  const spec = ctx.stages.find((s) => s.name === stageName);
  if (!spec) {
    throw new StepError(stageName, `unknown stage "${stageName}"`, `use one of: ${ctx.stages.map((s) => s.name).join(', ')}`, 2);
  }
  const keys = await ctx.keys;
  const ledger = path.join(ctx.stateDir, 'ledger.jsonl');
  const lock = StageLock.acquire(ctx.stateDir, spec.name, {
    force: ctx.forceUnlock,
    onForced: (holder) => forcedUnlock(ctx, spec, ledger, `local lock of ${holder}`),
  });
  let run: LockedRun | undefined;
  try {
    run = new LockedRun(ctx, spec, keys, ledger, applier);
    return await run.execute();
  } finally {
    lock.release();
    // Every run that reached an outcome is told, also one that ends by throwing it (a lost publish race, LIVE
    // changed outside the lease); in the background: never delays or fails the run.
    const ended = run?.finishedReport();
    if (ended) notifyStageOutcome(spec, ended, ctx.notify);
  }
}

function forcedUnlock(ctx: PipelineContext, spec: StageSpec, ledger: string, what: string): void {
  ctx.progress.info(`   ${spec.name}: --force-unlock: broke the ${what}`);
  appendLedger(ledger, { event: 'force-unlock', stage: spec.name, candidateSha256: '', detail: `--force-unlock broke the ${what}`, time: new Date().toISOString() });
}

/** Whether any distribution is associated with the function now. */
async function distributionAssociates(cf: CloudFrontClient, functionId: string): Promise<boolean> {
  try {
    const out = await cf.send(new ListDistributionsByConnectionFunctionCommand({ ConnectionFunctionIdentifier: functionId }));
    return (out.DistributionList?.Items?.length ?? 0) > 0;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

class LockedRun {
  private readonly steps: StageRun;
  private readonly r: StageRunReport;
  private readonly cases: LoadedCases;
  private store?: ReservedStore;
  private lease?: StageLease;
  private outputs?: StageOutputs;
  private readonly snapshotDir: string;
  private readonly recovery: LiveRecovery;
  private readonly fuzz: FuzzStep | undefined;

  constructor(private readonly ctx: PipelineContext, private readonly spec: StageSpec, private readonly keys: EvidenceKeyring,
    private readonly ledger: string, private readonly applier: Applier | undefined) {
    this.cases = loadRemoteCases(spec);
    this.fuzz = prepareFuzzStep(spec, this.cases.suite);
    this.steps = new StageRun(ctx, spec);
    this.r = this.steps.report;
    this.r.suiteSha256 = this.cases.suiteSha256;
    this.snapshotDir = path.join(path.dirname(ctx.outputs.file), 'revocation-snapshots');
    this.recovery = new LiveRecovery(ctx, spec, keys, this.cases, this.steps, {
      store: () => this.store,
      functionId: () => this.outputs?.functionId ?? this.r.functionId ?? spec.functionName,
      record: (event, detail, extra) => this.record(event, detail, extra),
      assertLease: async (write) => { await this.lease?.assertHeld(write); },
    });
  }

  private get candidate(): string {
    return this.r.candidateSha256;
  }

  /** The run's report once it reached an outcome (whether it returned it or threw it), else undefined. */
  finishedReport(): StageRunReport | undefined {
    return this.r.finishedAt ? this.r : undefined;
  }

  private finish(outcome: StageOutcome, message: string): StageRunReport {
    this.r.outcome = outcome;
    this.r.message = message;
    this.r.finishedAt = new Date().toISOString();
    return this.r;
  }

  /** The ledger line and reports of the run (local, for people); never what a gate reads. */
  private record(event: EvidenceRecord['event'], detail: string, extra: Partial<EvidenceRecord> = {}): void {
    const r = this.r;
    if (this.ctx.targetOf) r.where = runLocation(this.spec.name, this.ctx.targetOf(this.spec.name), this.outputs?.functionArn);
    appendLedger(this.ledger, {
      ...(r.where ? { where: r.where } : {}), event, stage: this.spec.name, candidateSha256: this.candidate, suiteSha256: this.cases.suiteSha256,
      functionId: this.outputs?.functionId ?? r.functionId, functionArn: this.outputs?.functionArn,
      development: r.development && { ...r.development, results: undefined } as EvidenceRecord['development'],
      live: r.live && { ...r.live, results: undefined } as EvidenceRecord['live'],
      detail, time: new Date().toISOString(), ...extra,
    });
    r.reports = writeRunReports(this.ctx.stateDir, r);
  }

  private async takeLease(kvsArn: string): Promise<void> {
    this.store = new ReservedStore(this.ctx.kvs, kvsArn, this.snapshotDir);
    const store = this.store;
    this.lease = await this.steps.step('lease', `taking the lease on ${this.spec.name} in its KeyValueStore`,
      () => StageLease.acquire(store, {
        stage: this.spec.name, ttlMs: this.ctx.leaseTtlMs, force: this.ctx.forceUnlock,
        onForced: (prev) => forcedUnlock(this.ctx, this.spec, this.ledger, `lease of runner ${prev.holder.slice(0, 8)} (pid ${prev.pid} on ${prev.host}, since ${prev.since})`),
      }), (l) => `lease taken (until ${l.record.expiresAt}, renewed while this run lives)`);
  }

  async execute(): Promise<StageRunReport> {
    const { ctx, spec } = this;
    if (!this.applier) {
      // The outputs only select: before anything is read as the candidate, CloudFront confirms they name this
      // stage's function and store (stage-identity.ts).
      const given = ctx.outputs.require(spec.name);
      await confirmStageIdentity(ctx.cf, spec, given, ctx.outputs.file);
      this.outputs = given;
    }
    // The candidate: the local function file when we apply it ourselves; DEVELOPMENT's code in verify mode.
    const devInVerifyMode = this.outputs && await readFunctionStage(ctx.cf, this.outputs.functionId, 'DEVELOPMENT');
    const candidateBytes = devInVerifyMode ? devInVerifyMode.code : fs.readFileSync(spec.functionFile);
    this.r.candidateSha256 = candidateSha256(candidateBytes);
    this.r.candidateCode = Buffer.from(candidateBytes).toString('utf8');
    ctx.progress.info(`▶ ${spec.name}: candidate ${shortSha(this.candidate)} (${spec.functionFile})`);
    try {
      const storeArn = this.outputs?.kvsArn ?? await findStoreArn(ctx.cf, spec.storeName);
      if (storeArn) await this.takeLease(storeArn);
      return await this.afterLease();
    } finally {
      await this.lease?.release();
    }
  }

  private async afterLease(): Promise<StageRunReport> {
    const { ctx, spec, steps: run, r } = this;
    // Before anything else, LIVE must run verified code: a run killed after publishing left it unverified.
    const state = await ctx.interrupt.critically(() => this.recovery.recover());
    // Known before any step that can refuse or fail, so every report shows what LIVE ran.
    r.previousLiveSha256 = state.live?.sha256;
    r.previousLiveCode = state.live && Buffer.from(state.live.code).toString('utf8');

    // a. gate
    if (spec.promotesFrom) {
      try {
        r.gate = await run.step('gate', `checking the gate from ${spec.promotesFrom}`,
          () => checkGate(ctx, this.keys, spec, this.candidate, ctx),
          (g) => `gate open: ${g.upstream} runs ${shortSha(g.upstreamLiveSha256)} in LIVE with signed evidence (key ${g.evidenceKeyId}) that its suite passed there${g.policyOverride ? `; ${g.policyOverride}` : ''}`);
      } catch (e) {
        if (!(e instanceof StepError) || e.exitCode === 2) throw e;
        this.finish('refused', e.message);
        this.record('refused', e.message);
        return r;
      }
    } else {
      run.skip('gate', `no upstream stage: ${spec.name} accepts any candidate that passes its suite`);
    }
    // a2. replay gate: before anything is applied or published, the stage's logged connections decide whether the
    // candidate changes more decisions than the stage allows.
    if (spec.replay && await this.replayRefuses(state.live)) return r;
    ctx.interrupt.checkpoint('apply');

    // b. apply. The association is applied only with a LIVE that verifies (or one that did before and is
    // associated already): a first deploy, or a stage whose LIVE never passed, is applied without it.
    // "Associated already" is read from the distribution itself: the store's records can be planted by anyone who
    // can write to it, and must never get an unverified LIVE associated.
    let associated = state.verified || (!!this.applier && !!state.live && await distributionAssociates(ctx.cf, state.live.summary.Id!));
    if (this.applier) {
      r.firstDeploy = !associated;
      const applier = this.applier;
      this.outputs = await run.step('apply', r.firstDeploy
        ? `applying ${spec.name} with ${applier.kind} (first deploy: no verified LIVE yet, so without the function association)`
        : `applying ${spec.name} with ${applier.kind}`,
      () => applier.apply(spec.name, { associate: associated }), (o) => `applied: function ${o.functionName} (${o.functionId})`);
      // What the apply's state says is confirmed like any outputs: a state pointing at another stage's resources
      // must not get them tested and published as this stage's.
      await confirmStageIdentity(ctx.cf, spec, this.outputs, `the ${applier.kind} apply's outputs`);
      ctx.outputs.write(spec.name, this.outputs);
      if (!this.lease) await this.takeLease(this.outputs.kvsArn);
    }
    const out = this.outputs!;
    r.functionName = out.functionName;
    r.functionId = out.functionId;

    // What a rollback needs is stored before anything is published: the verified LIVE code, in the stage's store.
    if (state.verified && state.live && state.evidence && this.store && await rollbackTargetSha(this.store) !== state.live.sha256) {
      const store = this.store;
      const { live, evidence } = state;
      await run.step('rollback target', `recording ${shortSha(live.sha256)} as the rollback target`,
        async () => { await this.lease?.assertHeld('the rollback target'); await saveRollbackTarget(store, live.code, evidence); }, () => `rollback target ${shortSha(live.sha256)} recorded in the stage's KeyValueStore`);
    }
    ctx.interrupt.checkpoint('testing');

    // c. test DEVELOPMENT
    // Read again even in verify mode: a recovery above may have restored older code through DEVELOPMENT.
    const dev = await readFunctionStage(ctx.cf, out.functionId, 'DEVELOPMENT');
    if (dev.sha256 !== this.candidate) {
      const msg = `DEVELOPMENT holds ${shortSha(dev.sha256)}, not the candidate ${shortSha(this.candidate)}: the function changed outside this run${r.recovery ? ` (${r.recovery})` : ''}`;
      this.finish('failed', msg);
      this.record('failed', msg, { devEtag: dev.etag });
      throw new StepError(`${spec.name}: test DEVELOPMENT`, msg, 're-run the deploy (or the apply, then verify) so the candidate is applied and tested again');
    }
    r.development = await run.runSuite('DEVELOPMENT', dev, out.functionId, this.cases.cases);
    if (r.development.failed > 0) {
      const msg = `${r.development.failed} of ${r.development.total} cases failed in DEVELOPMENT; LIVE was not changed (${failedCaseLines(r.development)})`;
      this.finish('failed-development', msg);
      this.record('failed', msg, { devEtag: dev.etag });
      return r;
    }
    // Generated connections, before anything is published: a broken property keeps the candidate out of LIVE.
    if (this.fuzz) {
      const fuzz = this.fuzz;
      const code = Buffer.from(dev.code).toString('utf8');
      r.fuzz = await run.step('fuzz', `fuzzing ${shortSha(this.candidate)} with ${fuzz.cases} generated connections (${fuzz.properties.join(', ')})`,
        () => fuzz.run(code, this.candidate, ctx.kvs, out.kvsArn, this.snapshotDir),
        (f) => (f.finding ? `property ${f.finding.property} broken by generated case ${f.finding.caseIndex + 1} (seed ${f.seed}): ${f.finding.reason}`
          : `no property broken in ${f.casesRun} generated connections (seed ${f.seed}, revoked set: ${f.revokedCount} serials)`),
        (f) => !f.finding);
      if (r.fuzz.finding) {
        const msg = `fuzz: property ${r.fuzz.finding.property} broken by a generated connection (seed ${r.fuzz.seed}); LIVE was not changed; the counterexample and its suite case are in the reports`;
        this.finish('failed-development', msg);
        this.record('failed', msg, { devEtag: dev.etag });
        return r;
      }
    }
    ctx.interrupt.checkpoint('publishing');

    // d-f. publish, verify LIVE, roll back on any failure, evidence, association: one unit an interrupt cannot split
    return ctx.interrupt.critically(async () => {
      const previous = state.verified ? state.live : undefined;
      let live: FunctionStageState;
      if (state.verified && state.live?.sha256 === this.candidate) {
        run.skip('publish', `LIVE already runs ${shortSha(this.candidate)}, verified in ${spec.name} (signed evidence of ${state.evidence?.time}); not publishing again`);
        live = state.live;
      } else {
        try {
          if (this.lease) await this.lease.assertHeld();
          await run.step('publish', `publishing ${shortSha(this.candidate)} to LIVE`, () => publishAndWait(ctx.cf, out.functionId, dev.etag, ctx.wait),
            (s) => `published to LIVE (status ${s.Status})`);
        } catch (e) {
          if (e instanceof NothingPublished) {
            // A lost race or a lost lease: certainly nothing was published, LIVE is as it was.
            this.finish('failed', e.message);
            this.record('failed', e.message, { devEtag: dev.etag });
            throw e;
          }
          // A publish request or its wait failed with an unknown outcome: LIVE may run the candidate, unverified.
          r.published = true;
          return this.rollBack(previous, `publishing did not complete (${errText(e)})`);
        }
        r.published = true;
        try {
          live = await readFunctionStage(ctx.cf, out.functionId, 'LIVE');
        } catch (e) {
          return this.rollBack(previous, `LIVE could not be read after publishing (${errText(e)})`);
        }
        if (live.sha256 !== this.candidate) {
          // Someone published after us, outside this pipeline's lease: theirs is not ours to roll back here; the
          // next run finds it unverified and tests it (or restores the last verified code).
          const msg = `LIVE holds ${shortSha(live.sha256)}, not ${shortSha(this.candidate)}: something published after this run, outside its lease; re-run to test it or restore the last verified code`;
          this.finish('failed', msg);
          this.record('failed', msg, { liveEtag: live.etag, liveSha256: live.sha256 });
          throw new StepError(`${spec.name}: verify LIVE`, msg, 'check `conngate status` and re-run the deploy of the candidate you want');
        }
        try {
          r.live = await run.runSuite('LIVE', live, out.functionId, liveCases(this.cases, ctx.liveSuite));
        } catch (e) {
          return this.rollBack(previous, `LIVE verification could not complete (${errText(e)})`);
        }
        if (r.live.failed > 0) {
          return this.rollBack(previous, `${r.live.failed} of ${r.live.total} cases failed in LIVE (${failedCaseLines(r.live)})`);
        }
        try {
          await run.step('evidence', 'signing the evidence', () => this.recovery.recordVerified(live),
            (e) => `evidence signed (key ${e.keyId}) and recorded on the function; rollback target recorded`);
        } catch (e) {
          const msg = `${shortSha(this.candidate)} passed in LIVE but its evidence could not be recorded (${errText(e)}); a re-run tests LIVE again and records it`;
          this.finish('failed', msg);
          this.record('failed', msg, { liveEtag: live.etag });
          return r;
        }
      }

      // The association follows verified, recorded evidence: never a LIVE that did not pass.
      if (this.applier && !associated && !spec.externalDistribution) {
        const applier = this.applier;
        if (out.trustStoreId) await this.trustStoreReady(run, out.trustStoreId, live);
        const o2 = await run.step('associate', `applying ${spec.name} again with the function association`,
          () => applier.apply(spec.name, { associate: true }), () => 'function associated with the distribution');
        ctx.outputs.write(spec.name, o2);
        associated = true;
      }
      r.finalLiveSha256 = live.sha256;
      this.finish('verified', r.published
        ? `${shortSha(this.candidate)} verified in LIVE (${r.live!.passed}/${r.live!.total} cases)`
        : `${shortSha(this.candidate)} is LIVE and verified (evidence of ${state.evidence?.time ?? 'this run'})`);
      this.record('verified', r.message, { liveEtag: live.etag });
      return r;
    });
  }

  /**
   * Replays the stage's connection logs against the LIVE code and the candidate (orchestrator/replay/); true when
   * the run is refused because the candidate changes more decisions than `replay.maxChangedDecisions` beyond the
   * expected ones. Without LIVE code (a first deploy) there is nothing to compare with.
   */
  /**
   * The distribution whose records the replay judges. Confirmed outputs (verify mode) name it; before an apply only
   * the last run's outputs file does, and it only selects: a distribution CloudFront does not confirm as the stage's
   * would make the replay judge another distribution's traffic, so then every record is replayed (more records can
   * only add changes, never hide one).
   */
  private async replayDistribution(): Promise<string | undefined> {
    if (this.outputs) return this.outputs.distributionId;
    const { ctx, spec } = this;
    const named = ctx.outputs.read(spec.name)?.distributionId;
    const wrong = named ? await notStageDistribution(ctx.cf, spec, named) : undefined;
    if (!wrong) return named;
    ctx.progress.info(`   │ replaying the records of every distribution: ${ctx.outputs.file} names ${wrong}`);
    return undefined;
  }

  private async replayRefuses(live: FunctionStageState | undefined): Promise<boolean> {
    const { ctx, spec, r } = this;
    const config = spec.replay!;
    if (!live || !this.store) {
      this.steps.skip('replay', !live ? 'no LIVE code yet: nothing to replay the candidate against'
        : 'the stage has no KeyValueStore yet: the function\'s store cannot be replayed; nothing to compare with until it is applied');
      return false;
    }
    const store = this.store;
    const s3For = ctx.s3For;
    const distributionId = await this.replayDistribution();
    const report = await this.steps.step('replay', `replaying the connection logs ${config.logs} against LIVE ${shortSha(live.sha256)} and the candidate`,
      async () => replayForStage(config, {
        liveCode: Buffer.from(live.code).toString('utf8'), candidateCode: r.candidateCode ?? '',
        store: await stageStoreEntries(store.kvs, store.kvsArn, this.snapshotDir, (l) => ctx.progress.info(`   │ ${l}`)),
        ...(s3For ? { s3: () => s3For(spec.name) } : {}),
        ...(distributionId ? { distributionId } : {}),
        progress: (l) => ctx.progress.info(`   │ ${l}`),
      }), replaySummaryLine, (rep) => rep.verdict !== 'over-limit');
    r.replay = report;
    if (report.verdict !== 'over-limit') return false;
    const top = report.groups.filter((g) => !g.expected).slice(0, 3).map(replayGroupLine).join('; ');
    const msg = `the candidate changes ${report.unexpectedChanged} logged decision${report.unexpectedChanged === 1 ? '' : 's'} beyond the expected ones, over replay.maxChangedDecisions ${report.maxChangedDecisions} (${top}); nothing was applied or published`;
    this.finish('refused', msg);
    this.record('refused', msg);
    return true;
  }

  /**
   * After a failure past publishing (failed cases, an error while verifying): restore the last verified code,
   * verify it, record evidence. `previous` is the verified LIVE of this run's start; without it the stage's stored
   * rollback target is used.
   */
  private async rollBack(previous: FunctionStageState | undefined, why: string): Promise<StageRunReport> {
    const restored = await this.recovery.restore(previous ? { code: previous.code, sha256: previous.sha256 } : undefined, this.candidate);
    const r = this.r;
    r.finalLiveSha256 = restored.liveSha256;
    if (restored.ok && !restored.republished) {
      // The candidate never reached LIVE (e.g. the publish request failed before CloudFront took it).
      const msg = `${why}; LIVE still runs the verified ${shortSha(restored.sha256)} (${restored.detail})`;
      this.finish('failed', msg);
      this.record('failed', msg, { liveSha256: restored.liveSha256 });
    } else if (restored.ok) {
      const msg = `${why}; LIVE was rolled back to ${shortSha(restored.sha256)}${restored.detail ? ` (${restored.detail})` : ''}`;
      this.finish('rolled-back', msg);
      this.record('rolled-back', msg, { liveSha256: restored.liveSha256 });
    } else {
      const msg = `${why}; ${restored.detail}`;
      // Someone else's publish is theirs to answer for: its tags are not this run's to write.
      if (!restored.foreign) await this.recovery.markLiveFailed();
      this.finish('failed', msg);
      this.record('failed', msg, { liveSha256: restored.liveSha256 });
    }
    return r;
  }


  /** The association waits for an `active` trust store (orchestrator/stage/trust-store-readiness.ts); a failed one ends the run. */
  private async trustStoreReady(run: StageRun, trustStoreId: string, live: FunctionStageState): Promise<void> {
    try {
      await run.step('trust store', `waiting for trust store ${trustStoreId} to be active`, () => waitForTrustStoreActive(this.ctx.cf, trustStoreId, this.ctx.wait),
        (t) => `trust store ${printable(t.Name ?? trustStoreId)} is active (${t.NumberOfCaCertificates ?? 0} CA certificates)`);
    } catch (e) {
      if (!(e instanceof StepError)) throw e;
      this.finish('failed', e.message);
      this.record('failed', e.message, { liveEtag: live.etag });
      throw e;
    }
  }
}
