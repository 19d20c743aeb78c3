import type { StageStatus } from './stage-status';

/**
 * The stable shape of `conngate status --json` (version 1, documented in docs/orchestrator.md): every field is
 * always present, null when unknown, so scripts can test fields without guarding for their absence. New fields may
 * be added; none is removed or changes meaning within a version.
 */
export interface StatusJson {
  version: 1;
  /** The endpoint asked: the URL given, or "AWS (cloudfront.amazonaws.com)". */
  endpoint: string;
  /** The AWS account the functions belong to, from their ARNs; null when no function exists yet. */
  account: string | null;
  /** "aws" without an endpoint, "emulator" when one was given: an emulator's "verified" says nothing about AWS. */
  endpointKind: 'aws' | 'emulator';
  /** The region the clients use; null when not known to the caller. */
  region: string | null;
  stages: StageStatusJson[];
}

export interface StageStatusJson {
  stage: string;
  promotesFrom: string | null;
  /** SHA-256 of the function file in this checkout; null when the file is missing. */
  localCandidate: string | null;
  /** Null when the stage's function does not exist at the endpoint. */
  functionName: string | null;
  development: string | null;
  live: string | null;
  liveStatus: string | null;
  /** The evidence tags on the function; null when there are none. Extra fields may appear inside. */
  evidence: ({ result: string | null; candidateSha256: string | null; suiteSha256: string | null; time: string | null;
    liveEtag: string | null } & Record<string, unknown>) | null;
  /** Whether LIVE runs exactly what signed, current evidence says passed (signature, code, LIVE ETag and suite). */
  verified: boolean;
  /** Why the evidence does not verify; null when it does. Starts with "not checked: " when no key was available. */
  evidenceCheck: string | null;
  gate: { open: boolean; reason: string };
  /** The endpoint this stage was read at (a stage's own `aws.endpoint`, else the command's). */
  endpoint: string;
  /** The account of this stage's function, from its ARN (a stage in another account differs from the top level). */
  account: string | null;
  /** The stage's trust store; null when it has none or it does not exist. `reason` is set only when `failed`. */
  trustStore: { id: string; name: string; status: string; reason: string | null; numberOfCaCertificates: number | null } | null;
  endpointKind: 'aws' | 'emulator';
  region: string | null;
}

const kindOf = (endpoint: string): 'aws' | 'emulator' => (endpoint.startsWith('AWS (') ? 'aws' : 'emulator');

const orNull = <T>(v: T | undefined | ''): T | null => (v === undefined || v === '' ? null : v);

export function statusJson(endpoint: string, account: string | undefined, statuses: StageStatus[],
  endpointOf: (stage: string) => string = () => endpoint, regionOf: (stage?: string) => string | undefined = () => undefined): StatusJson {
  return {
    version: 1,
    endpoint,
    account: orNull(account),
    endpointKind: kindOf(endpoint),
    region: orNull(regionOf()),
    stages: statuses.map((s) => ({
      stage: s.stage,
      promotesFrom: orNull(s.promotesFrom),
      localCandidate: orNull(s.localCandidate),
      functionName: orNull(s.functionName),
      development: orNull(s.development),
      live: orNull(s.live),
      liveStatus: orNull(s.liveStatus),
      evidence: s.evidence ? {
        ...s.evidence,
        result: orNull(s.evidence.result), candidateSha256: orNull(s.evidence.candidateSha256),
        suiteSha256: orNull(s.evidence.suiteSha256), time: orNull(s.evidence.time), liveEtag: orNull(s.evidence.liveEtag),
      } : null,
      verified: s.verified,
      evidenceCheck: orNull(s.evidenceCheck),
      gate: { open: s.gate.open, reason: s.gate.reason },
      endpoint: endpointOf(s.stage),
      account: orNull(s.account),
      trustStore: s.trustStore ? {
        id: s.trustStore.id, name: s.trustStore.name, status: s.trustStore.status, reason: orNull(s.trustStore.reason),
        numberOfCaCertificates: s.trustStore.numberOfCaCertificates ?? null,
      } : null,
      endpointKind: kindOf(endpointOf(s.stage)),
      region: orNull(regionOf(s.stage)),
    })),
  };
}
