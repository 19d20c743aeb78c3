import type { ConnectionRunResult } from '../runtime/types';

/** What a fuzz run takes and tells, shared by the run, its renderings, the CLI and the pipeline's reports. */

/** The stage's revoked set (or the one a run makes up) and the store contents the function sees. */
export interface RevokedInput {
  /** Canonical serials, the simplest first: a shrunk counterexample uses the earliest that still fails. */
  serials: string[];
  /** What the function's KeyValueStore holds (the revoked serials and whatever else the store has). */
  store: Map<string, string>;
  /** Where the set came from, for reports ("store of stage dev (snapshot)", "crl.pem", "built-in sample"). */
  source: string;
}

/** A broken property with its shrunk counterexample. */
export interface FuzzFinding {
  property: string;
  reason: string;
  /** 0-based number of the case (in the run's order) that first broke it. */
  caseIndex: number;
  /** fast-check's replay of the shrunk counterexample: `fc.check(..., { seed, path })`. */
  replay: { seed: number; path: string };
  shrinks: number;
  /** Whether the case failed again when run alone (a time budget can be missed once on a busy machine). */
  reproduced: boolean;
  counterexample: Record<string, unknown>;
  decision: ConnectionRunResult['decision'];
  errorMessage?: string;
  /** The case to add to the suite: it fails `test --local` the way the counterexample failed here. */
  suiteCase: Record<string, unknown>;
}

export interface FuzzReport {
  functionFile: string;
  suiteFile?: string;
  seed: number;
  now: string;
  casesRequested: number;
  casesRun: number;
  properties: string[];
  revokedSource: string;
  revokedCount: number;
  finding?: FuzzFinding;
  durationMs: number;
}

