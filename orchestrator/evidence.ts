import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CloudFrontClient,
  ListTagsForResourceCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudfront';
import { RESERVED_TAG_PREFIX } from '../modules/reserved-tags';
import { shortSha } from './candidate';
import type { SuiteRunSummary } from './case-result';
import type { EvidenceKeyring, SignedEvidence } from './evidence-signing';
import type { RunLocation } from './run-location';

/** Tag keys the orchestrator owns on each connection function (Terraform is told to ignore the prefix). */
export const EVIDENCE_TAGS = {
  candidate: `${RESERVED_TAG_PREFIX}candidate`,
  suite: `${RESERVED_TAG_PREFIX}suite`,
  result: `${RESERVED_TAG_PREFIX}result`,
  time: `${RESERVED_TAG_PREFIX}verified-at`,
  liveEtag: `${RESERVED_TAG_PREFIX}live-etag`,
  keyId: `${RESERVED_TAG_PREFIX}key-id`,
  signature: `${RESERVED_TAG_PREFIX}signature`,
} as const;

/** One line of the local ledger: what a run did (for people; gates never read it). */
export interface EvidenceRecord {
  event: 'verified' | 'failed' | 'rolled-back' | 'refused' | 'recovered' | 'force-unlock' | 'policy-override';
  stage: string;
  candidateSha256: string;
  suiteSha256?: string;
  functionId?: string;
  functionArn?: string;
  devEtag?: string;
  liveEtag?: string;
  /** The LIVE code when the run ended, when it differs from the candidate (e.g. after a rollback). */
  liveSha256?: string;
  development?: Omit<SuiteRunSummary, 'results'>;
  live?: Omit<SuiteRunSummary, 'results'>;
  /** The signed evidence written to the function, when any. */
  signed?: SignedEvidence;
  /** One line on what happened, for people reading the ledger. */
  detail: string;
  time: string;
  /** Where the run happened (AWS or an emulator, account, region, stage). */
  where?: RunLocation;
}

/** What the function's tags say about the last verification, as read back from CloudFront (unverified). */
export interface TaggedEvidence {
  candidateSha256?: string;
  suiteSha256?: string;
  result?: string;
  time?: string;
  liveEtag?: string;
  keyId?: string;
  signature?: string;
}

/** Writes signed evidence as the function's tags: one TagResource call, so the set is replaced at once. */
export async function writeEvidenceTags(cf: CloudFrontClient, functionArn: string, e: SignedEvidence): Promise<void> {
  const items = [
    { Key: EVIDENCE_TAGS.candidate, Value: e.candidateSha256 },
    { Key: EVIDENCE_TAGS.suite, Value: e.suiteSha256 },
    { Key: EVIDENCE_TAGS.result, Value: e.result },
    { Key: EVIDENCE_TAGS.time, Value: e.time },
    { Key: EVIDENCE_TAGS.liveEtag, Value: e.liveEtag },
    { Key: EVIDENCE_TAGS.keyId, Value: e.keyId },
    { Key: EVIDENCE_TAGS.signature, Value: e.signature },
  ];
  await cf.send(new TagResourceCommand({ Resource: functionArn, Tags: { Items: items } }));
}

export async function readEvidenceTags(cf: CloudFrontClient, functionArn: string): Promise<TaggedEvidence> {
  const out = await cf.send(new ListTagsForResourceCommand({ Resource: functionArn }));
  const tags = new Map((out.Tags?.Items ?? []).map((t) => [t.Key, t.Value ?? '']));
  const get = (k: string) => tags.get(k) || undefined;
  return {
    candidateSha256: get(EVIDENCE_TAGS.candidate),
    suiteSha256: get(EVIDENCE_TAGS.suite),
    result: get(EVIDENCE_TAGS.result),
    time: get(EVIDENCE_TAGS.time),
    liveEtag: get(EVIDENCE_TAGS.liveEtag),
    keyId: get(EVIDENCE_TAGS.keyId),
    signature: get(EVIDENCE_TAGS.signature),
  };
}

/** What evidence must speak for to count: this stage, this function, the code and ETag LIVE has now, this suite. */
export interface EvidenceExpectation {
  stage: string;
  functionArn: string;
  liveSha256: string;
  liveEtag: string;
  suiteSha256: string;
}

/**
 * Why the evidence does not show a verified LIVE, or undefined when it does. The signature is checked over the
 * stage and ARN expected here, so evidence copied from another stage or function does not verify either.
 */
export async function evidenceProblem(keys: EvidenceKeyring, tagged: TaggedEvidence, expect: EvidenceExpectation): Promise<string | undefined> {
  if (!tagged.candidateSha256 || !tagged.result) return 'there is no evidence';
  const signed: SignedEvidence = {
    stage: expect.stage, functionArn: expect.functionArn, candidateSha256: tagged.candidateSha256,
    suiteSha256: tagged.suiteSha256 ?? '', liveEtag: tagged.liveEtag ?? '', result: tagged.result as SignedEvidence['result'],
    time: tagged.time ?? '', keyId: tagged.keyId ?? '', signature: tagged.signature ?? '',
  };
  const sig = await keys.signatureProblem(signed);
  if (sig) return `the evidence is refused: ${sig}`;
  if (signed.result !== 'passed') return `the evidence says the suite ${signed.result} for ${shortSha(signed.candidateSha256)}`;
  if (signed.candidateSha256 !== expect.liveSha256) {
    return `the evidence speaks for ${shortSha(signed.candidateSha256)}, but LIVE runs ${shortSha(expect.liveSha256)}`;
  }
  if (signed.liveEtag !== expect.liveEtag) {
    return `the evidence is stale: it was recorded for LIVE ETag ${signed.liveEtag || '-'}, LIVE is now ${expect.liveEtag} (published again since)`;
  }
  if (signed.suiteSha256 !== expect.suiteSha256) {
    return `the evidence is for suite ${shortSha(signed.suiteSha256)}, but the stage's suite is now ${shortSha(expect.suiteSha256)}`;
  }
  return undefined;
}

/** Appends one record to the JSON-lines ledger; never rewrites earlier lines. */
export function appendLedger(ledgerFile: string, e: EvidenceRecord): void {
  fs.mkdirSync(path.dirname(ledgerFile), { recursive: true });
  fs.appendFileSync(ledgerFile, JSON.stringify(e) + '\n');
}

export function readLedger(ledgerFile: string): EvidenceRecord[] {
  if (!fs.existsSync(ledgerFile)) return [];
  return fs.readFileSync(ledgerFile, 'utf8').split('\n').filter((l) => l.trim()).flatMap((l) => {
    try {
      return [JSON.parse(l) as EvidenceRecord];
    } catch {
      return []; // a torn last line from a crash mid-append is skipped, not fatal
    }
  });
}
