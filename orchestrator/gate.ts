import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { shortSha } from './candidate';
import { readEvidenceTags } from './evidence';
import { isNotFound, readFunctionStage } from './function-stages';
import type { StageSpec } from './stage-spec';
import { StepError } from './step-error';

export interface GateResult {
  upstream: string;
  upstreamFunctionId: string;
  upstreamLiveSha256: string;
  upstreamLiveEtag: string;
  evidenceTime?: string;
}

/**
 * The gate into a stage: the upstream stage must run exactly this candidate in LIVE (its LIVE code is fetched and
 * hashed, not taken from a record) and its evidence must say the suite passed for that hash. The upstream function
 * is found by the name its stack declares, so the gate needs no outputs of the upstream stage. Read-only: a refusal
 * changes nothing.
 */
export async function checkGate(ctx: { cf: CloudFrontClient; stages: StageSpec[] }, spec: StageSpec, candidate: string): Promise<GateResult> {
  const upstream = spec.promotesFrom!;
  const where = `${spec.name}: gate`;
  const up = ctx.stages.find((s) => s.name === upstream);
  if (!up) throw new StepError(where, `upstream stage "${upstream}" is not in the stage config`, 'fix promotesFrom in conngate.config.json', 2);
  let live;
  try {
    live = await readFunctionStage(ctx.cf, up.functionName, 'LIVE');
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
  const ev = await readEvidenceTags(ctx.cf, live.summary.ConnectionFunctionArn!);
  if (ev.candidateSha256 !== candidate || ev.result !== 'passed') {
    throw new StepError(where,
      `refused: ${upstream}'s evidence does not show a passed suite for ${shortSha(candidate)} (it says ${ev.result ?? 'nothing'} for ${shortSha(ev.candidateSha256)})`,
      `re-verify ${upstream} (\`conngate deploy ${upstream}\`)`);
  }
  return { upstream, upstreamFunctionId: live.summary.Id!, upstreamLiveSha256: live.sha256, upstreamLiveEtag: live.etag, evidenceTime: ev.time };
}
