import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { shortSha } from '../stage/candidate';
import type { EvidenceKeyring } from '../signing/evidence-signing';
import { isNotFound, readFunctionStage } from '../stage/function-stages';
import { checkPolicies, type PolicyContext } from './promotion-policies';
import { liveEvidenceCheck } from '../evidence/stage-evidence';
import type { StageSpec } from '../stage/stage-spec';
import { StepError } from '../stage/step-error';
import { loadRemoteCases } from '../suite/suite-cases';

export interface GateResult {
  upstream: string;
  upstreamFunctionId: string;
  upstreamLiveSha256: string;
  upstreamLiveEtag: string;
  evidenceTime?: string;
  evidenceKeyId?: string;
  /** Set when unmet promotion policies were overridden (recorded in the ledger). */
  policyOverride?: string;
}

/**
 * The gate into a stage: the upstream stage must run exactly this candidate in LIVE (its LIVE code is fetched and
 * hashed, not taken from a record), and its evidence must verify: signed by a key this pipeline trusts, for the
 * upstream stage and function, for this hash, for the LIVE ETag upstream has now (a later publish makes it stale),
 * for the upstream suite as it is now, and saying passed. Tags alone never open it: anyone with
 * cloudfront:TagResource can write tags, nobody without the key can sign them. Read-only: a refusal changes nothing.
 */
export interface GateContext {
  cf: CloudFrontClient;
  kvs: CloudFrontKeyValueStoreClient;
  stages: StageSpec[];
  cfFor?: (stage: string) => CloudFrontClient;
  kvsFor?: (stage: string) => CloudFrontKeyValueStoreClient;
}

export async function checkGate(ctx: GateContext, keys: EvidenceKeyring, spec: StageSpec, candidate: string, policies?: PolicyContext): Promise<GateResult> {
  const upstream = spec.promotesFrom!;
  const where = `${spec.name}: gate`;
  const up = ctx.stages.find((s) => s.name === upstream);
  if (!up) throw new StepError(where, `upstream stage "${upstream}" is not in the stage config`, 'fix promotesFrom in conngate.config.json', 2);
  // The upstream stage is read with its own credentials: it may live in another account.
  const upCf = ctx.cfFor?.(upstream) ?? ctx.cf;
  const upKvs = ctx.kvsFor?.(upstream) ?? ctx.kvs;
  let live;
  try {
    live = await readFunctionStage(upCf, up.functionName, 'LIVE');
  } catch (e) {
    if (isNotFound(e)) {
      throw new StepError(where, `refused: stage "${upstream}" has no LIVE function ${up.functionName}, so nothing proves it runs candidate ${shortSha(candidate)}`,
        `deploy ${upstream} first: \`conngate deploy ${upstream}\``);
    }
    throw e;
  }
  if (live.sha256 !== candidate) {
    throw new StepError(where,
      `refused: ${upstream} runs ${shortSha(live.sha256)} in LIVE but this candidate is ${shortSha(candidate)}`,
      `deploy this candidate to ${upstream} first (\`conngate deploy ${upstream}\`), then promote it`);
  }
  // Only the upstream's newest record counts: its store's evidence head names it.
  const { problem, tagged } = await liveEvidenceCheck(upCf, upKvs, keys, up, live, loadRemoteCases(up).suiteSha256);
  if (problem) {
    throw new StepError(where, `refused: ${upstream} runs ${shortSha(candidate)} in LIVE but ${problem}`,
      `re-verify ${upstream} with this pipeline's key (\`conngate deploy ${upstream}\`)`);
  }
  // Then the stage's promotion policies (soak, approval, deny windows), when the caller enforces them.
  const policyOverride = policies ? await checkPolicies(policies, keys, spec, candidate, tagged.time) : undefined;
  return { ...(policyOverride ? { policyOverride } : {}), upstream, upstreamFunctionId: live.summary.Id!, upstreamLiveSha256: live.sha256, upstreamLiveEtag: live.etag, evidenceTime: tagged.time, evidenceKeyId: tagged.keyId };
}
