import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CloudFrontClient,
  ListTagsForResourceCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudfront';
import { RESERVED_TAG_PREFIX } from '../../modules/reserved-tags';
import { shortSha } from '../stage/candidate';
import type { SuiteRunSummary } from '../suite/case-result';
import type { EvidenceHead } from './evidence-head';
import { arnAccount, evidenceDigest, type EndpointKind, type EvidenceKeyring, type SignedEvidence } from '../signing/evidence-signing';
import type { RunLocation } from '../stage/run-location';
import { makeFolder } from '../../host/make-folder';

/** Tag keys the orchestrator owns on each connection function (Terraform is told to ignore the prefix). */
export const EVIDENCE_TAGS = {
  candidate: `${RESERVED_TAG_PREFIX}candidate`,
  suite: `${RESERVED_TAG_PREFIX}suite`,
  result: `${RESERVED_TAG_PREFIX}result`,
  time: `${RESERVED_TAG_PREFIX}verified-at`,
  liveEtag: `${RESERVED_TAG_PREFIX}live-etag`,
  keyId: `${RESERVED_TAG_PREFIX}key-id`,
  signature: `${RESERVED_TAG_PREFIX}signature`,
  account: `${RESERVED_TAG_PREFIX}account`,
  endpoint: `${RESERVED_TAG_PREFIX}endpoint`,
  seq: `${RESERVED_TAG_PREFIX}seq`,
  verifiedSeq: `${RESERVED_TAG_PREFIX}verified-seq`,
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
  account?: string;
  endpoint?: string;
  seq?: string;
  verifiedSeq?: string;
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
    { Key: EVIDENCE_TAGS.account, Value: e.account },
    { Key: EVIDENCE_TAGS.endpoint, Value: e.endpoint },
    { Key: EVIDENCE_TAGS.seq, Value: String(e.seq) },
    { Key: EVIDENCE_TAGS.verifiedSeq, Value: String(e.verifiedSeq) },
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
    account: get(EVIDENCE_TAGS.account),
    endpoint: get(EVIDENCE_TAGS.endpoint),
    seq: get(EVIDENCE_TAGS.seq),
    verifiedSeq: get(EVIDENCE_TAGS.verifiedSeq),
  };
}

/** A sequence number as signed: no sign, no leading zero, at most MAX_EVIDENCE_SEQ's 15 digits. */
const SEQ = /^(0|[1-9][0-9]{0,14})$/;

/**
 * The tags as the record they claim to be, for the stage and function ARN being checked (never the ones a tag names),
 * or why they are not one: no evidence, or a record of a conngate that did not bind account, endpoint and sequence.
 */
export function taggedRecord(tagged: TaggedEvidence, stage: string, functionArn: string): SignedEvidence | string {
  if (!tagged.candidateSha256 || !tagged.result) return 'there is no evidence';
  if (!tagged.seq || !SEQ.test(tagged.seq) || !tagged.verifiedSeq || !SEQ.test(tagged.verifiedSeq) || !tagged.account || !tagged.endpoint) {
    return 'the evidence names no account, endpoint and sequence number (recorded before records were bound to them, or altered); the stage is tested again and re-signed by its next run';
  }
  return {
    stage, functionArn, account: tagged.account, endpoint: tagged.endpoint as EndpointKind, seq: Number(tagged.seq), verifiedSeq: Number(tagged.verifiedSeq),
    candidateSha256: tagged.candidateSha256, suiteSha256: tagged.suiteSha256 ?? '', liveEtag: tagged.liveEtag ?? '',
    result: tagged.result as SignedEvidence['result'], time: tagged.time ?? '', keyId: tagged.keyId ?? '', signature: tagged.signature ?? '',
  };
}

/**
 * The record the function's tags hold when its signature verifies with a trusted key, else undefined. Its `seq`
 * is the lowest number the stage's next record may take, its `verifiedSeq` what a rollback target must not be older
 * than (the tags prove nothing when they are absent, unsigned or forged).
 */
export async function provenRecord(keys: EvidenceKeyring, tagged: TaggedEvidence, stage: string, functionArn: string): Promise<SignedEvidence | undefined> {
  const rec = taggedRecord(tagged, stage, functionArn);
  if (typeof rec === 'string' || await keys.signatureProblem(rec)) return undefined;
  return rec;
}

/**
 * What evidence must speak for to count: this stage, this function (so its account), what the stage is reached
 * through, the stage's newest record, the code and ETag LIVE has now, this suite.
 */
export interface EvidenceExpectation {
  stage: string;
  functionArn: string;
  endpoint: EndpointKind;
  /** The stage's evidence head, read from its store; undefined when the store holds none (or none readable). */
  head: EvidenceHead | undefined;
  liveSha256: string;
  liveEtag: string;
  suiteSha256: string;
}

/**
 * Why the evidence does not show a verified LIVE, or undefined when it does. The signature is checked over the
 * stage and ARN expected here, so evidence copied from another stage or function does not verify either.
 */
export async function evidenceProblem(keys: EvidenceKeyring, tagged: TaggedEvidence, expect: EvidenceExpectation): Promise<string | undefined> {
  const signed = taggedRecord(tagged, expect.stage, expect.functionArn);
  if (typeof signed === 'string') return signed;
  const account = arnAccount(expect.functionArn);
  if (signed.account !== account) return `the evidence is refused: it was recorded for account ${signed.account}, but the function is in account ${account}`;
  if (signed.endpoint !== expect.endpoint) {
    return `the evidence is refused: it was recorded against ${signed.endpoint === 'emulator' ? 'an emulator' : 'AWS'}, and this stage is reached through ${expect.endpoint === 'emulator' ? 'an emulator' : 'AWS'}`;
  }
  const sig = await keys.signatureProblem(signed);
  if (sig) return `the evidence is refused: ${sig}`;
  if (!expect.head) return `the evidence is refused: the stage's KeyValueStore names no newest evidence (${HEAD_NOTE})`;
  if (evidenceDigest(signed) !== expect.head.evidence) {
    return `the evidence is refused: it is record ${signed.seq}, not the stage's newest (record ${expect.head.seq}, per its KeyValueStore): an older record put back, or a run stopped while recording`;
  }
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

const HEAD_NOTE = 'conngate:head, written with every record; a store without it never ran this version of the pipeline, or was emptied';

/** Appends one record to the JSON-lines ledger; never rewrites earlier lines. */
export function appendLedger(ledgerFile: string, e: EvidenceRecord): void {
  makeFolder(path.dirname(ledgerFile));
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
