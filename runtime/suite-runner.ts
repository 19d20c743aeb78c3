import { UserError } from '../diagnostics/user-error';
import { canonicalSerial } from '../revocation/canonical-serial';
import { readRegularFile } from '../revocation/source-file';
import { DEFAULT_CANARY_SERIAL } from '../revocation/canonical-serial';
import { judgeCaseRun } from './case-judgement';
import type { CaseResult } from './case-result';
import { compileConnectionFunction, runConnectionFunctionMeasured } from './index';
import { FailingKvsBackend, MapKvsBackend } from './map-kvs';
import { caseConnection, type Suite } from './suite';

/**
 * Runs every case of a suite through the local runtime. The store holds the case's contents plus the canary;
 * each case is a few runs, each from a fresh state as at the edge: the first decides, runs that decide differently
 * fail the case, and the utilization is the fastest run's, so it reflects the function, not scheduler noise.
 */
export async function runSuiteLocally(suite: Suite, opts: { canarySerial?: string } = {}): Promise<CaseResult[]> {
  const canarySerial = opts.canarySerial ?? DEFAULT_CANARY_SERIAL;
  let code: string;
  try {
    code = readRegularFile(suite.functionFile).toString('utf8');
  } catch {
    throw new UserError(suite.functionFile, 'function file cannot be read', 'pass the path of a connection-function .js file');
  }
  const compiled = compileConnectionFunction(code, suite.functionFile);
  const results: CaseResult[] = [];
  for (const c of suite.cases) {
    const connection = caseConnection(c, { canarySerial });
    const kvs = c.storeFailure ? new FailingKvsBackend()
      : new MapKvsBackend({ ...c.store, [canonicalSerial(canarySerial) as string]: 'canary' });
    const run = await runConnectionFunctionMeasured(compiled, connection, { kvs, now: c.now });
    results.push(judgeCaseRun(c.name, c.expect,
      { decision: run.decision, message: run.errorMessage, computeUtilization: run.computeUtilization, logs: run.logs }, run.durationMs));
  }
  return results;
}
