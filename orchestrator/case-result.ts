import type { CaseResult } from '../runtime/case-result';

// Defined in runtime/ so the local suite runner produces it directly (runtime does not import the orchestrator).
export type { CaseResult };

export interface SuiteRunSummary {
  /** Where the suite ran: DEVELOPMENT or LIVE for remote runs, the suite file for local ones. */
  target: string;
  total: number;
  passed: number;
  failed: number;
  maxComputeUtilization?: number;
  results: CaseResult[];
}

export function summarize(target: SuiteRunSummary['target'], results: CaseResult[]): SuiteRunSummary {
  const passed = results.filter((r) => r.passed).length;
  const cus = results.map((r) => r.computeUtilization).filter((c): c is number => typeof c === 'number');
  return {
    target, total: results.length, passed, failed: results.length - passed,
    maxComputeUtilization: cus.length ? Math.max(...cus) : undefined, results,
  };
}
