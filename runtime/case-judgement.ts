import type { CaseResult } from './case-result';
import { printable as escapeUnsafe } from '../diagnostics/untrusted-text';

/**
 * Whether one run of a case met its expectations. The local suite runner and the remote pipeline
 * (TestConnectionFunction) both judge with this, so a case passes or fails for the same reasons everywhere.
 */
export interface CaseExpectation {
  decision: 'allow' | 'deny';
  /** Log lines that must appear, in this order (each matched as a substring). */
  logs?: string[];
  maxComputeUtilization?: number;
}

export interface ObservedRun {
  /** `unreadable`: a remote output that could not be read as allow or deny (fail closed). */
  decision: 'allow' | 'deny' | 'error' | 'unreadable';
  /** The execution error, or why the output was unreadable. */
  message?: string;
  computeUtilization?: number;
  logs: string[];
}

const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Function-controlled text (an error message, an unreadable output) shown on one line of a report: control
 * characters, line breaks and bidirectional overrides are written as escapes (the project's one set of unsafe
 * characters, with line breaks and tabs in their familiar form), so a function cannot add lines to the CLI's table
 * (a fake PASS row or summary) or move the terminal's cursor over the real ones.
 */
function printable(text: string): string {
  return escapeUnsafe(text.replace(/[\n\r\t]/g, (c) => NAMED_ESCAPES[c]));
}

/** The reasons `observed` does not meet `expect`; none means the case passed. */
function judgeRun(expect: CaseExpectation, observed: ObservedRun): string[] {
  const failures: string[] = [];
  if (observed.decision === 'unreadable') failures.push(printable(observed.message ?? 'unreadable output'));
  else if (observed.decision !== expect.decision) {
    failures.push(`expected ${expect.decision}, got ${observed.decision}${observed.message ? ` (${printable(observed.message)})` : ''}`);
  }
  if (expect.logs) {
    let from = 0;
    for (const want of expect.logs) {
      const idx = observed.logs.findIndex((line, i) => i >= from && line.includes(want));
      if (idx < 0) {
        failures.push(`expected a log line containing "${want}"`);
        break;
      }
      from = idx + 1;
    }
  }
  const limit = expect.maxComputeUtilization;
  if (limit !== undefined && observed.computeUtilization !== undefined && observed.computeUtilization > limit) {
    failures.push(`compute utilization ${observed.computeUtilization} over the maximum ${limit}`);
  }
  return failures;
}

/** Judges one run of the case `name` into its result; `rawOutput` is kept only when the output was unreadable. */
export function judgeCaseRun(name: string, expect: CaseExpectation, observed: ObservedRun & { rawOutput?: string },
  durationMs: number): CaseResult {
  const failures = judgeRun(expect, observed);
  return {
    name,
    expected: expect.decision,
    actual: observed.decision,
    passed: failures.length === 0,
    computeUtilization: observed.computeUtilization,
    message: failures.join('; ') || undefined,
    rawOutput: observed.decision === 'unreadable' ? observed.rawOutput : undefined,
    durationMs,
    logs: observed.logs,
  };
}
