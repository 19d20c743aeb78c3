import * as fs from 'node:fs';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { candidateSha256 } from '../stage/candidate';
import { readEvidenceTags, type TaggedEvidence } from '../evidence/evidence';
import type { EvidenceKeyring } from '../signing/evidence-signing';
import { liveEvidenceCheck } from '../evidence/stage-evidence';
import { tryReadFunctionStage } from '../stage/function-stages';
import type { StageSpec } from '../stage/stage-spec';
import { loadRemoteCases } from '../suite/suite-cases';
import { unmetPolicies, type PolicyContext } from '../policies/promotion-policies';
import { gateRefusal } from '../policies/gate';
import { readTrustStoreStatus, type TrustStoreStatus } from '../stage/trust-store-readiness';

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
  /** Whether LIVE runs exactly what signed, current evidence says passed (signature, code, ETag and suite checked). */
  verified: boolean;
  /** Why the evidence does not verify ('' when it does); says so when no key was available to check it. */
  evidenceCheck: string;
  /** Whether the gate into this stage would open for the local candidate now, and why not. */
  gate: { open: boolean; reason: string };
  /** The AWS account the stage's function belongs to (from its ARN); undefined when it does not exist. */
  account?: string;
  /** The stage's trust store (status, and the Reason when `failed`); undefined when it has none or it does not exist. */
  trustStore?: TrustStoreStatus;
}

/** Each stage is read through its own clients (stage config `aws`: another account, profile or role). */
export type StageClients<T> = T | ((stage: string) => T);
const forStage = <T>(c: StageClients<T>, stage: string): T => (typeof c === 'function' ? (c as (s: string) => T)(stage) : c);

const NOT_CHECKED = 'not checked: ';

/** The evidence column of `status`: whether each stage's evidence verifies, and why not. */
export function evidenceSummary(s: StageStatus): string {
  if (!s.evidence?.result) return '-';
  if (s.verified) return `verifies (${s.evidence.result} ${s.evidence.candidateSha256?.slice(0, 12)}, key ${s.evidence.keyId ?? '-'})`;
  return s.evidenceCheck.startsWith(NOT_CHECKED) ? `unchecked: ${s.evidenceCheck.slice(NOT_CHECKED.length)}` : `does not verify: ${s.evidenceCheck}`;
}

export interface StatusClients { cf: CloudFrontClient; kvs: CloudFrontKeyValueStoreClient }

export async function readStageStatuses(clients: StageClients<StatusClients>, stages: StageSpec[], keys: EvidenceKeyring,
  policies?: StageClients<PolicyContext>): Promise<StageStatus[]> {
  const statuses: StageStatus[] = [];
  const checkable = keys.canVerify;
  for (const s of stages) {
    const localCandidate = fs.existsSync(s.functionFile) ? candidateSha256(fs.readFileSync(s.functionFile)) : '';
    const st: StageStatus = { stage: s.name, promotesFrom: s.promotesFrom, localCandidate, verified: false, evidenceCheck: 'no function yet', gate: { open: true, reason: 'first stage' } };
    const { cf, kvs } = forStage(clients, s.name);
    // By the name the stack declares, so status works without any outputs file (e.g. Terraform Cloud runs).
    const [dev, live] = await Promise.all([tryReadFunctionStage(cf, s.functionName, 'DEVELOPMENT'), tryReadFunctionStage(cf, s.functionName, 'LIVE')]);
    if (dev) {
      st.functionName = s.functionName;
      st.development = dev.sha256;
      st.live = live?.sha256;
      st.liveStatus = live?.summary.Status;
      const arn = dev.summary.ConnectionFunctionArn!;
      st.account = arn.split(':')[4] || undefined;
      if (!live) {
        st.evidence = await readEvidenceTags(cf, arn);
        st.evidenceCheck = 'no LIVE stage';
      } else if (!checkable) {
        st.evidence = await readEvidenceTags(cf, arn);
        st.evidenceCheck = `${NOT_CHECKED}no evidence key set (CONNGATE_EVIDENCE_KEY, _KEY_FILE or _KMS_KEY_ID)`;
      } else {
        let suiteSha256 = '';
        try {
          suiteSha256 = loadRemoteCases(s).suiteSha256;
        } catch { /* no readable suite: no evidence can match it */ }
        // The evidence shown is the evidence checked: one read of the tags, not a second that could differ.
        const checked = await liveEvidenceCheck(cf, kvs, keys, s, live, suiteSha256);
        st.evidence = checked.tagged;
        st.evidenceCheck = checked.problem ?? '';
        st.verified = st.evidenceCheck === '';
      }
    }
    // A trust store that cannot be read (e.g. no cloudfront:ListTrustStores permission) does not hide the rest.
    if (s.trustStore) {
      st.trustStore = await readTrustStoreStatus(cf, s.trustStore)
        .catch((e: Error) => ({ id: '', name: s.trustStore!, status: 'unreadable', reason: `${e.name}: ${e.message.split('\n')[0]}` }));
    }
    statuses.push(st);
  }
  for (const st of statuses) {
    if (!st.promotesFrom) continue;
    const up = statuses.find((u) => u.stage === st.promotesFrom);
    const upSpec = stages.find((x) => x.name === st.promotesFrom);
    const refusal = upSpec
      ? gateRefusal(upSpec, st.localCandidate, up?.live, up?.verified ? undefined : up?.evidenceCheck)
      : { reason: `upstream stage "${st.promotesFrom}" is not in the stage config` };
    st.gate = refusal ? { open: false, reason: refusal.reason } : { open: true, reason: `${st.promotesFrom} runs the local candidate, with verified evidence` };
    const spec = stages.find((x) => x.name === st.stage);
    if (st.gate.open && policies && spec?.promotion) {
      const unmet = await unmetPolicies(forStage(policies, st.stage), keys, spec, st.localCandidate, up?.evidence?.time);
      if (unmet.length) st.gate = { open: false, reason: `promotion policy: ${unmet.join('; ')}` };
    }
  }
  return statuses;
}
