import {
  CloudFrontClient,
  DescribeConnectionFunctionCommand,
  GetConnectionFunctionCommand,
  PublishConnectionFunctionCommand,
  UpdateConnectionFunctionCommand,
  type ConnectionFunctionSummary,
  type FunctionStage,
} from '@aws-sdk/client-cloudfront';
import { whileAssumingRole } from '../../diagnostics/operational-error';
import { candidateSha256 } from './candidate';
import { NothingPublished, StepError } from './step-error';

/** One stage (DEVELOPMENT or LIVE) of a connection function as the API reports it. */
export interface FunctionStageState {
  stage: FunctionStage;
  etag: string;
  summary: ConnectionFunctionSummary;
  code: Uint8Array;
  sha256: string;
}

function errName(e: unknown): string {
  return (e as { name?: string })?.name ?? '';
}

/** True when the function (or its LIVE stage) does not exist yet. */
export function isNotFound(e: unknown): boolean {
  // A 404 from STS while assuming the stage's role says nothing about the function: it must not read as "not deployed".
  if (whileAssumingRole(e)) return false;
  return errName(e) === 'EntityNotFound' || errName(e) === 'NoSuchResource' || (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404;
}

export function isPreconditionFailed(e: unknown): boolean {
  return errName(e) === 'PreconditionFailed' || (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 412;
}

/**
 * Reads a stage's summary, ETag and code, and hashes the code. The code's hash is what gates trust: a record of
 * what was published is never taken on its word. Describe and Get go out together; both carry the stage's ETag,
 * and when a write landed between them (the ETags differ) the pair is read again, so the code always belongs to
 * the ETag returned.
 */
export async function readFunctionStage(cf: CloudFrontClient, identifier: string, stage: FunctionStage): Promise<FunctionStageState> {
  for (let attempt = 1; ; attempt++) {
    const [d, g] = await Promise.all([
      cf.send(new DescribeConnectionFunctionCommand({ Identifier: identifier, Stage: stage })),
      cf.send(new GetConnectionFunctionCommand({ Identifier: identifier, Stage: stage })),
    ]);
    if (!d.ETag || !d.ConnectionFunctionSummary) {
      throw new StepError(`read ${stage}`, `DescribeConnectionFunction for ${identifier} returned no ETag or summary`);
    }
    if (g.ETag && g.ETag !== d.ETag && attempt < 5) continue;
    const code = g.ConnectionFunctionCode ?? new Uint8Array();
    return { stage, etag: d.ETag, summary: d.ConnectionFunctionSummary, code, sha256: candidateSha256(code) };
  }
}

/** Like readFunctionStage, but undefined when the stage does not exist (a function never published has no LIVE). */
export async function tryReadFunctionStage(cf: CloudFrontClient, identifier: string, stage: FunctionStage): Promise<FunctionStageState | undefined> {
  try {
    return await readFunctionStage(cf, identifier, stage);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Publishes DEVELOPMENT to LIVE with If-Match on the DEVELOPMENT ETag, then waits until the publish has
 * completed (status leaves PUBLISHING). A stale ETag means someone changed the function since it was tested:
 * that is reported as a lost race, and nothing else is touched.
 */
export async function publishAndWait(cf: CloudFrontClient, id: string, devEtag: string, wait: WaitOptions = {}): Promise<ConnectionFunctionSummary> {
  try {
    await cf.send(new PublishConnectionFunctionCommand({ Id: id, IfMatch: devEtag }));
  } catch (e) {
    if (isPreconditionFailed(e)) {
      throw new NothingPublished('publish', `the DEVELOPMENT ETag of ${id} changed after it was tested (another deploy or an edit got there first); nothing was published`,
        're-run the deploy: it tests the current code before publishing');
    }
    throw e;
  }
  return waitForPublish(cf, id, wait);
}

/** Polls the LIVE stage until its status is no longer PUBLISHING. */
export async function waitForPublish(cf: CloudFrontClient, id: string, wait: WaitOptions = {}): Promise<ConnectionFunctionSummary> {
  const deadline = Date.now() + (wait.timeoutMs ?? 5 * 60_000);
  const interval = wait.intervalMs ?? 1000;
  for (;;) {
    const d = await cf.send(new DescribeConnectionFunctionCommand({ Identifier: id, Stage: 'LIVE' }));
    const status = d.ConnectionFunctionSummary?.Status;
    if (status && status !== 'PUBLISHING') return d.ConnectionFunctionSummary!;
    if (Date.now() > deadline) throw new StepError('wait for publish', `${id} is still PUBLISHING after ${Math.round((wait.timeoutMs ?? 300000) / 1000)} s`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/**
 * Puts `code` back into DEVELOPMENT and publishes it: the rollback path. Uses the current DEVELOPMENT ETag and
 * the function's own config so only the code changes.
 */
export async function restoreAndPublish(cf: CloudFrontClient, id: string, code: Uint8Array, wait: WaitOptions = {}): Promise<ConnectionFunctionSummary> {
  const dev = await cf.send(new DescribeConnectionFunctionCommand({ Identifier: id, Stage: 'DEVELOPMENT' }));
  const cfg = dev.ConnectionFunctionSummary?.ConnectionFunctionConfig;
  if (!dev.ETag || !cfg) throw new StepError('rollback', `cannot read the DEVELOPMENT stage of ${id}`);
  const upd = await cf.send(new UpdateConnectionFunctionCommand({ Id: id, IfMatch: dev.ETag, ConnectionFunctionConfig: cfg, ConnectionFunctionCode: code }));
  return publishAndWait(cf, id, upd.ETag!, wait);
}
