import * as fs from 'node:fs';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { candidateSha256 } from './candidate';
import { readEvidenceTags, type TaggedEvidence } from './evidence';
import { tryReadFunctionStage } from './function-stages';
import type { StageSpec } from './stage-spec';

/** One stage as `conngate status` shows it. */
export interface StageStatus {
  stage: string;
  promotesFrom?: string;
  /** SHA-256 of the function file in this checkout: what a deploy of this stage would apply. */
  localCandidate: string;
  functionName?: string;
  development?: string;
  live?: string;
  liveStatus?: string;
  evidence?: TaggedEvidence;
  /** Whether LIVE runs exactly what the evidence says passed. */
  verified: boolean;
  /** Whether the gate into this stage would open for the local candidate now, and why not. */
  gate: { open: boolean; reason: string };
}

export async function readStageStatuses(cf: CloudFrontClient, stages: StageSpec[]): Promise<StageStatus[]> {
  const statuses: StageStatus[] = [];
  for (const s of stages) {
    const localCandidate = fs.existsSync(s.functionFile) ? candidateSha256(fs.readFileSync(s.functionFile)) : '';
    const st: StageStatus = { stage: s.name, promotesFrom: s.promotesFrom, localCandidate, verified: false, gate: { open: true, reason: 'first stage' } };
    // By the name the stack declares, so status works without any outputs file (e.g. Terraform Cloud runs).
    const [dev, live] = await Promise.all([tryReadFunctionStage(cf, s.functionName, 'DEVELOPMENT'), tryReadFunctionStage(cf, s.functionName, 'LIVE')]);
    if (dev) {
      st.functionName = s.functionName;
      st.development = dev.sha256;
      st.live = live?.sha256;
      st.liveStatus = live?.summary.Status;
      st.evidence = await readEvidenceTags(cf, dev.summary.ConnectionFunctionArn!);
      st.verified = !!live && st.evidence?.result === 'passed' && st.evidence.candidateSha256 === live.sha256;
    }
    statuses.push(st);
  }
  for (const st of statuses) {
    if (!st.promotesFrom) continue;
    const up = statuses.find((u) => u.stage === st.promotesFrom);
    if (!up?.live) st.gate = { open: false, reason: `${st.promotesFrom} has no LIVE function` };
    else if (up.live !== st.localCandidate) st.gate = { open: false, reason: `${st.promotesFrom} LIVE is ${up.live.slice(0, 12)}, local candidate is ${st.localCandidate.slice(0, 12)}` };
    else if (!up.verified) st.gate = { open: false, reason: `${st.promotesFrom} has no passing evidence for its LIVE code` };
    else st.gate = { open: true, reason: `${st.promotesFrom} runs the local candidate, verified` };
  }
  return statuses;
}
