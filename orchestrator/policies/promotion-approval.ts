import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { reservedKey } from '../../revocation/reserved-keys';
import { shortSha } from '../stage/candidate';
import { arnAccount, endpointKindOf, type EndpointKind, type EvidenceClaims, type EvidenceKeyring, type SignedEvidence } from '../signing/evidence-signing';
import { ReservedStore } from '../records/reserved-store';
import type { StageSpec } from '../stage/stage-spec';
import { findStageStore } from '../records/stage-store';

/**
 * A named person's approval of one candidate into one stage, signed with the evidence key. It lives in the
 * approved stage's own KeyValueStore (reserved key `conngate:approval:<stage>`), in that stage's own account: the
 * account whose runners read it in the gate and whose principals own the stage; a write there without the key
 * cannot make an approval that verifies.
 */
export interface PromotionApproval {
  stage: string; candidateSha256: string; approver: string; time: string;
  /** The account of the store that holds it and what that store was reached through: a copy elsewhere does not verify. */
  account: string; endpoint: EndpointKind;
  keyId: string; signature: string;
}

export const APPROVER_PATTERN = /^[A-Za-z0-9 ._@+-]{1,100}$/;

/** The signed form: evidence claims in their own namespace ("approval:<stage>"), so an approval never reads as evidence. */
function claims(a: Omit<PromotionApproval, 'keyId' | 'signature'>): EvidenceClaims {
  return { stage: `approval:${a.stage}`, functionArn: `approver:${a.approver}`, account: a.account, endpoint: a.endpoint, seq: 0, verifiedSeq: 0,
    candidateSha256: a.candidateSha256, suiteSha256: '', liveEtag: '', result: 'passed' as const, time: a.time };
}

/** Where an approval in `store` must say it lives. */
function storeIdentity(store: ReservedStore): { account: string; endpoint: EndpointKind } {
  return { account: arnAccount(store.kvsArn), endpoint: endpointKindOf(store.kvs) };
}

export function approvalKey(stage: string): string {
  return reservedKey('approval', stage);
}

/**
 * The store that holds approvals into `spec`: the stage's own, looked up with `cf` and read and written with `kvs`,
 * which must be the stage's own account's clients (stage config `aws`). Undefined before the stage's first apply.
 */
export async function approvalStore(cf: CloudFrontClient, kvs: CloudFrontKeyValueStoreClient, spec: StageSpec, snapshotDir?: string): Promise<ReservedStore | undefined> {
  return findStageStore(cf, kvs, spec.storeName, snapshotDir);
}

export async function recordApproval(store: ReservedStore, keys: EvidenceKeyring, given: Omit<PromotionApproval, 'keyId' | 'signature' | 'account' | 'endpoint'>): Promise<PromotionApproval> {
  const a = { ...given, ...storeIdentity(store) };
  const signed = await keys.sign(claims(a));
  const approval: PromotionApproval = { ...a, keyId: signed.keyId, signature: signed.signature };
  await store.write(await store.etag(), [{ key: approvalKey(a.stage), value: JSON.stringify(approval) }]);
  return approval;
}

/** Why there is no valid approval of `candidate` into `stage`, or undefined (with the approval) when there is. */
export async function approvalProblem(store: ReservedStore | undefined, keys: EvidenceKeyring, stage: string, candidate: string): Promise<{ problem?: string; approval?: PromotionApproval }> {
  const raw = store && await store.get(approvalKey(stage));
  if (!raw) return { problem: `no approval of ${shortSha(candidate)} into ${stage}` };
  let a: PromotionApproval;
  try {
    a = JSON.parse(raw) as PromotionApproval;
  } catch {
    return { problem: 'the recorded approval is unreadable' };
  }
  if (a.stage !== stage || typeof a.approver !== 'string' || !APPROVER_PATTERN.test(a.approver)) return { problem: 'the recorded approval is malformed' };
  const where = storeIdentity(store!);
  if (a.account !== where.account || a.endpoint !== where.endpoint) {
    return { problem: `the recorded approval was made for account ${a.account || '-'} (${a.endpoint || 'no endpoint kind'}), not this store's account ${where.account} (${where.endpoint})` };
  }
  const signed: SignedEvidence = { ...claims(a), keyId: a.keyId ?? '', signature: a.signature ?? '' };
  const sig = await keys.signatureProblem(signed);
  if (sig) return { problem: `the recorded approval is refused: ${sig}` };
  if (a.candidateSha256 !== candidate) return { problem: `the approval by ${a.approver} is for ${shortSha(a.candidateSha256)}, not ${shortSha(candidate)}` };
  return { approval: a };
}
