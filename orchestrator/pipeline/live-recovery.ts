import type { EvidenceRecord } from '../evidence/evidence';
import { provenRecord, readEvidenceTags, taggedRecord, writeEvidenceTags } from '../evidence/evidence';
import { headPut, readHead } from '../evidence/evidence-head';
import { arnAccount, endpointKindOf, evidenceDigest, MAX_EVIDENCE_SEQ, type EvidenceKeyring, type SignedEvidence } from '../signing/evidence-signing';
import { readFunctionStage, restoreAndPublish, tryReadFunctionStage, type FunctionStageState } from '../stage/function-stages';
import { checkGate } from '../policies/gate';
import { shortSha } from '../stage/candidate';
import type { PipelineContext } from './pipeline-context';
import type { StageRunReport } from '../reports/stage-run-report';
import type { ReservedStore } from '../records/reserved-store';
import { loadRollbackTarget, rollbackTargetWrites } from '../records/rollback-target';
import { liveEvidenceCheck } from '../evidence/stage-evidence';
import { errText, failedCaseLines, liveCases, type StageRun } from './stage-run';
import { StepError } from '../stage/step-error';
import type { LoadedCases } from '../suite/suite-cases';
import type { StageSpec } from '../stage/stage-spec';

/** What LIVE was found to be at the start, after any recovery. */
export interface LiveState {
  live?: FunctionStageState;
  /** LIVE runs code with valid evidence for this stage (found so, or made so by testing or restoring it). */
  verified: boolean;
  /** Valid evidence for the verified LIVE. */
  evidence?: SignedEvidence;
}

/** What a stage run lends its LIVE recovery: the store once the lease is taken, the function, and its ledger. */
export interface RecoveryRun {
  store(): ReservedStore | undefined;
  /** Throws unless the run still holds the stage's lease (before each write: `write` names it). */
  assertLease(write?: string): Promise<void>;
  functionId(): string;
  record(event: EvidenceRecord['event'], detail: string, extra?: Partial<EvidenceRecord>): void;
}

/**
 * Keeps LIVE on verified code: the evidence it signs for what LIVE runs, the restore of the last verified code (from
 * this run or the stage's stored rollback target), and the recovery of an unverified LIVE at the start of a run.
 */
export class LiveRecovery {
  private readonly r: StageRunReport;
  constructor(private readonly ctx: PipelineContext, private readonly spec: StageSpec, private readonly keys: EvidenceKeyring,
    private readonly cases: LoadedCases, private readonly steps: StageRun, private readonly run: RecoveryRun) {
    this.r = steps.report;
  }

  /**
   * Signs the evidence for what LIVE holds now and records it: first, in one compare-and-swap write to the stage's
   * store, the evidence head that names it as the stage's newest record (with passed evidence, the code as the
   * rollback target too), then the function's tags. A run stopped between the two leaves tags that are not the
   * newest record: LIVE then reads as unverified and the next run tests it again (never the other way round).
   */
  private async writeEvidence(live: FunctionStageState, result: 'passed' | 'failed'): Promise<SignedEvidence> {
    const { ctx, spec, keys } = this;
    const store = this.run.store();
    if (!store) throw new Error(`${spec.name} has no KeyValueStore yet, and its evidence is numbered there`);
    await this.run.assertLease(`the ${result} evidence for ${shortSha(live.sha256)}`);
    const functionArn = live.summary.ConnectionFunctionArn!;
    // Numbers never go back, also when the store's head was lost: the tags' own signed record counts too.
    const tagged = await readEvidenceTags(ctx.cf, functionArn);
    const proven = await provenRecord(keys, tagged, spec.name, functionArn);
    const taggedSeq = proven?.seq ?? 0;
    const provenSeq = proven?.verifiedSeq ?? 0;
    let signed: SignedEvidence | undefined;
    await store.update(async () => {
      const head = await readHead(store);
      const seq = Math.max(head?.seq ?? 0, taggedSeq) + 1;
      // Runs number one by one: only a write to the store's unsigned head gets a stage near the limit.
      if (seq > MAX_EVIDENCE_SEQ) {
        throw new StepError(`${spec.name}: evidence`, `the stage's evidence sequence is at its limit (record ${seq - 1}, named by conngate:head in its KeyValueStore or by the function's signed tags), so no newer record can be numbered; runs never get there one by one, a write to the store raised it`,
          `delete the conngate:head key from the ${spec.name} KeyValueStore and the conngate:* tags from its function, then re-run (LIVE is tested again and numbering starts over)`);
      }
      const verifiedSeq = result === 'passed' ? seq : Math.max(head?.verifiedSeq ?? 0, provenSeq);
      signed = await keys.sign({
        stage: spec.name, functionArn, account: arnAccount(functionArn), endpoint: endpointKindOf(ctx.cf), seq, verifiedSeq,
        candidateSha256: live.sha256, suiteSha256: this.cases.suiteSha256, liveEtag: live.etag, result, time: new Date().toISOString(),
      });
      const headWrite = headPut({ seq, evidence: evidenceDigest(signed), verifiedSeq });
      if (result !== 'passed') return { puts: [headWrite] };
      const target = await rollbackTargetWrites(store, live.code, signed);
      return { puts: [...target.puts, headWrite], deletes: target.deletes };
    });
    await writeEvidenceTags(ctx.cf, functionArn, signed!);
    return signed!;
  }

  /** Tags LIVE as it is now as failed (a gate needs passed, so this only informs `status`); best effort. */
  async markLiveFailed(): Promise<void> {
    try { await this.writeEvidence(await readFunctionStage(this.ctx.cf, this.run.functionId(), 'LIVE'), 'failed'); } catch { /* best effort */ }
  }

  /** Records verified LIVE code: the stage's newest evidence, its code as the rollback target, then the tags. */
  async recordVerified(live: FunctionStageState): Promise<SignedEvidence> {
    return this.writeEvidence(live, 'passed');
  }

  /**
   * Puts verified code back into LIVE (retrying transient failures a bounded number of times), verifies it and
   * records its evidence. Never throws: says what LIVE holds and why when it could not. `replaces` is the code this
   * run may roll back: what it published, or the unverified LIVE it found. LIVE holding anything else was published
   * by someone after that (outside this run's lease) and is never rolled back over (`foreign`).
   */
  async restore(known: { code: Uint8Array; sha256: string } | undefined, replaces: string): Promise<{ ok: boolean; verified?: boolean; republished?: boolean; foreign?: boolean; sha256?: string; liveSha256?: string; live?: FunctionStageState; evidence?: SignedEvidence; detail: string }> {
    const { ctx, spec, steps: run } = this;
    const fnId = this.run.functionId();
    let target: { code: Uint8Array; sha256: string; evidence?: SignedEvidence } | undefined = known;
    if (!target) {
      const store = this.run.store();
      if (!store) return { ok: false, detail: 'there is no earlier verified code to roll back to (the stage has no KeyValueStore yet); the function is not associated with the distribution' };
      try {
        const live = await readFunctionStage(ctx.cf, fnId, 'LIVE');
        const functionArn = live.summary.ConnectionFunctionArn!;
        // The newest verified code the signed tags and the store's head know of: a stored target older than that
        // was put back, and restoring it would be a downgrade.
        const [tagged, head] = await Promise.all([readEvidenceTags(ctx.cf, functionArn), readHead(store)]);
        const proven = (await provenRecord(this.keys, tagged, spec.name, functionArn))?.verifiedSeq ?? 0;
        const minVerifiedSeq = Math.max(head?.verifiedSeq ?? 0, proven);
        // Said when the refusal rests on the unsigned head alone: a store writer may have raised it to hold rollbacks.
        const minVerifiedFrom = proven >= minVerifiedSeq ? 'the function\'s signed evidence tags'
          : 'the store\'s conngate:head only, which is not signed (the tags prove record ' + proven + '): if no run made it, a store writer raised it';
        const t = await loadRollbackTarget(store, this.keys, { stage: spec.name, functionArn, endpoint: endpointKindOf(ctx.cf), minVerifiedSeq, minVerifiedFrom, allowRollbackTo: ctx.allowRollbackTo });
        if (typeof t === 'string') return { ok: false, liveSha256: live.sha256, detail: `there is nothing to roll back to: ${t}; LIVE still runs unverified ${shortSha(live.sha256)}${this.r.firstDeploy ? ', which is not associated with the distribution' : ''}` };
        target = t;
      } catch (e) {
        return { ok: false, detail: `the rollback target could not be read (${errText(e)}); LIVE runs unverified code: re-run to roll back` };
      }
    }
    const t = target;
    let lastError = '';
    let live: FunctionStageState | undefined;
    let republished = false;
    for (let attempt = 1; attempt <= 3 && !live; attempt++) {
      try {
        const now = await run.step('rollback', `rolling LIVE back to ${shortSha(t.sha256)}${attempt > 1 ? ` (attempt ${attempt})` : ''}`, async () => {
          const current = await readFunctionStage(ctx.cf, fnId, 'LIVE');
          if (current.sha256 !== t.sha256 && current.sha256 !== replaces) throw new ForeignPublish(current.sha256);
          if (current.sha256 !== t.sha256) {
            await this.run.assertLease(`the rollback to ${shortSha(t.sha256)}`);
            republished = true;
            await restoreAndPublish(ctx.cf, fnId, t.code, ctx.wait);
          }
          return readFunctionStage(ctx.cf, fnId, 'LIVE');
        }, () => `LIVE restored to ${shortSha(t.sha256)}`);
        if (now.sha256 === t.sha256) live = now;
        else lastError = `LIVE holds ${shortSha(now.sha256)} after restoring (something else published)`;
      } catch (e) {
        if (e instanceof ForeignPublish) {
          return { ok: false, foreign: true, liveSha256: e.sha256, detail: `LIVE holds ${shortSha(e.sha256)}, which neither this run nor its rollback target put there: something published it outside this run's lease, so it is not rolled back over; re-run to test it or restore the last verified code` };
        }
        lastError = errText(e);
      }
    }
    if (!live) {
      let liveSha: string | undefined;
      try { liveSha = (await readFunctionStage(ctx.cf, fnId, 'LIVE')).sha256; } catch { /* unknown */ }
      return { ok: false, liveSha256: liveSha, detail: `the rollback to ${shortSha(t.sha256)} did not complete (${lastError}); LIVE runs ${liveSha ? `unverified ${shortSha(liveSha)}` : 'unknown code'}: re-run to finish the rollback` };
    }
    // The restored code passed in this stage before; it is re-checked in LIVE before it gets fresh evidence. Code
    // that passed an older suite is re-checked with the whole current one: the evidence it gets speaks for that.
    const suiteChanged = !!t.evidence && t.evidence.suiteSha256 !== this.cases.suiteSha256;
    let recheck: string | undefined;
    try {
      const check = await run.runSuite('LIVE', live, live.summary.Id ?? fnId, suiteChanged ? this.cases.cases : liveCases(this.cases, ctx.liveSuite));
      if (check.failed > 0) recheck = `${check.failed} of ${check.total} LIVE cases${suiteChanged ? ' of the changed suite' : ''} failed for the restored code too (${failedCaseLines(check)})`;
    } catch (e) {
      recheck = `re-checking the restored code did not complete (${errText(e)})`;
    }
    if (recheck) {
      try { await this.writeEvidence(live, 'failed'); } catch { /* the tags only describe; gates need passed */ }
      return { ok: true, republished, sha256: t.sha256, liveSha256: live.sha256, detail: `${recheck}: LIVE is on the last verified code but not recorded as verified now; re-run to test it again` };
    }
    let evidence: SignedEvidence;
    try {
      evidence = await this.recordVerified(live);
    } catch (e) {
      return { ok: true, republished, sha256: t.sha256, liveSha256: live.sha256, detail: `re-checked, but its evidence could not be recorded (${errText(e)}); a re-run tests and records it` };
    }
    return { ok: true, verified: true, republished, sha256: t.sha256, liveSha256: live.sha256, live, evidence, detail: 'restored code re-checked in LIVE, evidence recorded' };
  }

  /**
   * LIVE at the start of a run. With valid evidence for this stage it is left alone. Without (a run killed after
   * publishing, a failed first deploy, a publish outside the pipeline, a changed suite or key), it is tested with
   * the stage's full suite, and through the gate when the stage has an upstream: it passes and gets evidence, or
   * the last verified code is restored.
   */
  async recover(): Promise<LiveState> {
    const { ctx, spec, steps: run, r } = this;
    const live = await tryReadFunctionStage(ctx.cf, spec.functionName, 'LIVE');
    if (!live) return { verified: false };
    r.functionId = live.summary.Id;
    const arn = live.summary.ConnectionFunctionArn!;
    const { problem, tagged } = await liveEvidenceCheck(ctx.cf, ctx.kvs, this.keys, spec, live, this.cases.suiteSha256, this.run.store());
    if (!problem) {
      return { live, verified: true, evidence: taggedRecord(tagged, spec.name, arn) as SignedEvidence };
    }
    ctx.progress.info(`   ${spec.name}: LIVE runs ${shortSha(live.sha256)} without valid evidence for ${spec.name}: ${problem}; testing it before anything else`);
    let failure: string | undefined;
    if (spec.promotesFrom) {
      try {
        // Code recovery would sign enters the stage like any promotion: the upstream evidence and the stage's
        // promotion policies (approval, soak, deny windows). When they are not met the last verified code is
        // restored instead: restoring it is never held back by a policy, and an override never signs what a
        // policy kept out (docs/orchestrator.md).
        await checkGate(ctx, this.keys, spec, live.sha256, { ...ctx, policyOverride: undefined });
      } catch (e) {
        if (!(e instanceof StepError) || e.exitCode === 2) throw e;
        failure = `it may not run in ${spec.name}: ${e.message}`;
      }
    }
    if (!failure) {
      try {
        const s = await run.runSuite('LIVE', live, live.summary.Id!, this.cases.cases);
        if (s.failed > 0) failure = `${s.failed} of ${s.total} cases failed in LIVE (${failedCaseLines(s)})`;
      } catch (e) {
        failure = `testing it did not complete (${errText(e)})`;
      }
    }
    if (!failure) {
      try {
        const evidence = await this.recordVerified(live);
        r.recovery = `LIVE ran ${shortSha(live.sha256)} without valid evidence (${problem}); it passed the suite and is now recorded as verified`;
        this.run.record('recovered', r.recovery, { liveEtag: live.etag, liveSha256: live.sha256 });
        return { live, verified: true, evidence };
      } catch (e) {
        failure = `its evidence could not be recorded (${errText(e)})`;
      }
    }
    const restored = await this.restore(undefined, live.sha256);
    r.recovery = `LIVE ran unverified ${shortSha(live.sha256)} (${problem}); ${failure}; ${restored.ok ? `restored the last verified code ${shortSha(restored.sha256)}${restored.verified ? '' : ` (${restored.detail})`}` : restored.detail}`;
    this.run.record(restored.ok ? 'rolled-back' : 'failed', r.recovery, { liveSha256: restored.liveSha256 });
    if (!restored.verified || !restored.live) {
      if (!restored.ok) {
        await this.markLiveFailed();
      }
      ctx.progress.info(`   ${spec.name}: ${r.recovery}`);
      return { live: await tryReadFunctionStage(ctx.cf, spec.functionName, 'LIVE'), verified: false };
    }
    return { live: restored.live, verified: true, evidence: restored.evidence };
  }
}

/** LIVE runs code this run may not replace (see `restore`). */
class ForeignPublish extends Error {
  constructor(readonly sha256: string) {
    super(`LIVE holds ${sha256}, published outside this run`);
  }
}
