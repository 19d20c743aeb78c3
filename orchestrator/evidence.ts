import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CloudFrontClient,
  ListTagsForResourceCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudfront';
import { RESERVED_TAG_PREFIX } from '../modules/reserved-tags';
import type { SuiteRunSummary } from './case-result';

/** Tag keys the orchestrator owns on each connection function (Terraform is told to ignore the prefix). */
export const EVIDENCE_TAGS = {
  candidate: `${RESERVED_TAG_PREFIX}candidate`,
  suite: `${RESERVED_TAG_PREFIX}suite`,
  result: `${RESERVED_TAG_PREFIX}result`,
  time: `${RESERVED_TAG_PREFIX}verified-at`,
  liveEtag: `${RESERVED_TAG_PREFIX}live-etag`,
} as const;

/** The record that a candidate passed (or failed) its suite in a stage. */
export interface EvidenceRecord {
  event: 'verified' | 'failed' | 'rolled-back' | 'refused';
  stage: string;
  candidateSha256: string;
  suiteSha256?: string;
  functionId?: string;
  functionArn?: string;
  devEtag?: string;
  liveEtag?: string;
  development?: Omit<SuiteRunSummary, 'results'>;
  live?: Omit<SuiteRunSummary, 'results'>;
  /** One line on what happened, for people reading the ledger. */
  detail: string;
  time: string;
}

/** What the function's tags say about the last verification, as read back from CloudFront. */
export interface TaggedEvidence {
  candidateSha256?: string;
  suiteSha256?: string;
  result?: string;
  time?: string;
  liveEtag?: string;
}

export async function writeEvidenceTags(cf: CloudFrontClient, functionArn: string, e: EvidenceRecord): Promise<void> {
  const items = [
    { Key: EVIDENCE_TAGS.candidate, Value: e.candidateSha256 },
    { Key: EVIDENCE_TAGS.suite, Value: e.suiteSha256 ?? '' },
    { Key: EVIDENCE_TAGS.result, Value: e.event === 'verified' ? 'passed' : 'failed' },
    { Key: EVIDENCE_TAGS.time, Value: e.time },
    { Key: EVIDENCE_TAGS.liveEtag, Value: e.liveEtag ?? '' },
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
  };
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
