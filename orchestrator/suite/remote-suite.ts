import { CloudFrontClient, TestConnectionFunctionCommand } from '@aws-sdk/client-cloudfront';
import type { CaseResult } from './case-result';
import { RateLimiter, mapLimited } from '../stage/rate-limiter';
import { judgeCaseRun, type CaseExpectation } from '../../runtime/case-judgement';
import { readTestResult, type ObservedResult } from './test-output';
import { isPreconditionFailed } from '../stage/function-stages';
import { NothingPublished, StepError } from '../stage/step-error';

/** One case as sent to TestConnectionFunction: the connection object and what must come back. */
export interface RemoteCase {
  name: string;
  connection: object;
  expect: CaseExpectation;
}

export interface RemoteSuiteOptions {
  cf: CloudFrontClient;
  functionId: string;
  /** The ETag of the stage under test (If-Match). */
  etag: string;
  stage: 'DEVELOPMENT' | 'LIVE';
  cases: RemoteCase[];
  limiter: RateLimiter;
  onCase?: (result: CaseResult, done: number, total: number) => void;
}

/** TestConnectionFunction accepts a ConnectionObject of at most 40,960 bytes. */
export const MAX_CONNECTION_OBJECT_BYTES = 40_960;

/** Compares one observed result with the case's expectations (the same judgement as local runs). */
export function judgeCase(c: RemoteCase, observed: ObservedResult, durationMs: number): CaseResult {
  return judgeCaseRun(c.name, c.expect, observed, durationMs);
}

/**
 * Runs every case through TestConnectionFunction against one stage, with bounded concurrency and a request-rate
 * ceiling; the SDK's own retries handle throttling. Results keep the suite's order.
 */
export async function runRemoteSuite(opts: RemoteSuiteOptions): Promise<CaseResult[]> {
  let done = 0;
  return mapLimited(opts.cases, opts.limiter, async (c) => {
    const body = Buffer.from(JSON.stringify(c.connection), 'utf8');
    const started = Date.now();
    let result: CaseResult;
    if (body.length > MAX_CONNECTION_OBJECT_BYTES) {
      result = { name: c.name, expected: c.expect.decision, actual: 'error', passed: false, durationMs: 0,
        message: `connection object is ${body.length} bytes, over the ${MAX_CONNECTION_OBJECT_BYTES}-byte limit of TestConnectionFunction` };
    } else {
      let out;
      try {
        out = await opts.cf.send(new TestConnectionFunctionCommand({
          Id: opts.functionId, IfMatch: opts.etag, Stage: opts.stage, ConnectionObject: body,
        }));
      } catch (e) {
        if (isPreconditionFailed(e)) {
          const fix = 're-run the deploy: it tests the current code from the start';
          if (opts.stage === 'DEVELOPMENT') {
            throw new NothingPublished(`test ${opts.stage}`, `the DEVELOPMENT ETag of ${opts.functionId} changed while its suite ran (another deploy or an edit); the results would not describe one version, so nothing was published`, fix);
          }
          throw new StepError(`test ${opts.stage}`, `the LIVE ETag of ${opts.functionId} changed while its suite ran (another publish); the results would not describe one version, so LIVE is not verified`, fix);
        }
        throw e;
      }
      result = judgeCase(c, readTestResult(out.ConnectionFunctionTestResult), Date.now() - started);
    }
    done++;
    opts.onCase?.(result, done, opts.cases.length);
    return result;
  });
}
