/** The outcome of one case, locally or through TestConnectionFunction; reports and evidence are built from these. */
export interface CaseResult {
  name: string;
  expected: 'allow' | 'deny';
  actual: 'allow' | 'deny' | 'error' | 'unreadable';
  passed: boolean;
  computeUtilization?: number;
  /** Why the case failed (decision, limit or log mismatch, execution error), empty when it passed. */
  message?: string;
  /** The raw ConnectionFunctionOutput, kept for cases whose output could not be read. */
  rawOutput?: string;
  durationMs: number;
  /** The function's log lines, when the run reports them. */
  logs?: string[];
}

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
