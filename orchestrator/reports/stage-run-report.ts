/** What one stage run did, as the reports, the notifier, evidence and the CLI read it. */
import type { SuiteRunSummary } from '../suite/case-result';
import type { GateResult } from '../policies/gate';
import type { RunLocation } from '../stage/run-location';
import type { ReplayReport } from '../replay/replay-report';
import type { FuzzReport } from '../../fuzz/fuzz-types';

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
  /** What LIVE runs when the run ended (after a rollback: the restored code). */
  finalLiveSha256?: string;
  suiteSha256?: string;
  functionName?: string;
  functionId?: string;
  gate?: GateResult;
  firstDeploy: boolean;
  published: boolean;
  /** What the run found in LIVE before it started and what it did about it (a re-run after a crash). */
  recovery?: string;
  steps: StepRecord[];
  /** The replay gate's replay of the stage's connection logs, when the stage has one and it ran. */
  replay?: ReplayReport;
  development?: SuiteRunSummary;
  live?: SuiteRunSummary;
  /** The fuzz step's run (stage config `fuzz`), with the shrunk counterexample of a broken property. */
  fuzz?: FuzzReport;
  message: string;
  startedAt: string;
  finishedAt: string;
  reports?: { junit: string; markdown: string; html?: string };
  /** Where the run happened, when the context says (the CLI and the demo do). */
  where?: RunLocation;
}
