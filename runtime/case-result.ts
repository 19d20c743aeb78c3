/**
 * The outcome of one case, run locally or through TestConnectionFunction: the result table, JUnit, the reports and
 * the evidence are all built from this one shape.
 */
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
