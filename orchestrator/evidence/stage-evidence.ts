import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { evidenceProblem, readEvidenceTags, type TaggedEvidence } from './evidence';
import { readHead } from './evidence-head';
import { endpointKindOf, type EvidenceKeyring } from '../signing/evidence-signing';
import type { FunctionStageState } from '../stage/function-stages';
import type { ReservedStore } from '../records/reserved-store';
import { findStageStore } from '../records/stage-store';

/**
 * Whether a stage's LIVE runs code with valid evidence, read as the gate, `status` and recovery all read it: the
 * function's tags, checked against the stage's evidence head in its store (found by its declared name unless the
 * caller holds it), the account in the function's ARN, the endpoint kind of the client, the code and ETag LIVE has
 * now and the suite. `problem` is undefined when the evidence counts.
 */
export async function liveEvidenceCheck(cf: CloudFrontClient, kvs: CloudFrontKeyValueStoreClient, keys: EvidenceKeyring,
  stage: { name: string; storeName?: string }, live: FunctionStageState, suiteSha256: string, store?: ReservedStore): Promise<{ problem?: string; tagged: TaggedEvidence }> {
  const functionArn = live.summary.ConnectionFunctionArn!;
  const [tagged, st] = await Promise.all([readEvidenceTags(cf, functionArn), store ? Promise.resolve(store) : findStageStore(cf, kvs, stage.storeName)]);
  const head = st ? await readHead(st) : undefined;
  const problem = await evidenceProblem(keys, tagged, {
    stage: stage.name, functionArn, endpoint: endpointKindOf(cf), head, liveSha256: live.sha256, liveEtag: live.etag, suiteSha256,
  });
  return { problem, tagged };
}
