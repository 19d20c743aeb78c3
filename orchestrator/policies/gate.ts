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

/**
 * The gate's rule, on what was read of the upstream stage: undefined when it opens, else why not and the fix.
 * `upstreamLive` is the SHA-256 of upstream's LIVE code (undefined: no LIVE function); `evidenceProblem` why its
 * evidence for that code does not verify (undefined: it verifies). `conngate status` applies the same rule to what it
 * read, so the gate it shows is the gate a deploy meets.
 */
export function gateRefusal(upstream: StageSpec, candidate: string, upstreamLive: string | undefined, evidenceProblem: string | undefined):
  { reason: string; fix: string } | undefined {
  const name = upstream.name;
  if (upstreamLive === undefined) {
    return { reason: `refused: stage "${name}" has no LIVE function ${upstream.functionName}, so nothing proves it runs candidate ${shortSha(candidate)}`,
      fix: `deploy ${name} first: \`conngate deploy ${name}\`` };
  }
  if (upstreamLive !== candidate) {
    return { reason: `refused: ${name} runs ${shortSha(upstreamLive)} in LIVE but this candidate is ${shortSha(candidate)}`,
      fix: `deploy this candidate to ${name} first (\`conngate deploy ${name}\`), then promote it` };
  }
  if (evidenceProblem !== undefined) {
    return { reason: `refused: ${name} runs ${shortSha(candidate)} in LIVE but ${evidenceProblem}`,
      fix: `re-verify ${name} with this pipeline's key (\`conngate deploy ${name}\`)` };
  }
  return undefined;
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
    if (!isNotFound(e)) throw e;
  }
  // Only the upstream's newest record counts: its store's evidence head names it. Read only when LIVE matches.
  const evidence = live?.sha256 === candidate ? await liveEvidenceCheck(upCf, upKvs, keys, up, live, loadRemoteCases(up).suiteSha256) : undefined;
  const refusal = gateRefusal(up, candidate, live?.sha256, evidence?.problem);
  if (refusal) throw new StepError(where, refusal.reason, refusal.fix);
  const tagged = evidence!.tagged;
  // Then the stage's promotion policies (soak, approval, deny windows), when the caller enforces them.
  const policyOverride = policies ? await checkPolicies(policies, keys, spec, candidate, tagged.time) : undefined;
  return { ...(policyOverride ? { policyOverride } : {}), upstream, upstreamFunctionId: live!.summary.Id!, upstreamLiveSha256: live!.sha256, upstreamLiveEtag: live!.etag, evidenceTime: tagged.time, evidenceKeyId: tagged.keyId };
}
