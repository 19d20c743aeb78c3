import * as fs from 'node:fs';
import { compileConnectionFunction, runConnectionFunctionMeasured } from './index';
import { FailingKvsBackend, MapKvsBackend } from './map-kvs';
import { canonicalSerial } from './serial-spelling';
import { judgeRun } from './case-judgement';
import { caseConnection, type Suite, type SuiteCase } from './suite';
import type { ConnectionRunResult } from './types';
import { DEFAULT_CANARY_SERIAL } from '../stacks/stage-config';

export { DEFAULT_CANARY_SERIAL };

/** The outcome of one case run locally. */
export interface CaseResult {
  suite: string;
  case: string;
  expected: 'allow' | 'deny';
  actual: 'allow' | 'deny' | 'error';
  computeUtilization: number;
  passed: boolean;
  /** Why the case failed (empty when it passed). */
  failures: string[];
  run: ConnectionRunResult;
}

/** Checks a run against a case's expectations; returns the reasons it fails (none = pass). */
export function judgeCase(c: SuiteCase, run: ConnectionRunResult): string[] {
  return judgeRun(c.expect, { decision: run.decision, message: run.errorMessage, computeUtilization: run.computeUtilization, logs: run.logs });
}

/**
 * Runs every case of a suite through the local runtime. The store holds the case's contents plus the canary;
 * each case's utilization is the fastest of a few runs, so it reflects warm code as at the edge, not scheduler noise.
 */
export async function runSuiteLocally(suite: Suite, opts: { canarySerial?: string } = {}): Promise<CaseResult[]> {
  const canarySerial = opts.canarySerial ?? DEFAULT_CANARY_SERIAL;
  const compiled = compileConnectionFunction(fs.readFileSync(suite.functionFile, 'utf8'), suite.functionFile);
  const results: CaseResult[] = [];
  for (const c of suite.cases) {
    const connection = caseConnection(c, { canarySerial });
    const kvs = c.storeFailure ? new FailingKvsBackend()
      : new MapKvsBackend({ ...c.store, [canonicalSerial(canarySerial) as string]: 'canary' });
    const options = { kvs, now: c.now };
    const run = await runConnectionFunctionMeasured(compiled, connection, options);
    const failures = judgeCase(c, run);
    results.push({
      suite: suite.file, case: c.name, expected: c.expect.decision, actual: run.decision,
      computeUtilization: run.computeUtilization, passed: failures.length === 0, failures, run,
    });
  }
  return results;
}
