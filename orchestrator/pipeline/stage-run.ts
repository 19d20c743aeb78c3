import { summarize, type SuiteRunSummary } from '../suite/case-result';
import type { FunctionStageState } from '../stage/function-stages';
import type { PipelineContext } from './pipeline-context';
import type { StageRunReport } from '../reports/stage-run-report';
import { runRemoteSuite, type RemoteCase } from '../suite/remote-suite';
import type { LoadedCases } from '../suite/suite-cases';
import type { StageSpec } from '../stage/stage-spec';

/** The steps of one stage run: each with progress and a record in the run's report. */
export class StageRun {
  readonly report: StageRunReport;
  /** The report starts with no candidate: the run sets it once it has read the candidate's code. */
  constructor(readonly ctx: PipelineContext, readonly spec: StageSpec) {
    this.report = { stage: spec.name, outcome: 'failed', candidateSha256: '', firstDeploy: false, published: false,
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
    }, (s) => `${target}: ${s.passed}/${s.total} cases passed${s.maxComputeUtilization !== undefined ? `, max compute utilization ${s.maxComputeUtilization}% of the 5 ms budget` : ''}`,
    (s) => s.failed === 0);
  }
}

export function liveCases(loaded: LoadedCases, mode: 'smoke' | 'full'): RemoteCase[] {
  if (mode === 'full') return loaded.cases;
  return loaded.smoke.length ? loaded.smoke : loaded.cases;
}

export function failedCaseLines(s: SuiteRunSummary): string {
  return s.results.filter((r) => !r.passed).slice(0, 5).map((r) => `${r.name}: ${r.message}`).join('; ');
}

export function errText(e: unknown): string {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = err?.$metadata?.httpStatusCode;
  return `${err?.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err?.message ?? String(e)}${status ? ` (HTTP ${status})` : ''}`;
}
