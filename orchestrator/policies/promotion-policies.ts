import * as path from 'node:path';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { shortSha } from '../stage/candidate';
import { parseDenyWindow, openWindowUntil } from './deny-window';
import { appendLedger } from '../evidence/evidence';
import type { EvidenceKeyring } from '../signing/evidence-signing';
import { approvalProblem, approvalStore } from './promotion-approval';
import type { StageSpec } from '../stage/stage-spec';
import { StepError } from '../stage/step-error';

/** An emergency promotion past unmet policies: needs a reason, and is recorded in the ledger. */
export interface PolicyOverride { reason: string; by?: string }

export interface PolicyContext {
  /** The promoted stage's own account's clients: its approvals are read from its store with them. */
  cf: CloudFrontClient;
  kvs: CloudFrontKeyValueStoreClient;
  stages: StageSpec[];
  stateDir?: string;
  policyOverride?: PolicyOverride;
  /** The clock policies are judged by (tests move it). @default new Date() */
  now?: () => Date;
}

/**
 * The stage's promotion policies not met for `candidate` now: soak time since the upstream's signed evidence
 * (`upstreamVerifiedAt`), a signed approval, deny windows. Read-only; an empty list when all are met.
 */
export async function unmetPolicies(ctx: PolicyContext, keys: EvidenceKeyring, spec: StageSpec, candidate: string, upstreamVerifiedAt: string | undefined): Promise<string[]> {
  const p = spec.promotion;
  if (!p) return [];
  const now = ctx.now?.() ?? new Date();
  const unmet: string[] = [];
  if (p.soakMinutes) {
    const since = upstreamVerifiedAt ? Date.parse(upstreamVerifiedAt) : NaN;
    const soaked = Number.isNaN(since) ? 0 : (now.getTime() - since) / 60_000;
    if (soaked < p.soakMinutes) {
      unmet.push(`soak: ${spec.promotesFrom} has run ${shortSha(candidate)} verified for ${Math.max(0, Math.floor(soaked))} of ${p.soakMinutes} minutes` +
        (Number.isNaN(since) ? '' : ` (until ${new Date(since + p.soakMinutes * 60_000).toISOString()})`));
    }
  }
  if (p.requireApproval) {
    const store = await approvalStore(ctx.cf, ctx.kvs, spec);
    if (!store) {
      // Nothing can hold an approval before the stage's first apply; a first deploy is then an explicit override.
      unmet.push(`approval: ${spec.name} has no KeyValueStore yet to hold one (its first deploy needs --override-policy --reason "<why>", recorded; later promotions \`conngate approve ${spec.name}\`)`);
    } else {
      const { problem } = await approvalProblem(store, keys, spec.name, candidate);
      if (problem) unmet.push(`approval: ${problem} (run \`conngate approve ${spec.name} --candidate ${candidate} --approver <name>\`)`);
    }
  }
  (p.denyWindows ?? []).forEach((w, i) => {
    const until = openWindowUntil(parseDenyWindow(w, `conngate.config.json stages.${spec.name}.promotion.denyWindows[${i}]`), now);
    if (until) unmet.push(`deny window ${w.name ?? `"${w.schedule}" ${w.timeZone}`} is open until ${until.toISOString()}`);
  });
  return unmet;
}

/**
 * Enforces the stage's promotion policies in the gate: refuses when one is unmet, unless an override with a reason
 * is given, which is then recorded in the ledger (and the run's report) with every condition it overrode.
 * Returns the override note when one was used.
 */
export async function checkPolicies(ctx: PolicyContext, keys: EvidenceKeyring, spec: StageSpec, candidate: string, upstreamVerifiedAt: string | undefined): Promise<string | undefined> {
  const unmet = await unmetPolicies(ctx, keys, spec, candidate, upstreamVerifiedAt);
  if (!unmet.length) return undefined;
  if (!ctx.policyOverride) {
    throw new StepError(`${spec.name}: gate`, `refused by promotion policy: ${unmet.join('; ')}`,
      'meet the condition, or in an emergency pass --override-policy --reason "<why>" (recorded in the evidence ledger)');
  }
  const note = `promotion policy overridden (${ctx.policyOverride.reason}) by ${ctx.policyOverride.by ?? 'unknown'}: ${unmet.join('; ')}`;
  if (ctx.stateDir) {
    appendLedger(path.join(ctx.stateDir, 'ledger.jsonl'), { event: 'policy-override', stage: spec.name, candidateSha256: candidate, detail: note, time: new Date().toISOString() });
  }
  return note;
}
