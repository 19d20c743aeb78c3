import type { StageConfig } from '../stacks/stage-config';
import { PIPELINE_OPERATIONS, type OperationUse, type PolicyKind, type ResourceKind } from './pipeline-operations';

/** An IAM policy document as AWS takes it. */
export interface IamPolicy {
  Version: '2012-10-17';
  Statement: { Sid: string; Effect: 'Allow'; Action: string[]; Resource: string[] }[];
}

export interface StagePolicyOptions {
  /** The account the stage deploys to; default: the one of aws.roleArn, else any (`*`). */
  account?: string;
  /** CRL sources a `revocations sync` reads from S3 (s3://bucket/key). */
  crlSources?: string[];
  /** The evidence KMS key (CONNGATE_EVIDENCE_KMS_KEY_ID), when evidence is signed with KMS. */
  evidenceKmsKeyId?: string;
}

/**
 * The resources of one kind in the stage. CloudFront gives functions, stores, distributions and trust stores random
 * ids, so those are named by type within the account; S3 objects, the role and the KMS key are named exactly.
 * An empty list: the stage has none (the statement is left out).
 */
function resourcesOf(kind: ResourceKind, config: StageConfig, account: string, opts: StagePolicyOptions): string[] {
  const cfArn = (type: string) => [`arn:aws:cloudfront::${account}:${type}/*`];
  const ts = config.mtls.trustStore;
  switch (kind) {
    case 'connection-function': return cfArn('connection-function');
    case 'key-value-store': return cfArn('key-value-store');
    case 'distribution': return config.externalDistribution ? [] : cfArn('distribution');
    case 'trust-store': return ts.type === 's3' ? cfArn('trust-store') : [];
    case 'tagged-resource': return [...cfArn('connection-function'), ...cfArn('key-value-store'), ...(config.externalDistribution ? [] : cfArn('distribution')), ...(ts.type === 's3' ? cfArn('trust-store') : [])];
    case 'state-object': return config.backend.type === 's3' ? [`arn:aws:s3:::${config.backend.bucket}/${config.backend.key}`, `arn:aws:s3:::${config.backend.bucket}/${config.backend.key}.tflock`] : [];
    case 'state-bucket': return config.backend.type === 's3' ? [`arn:aws:s3:::${config.backend.bucket}`] : [];
    case 'ca-bundle': return ts.type === 's3' ? [`arn:aws:s3:::${ts.bucket}/${ts.key}`] : [];
    case 'crl-object': return (opts.crlSources ?? []).map((u) => `arn:aws:s3:::${u.replace(/^s3:\/\//, '')}`);
    case 'replay-logs-bucket': return /^s3:\/\//i.test(config.replay?.logs ?? '') ? [`arn:aws:s3:::${config.replay!.logs.slice(5).split('/')[0]}`] : [];
    case 'replay-logs': return /^s3:\/\//i.test(config.replay?.logs ?? '') ? [`arn:aws:s3:::${config.replay!.logs.slice(5)}*`] : [];
    case 'stage-role': return config.aws?.roleArn ? [config.aws.roleArn] : [];
    case 'evidence-kms-key': return opts.evidenceKmsKeyId ? [opts.evidenceKmsKeyId.startsWith('arn:') ? opts.evidenceKmsKeyId : `arn:aws:kms:${config.region}:${account}:key/${opts.evidenceKmsKeyId}`] : [];
    case 'any': return ['*'];
  }
}

/** The operations a kind of run makes (every entry, also those on rarer paths a real run may take). */
export function operationsFor(kind: PolicyKind): OperationUse[] {
  return PIPELINE_OPERATIONS.filter((o) => o.kinds.includes(kind));
}

/**
 * The least-privilege policy for one kind of run against one stage: one statement per resource, with exactly the
 * actions conngate (and, for deploy, Terraform's S3 backend and CloudFront reading the CA bundle) calls on it.
 */
export function stagePolicy(kind: PolicyKind, config: StageConfig, opts: StagePolicyOptions = {}): IamPolicy {
  const account = opts.account ?? config.aws?.roleArn?.split(':')[4] ?? '*';
  const byResource = new Map<string, { kind: ResourceKind; actions: Set<string>; resources: string[] }>();
  for (const op of operationsFor(kind)) {
    const resources = resourcesOf(op.resource, config, account, opts);
    if (resources.length === 0) continue;
    const key = `${op.resource} ${resources.join(' ')}`;
    if (!byResource.has(key)) byResource.set(key, { kind: op.resource, actions: new Set(), resources });
    for (const a of op.actions) byResource.get(key)!.actions.add(a);
  }
  const sid = (k: ResourceKind) => k.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  return {
    Version: '2012-10-17',
    Statement: [...byResource.values()].map((s) => ({
      Sid: `Conngate${sid(s.kind)}`, Effect: 'Allow' as const, Action: [...s.actions].sort(), Resource: s.resources,
    })),
  };
}

/** Every IAM action of a policy (for the policy simulator and the coverage test). */
export function policyActions(policy: IamPolicy): string[] {
  return [...new Set(policy.Statement.flatMap((s) => s.Action))].sort();
}
