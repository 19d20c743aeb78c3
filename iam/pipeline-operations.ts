/**
 * Every AWS API operation a conngate command makes, with the IAM actions it needs and the resource it touches: the
 * source `conngate iam-policy` builds its policies from. The coverage test (test/iam/iam-policy-coverage.test.ts)
 * records what the demo and full deploy / promote / verify / sync runs really call against the emulator and fails
 * when a call is missing here or an entry here is never called.
 */

/** The policies `conngate iam-policy` prints, one per way conngate runs. */
export const POLICY_KINDS = ['deploy', 'verify', 'sync', 'run-task'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

/** What a call touches, so a policy can name the stage's resource instead of `*`. */
export type ResourceKind =
  | 'connection-function' | 'key-value-store' | 'distribution' | 'trust-store' | 'tagged-resource'
  | 'state-object' | 'state-bucket' | 'ca-bundle' | 'crl-object' | 'replay-logs-bucket' | 'replay-logs' | 'stage-role' | 'evidence-kms-key' | 'any';

export interface OperationUse {
  /** The API operation as the emulator logs it: `<service>:<Operation>`. */
  operation: string;
  /** The IAM actions it needs. */
  actions: string[];
  resource: ResourceKind;
  kinds: readonly PolicyKind[];
  /**
   * Who calls it: conngate itself (the orchestrator, or the local apply stand-in for what Terraform's provider does
   * on AWS), or, on AWS only, Terraform's S3 backend / CloudFront reading the CA bundle on the caller's behalf,
   * which no emulator run can show.
   */
  by: 'conngate' | 'terraform-backend' | 'cloudfront';
  /** Only when: the condition, for calls on a path no ordinary run takes (the coverage test checks them in the source). */
  onlyWhen?: string;
  /** What the source that makes the call contains, when it is not `new <Operation>Command(` (the SDK makes the call). */
  source?: string;
}

const APPLY: readonly PolicyKind[] = ['deploy'];
const PIPELINE: readonly PolicyKind[] = ['deploy', 'verify', 'run-task'];
const ALL: readonly PolicyKind[] = ['deploy', 'verify', 'sync', 'run-task'];

const cf = (operation: string, resource: ResourceKind, kinds: readonly PolicyKind[], extra: Partial<OperationUse> = {}): OperationUse =>
  ({ operation: `cloudfront:${operation}`, actions: [`cloudfront:${operation}`], resource, kinds, by: 'conngate', ...extra });
const kvs = (operation: string, kinds: readonly PolicyKind[], extra: Partial<OperationUse> = {}): OperationUse =>
  ({ operation: `cloudfront-keyvaluestore:${operation}`, actions: [`cloudfront-keyvaluestore:${operation}`], resource: 'key-value-store', kinds, by: 'conngate', ...extra });

export const PIPELINE_OPERATIONS: readonly OperationUse[] = [
  // The connection function: Terraform (or the stand-in) writes DEVELOPMENT; the pipeline tests, publishes, restores.
  cf('CreateConnectionFunction', 'connection-function', APPLY),
  cf('UpdateConnectionFunction', 'connection-function', PIPELINE),
  cf('DeleteConnectionFunction', 'connection-function', APPLY, { onlyWhen: 'a stage stops declaring its function or renames it' }),
  cf('DescribeConnectionFunction', 'connection-function', PIPELINE),
  cf('GetConnectionFunction', 'connection-function', PIPELINE),
  cf('TestConnectionFunction', 'connection-function', PIPELINE),
  cf('PublishConnectionFunction', 'connection-function', PIPELINE),
  cf('ListDistributionsByConnectionFunction', 'connection-function', PIPELINE, { onlyWhen: 'LIVE exists without verified evidence (a re-run after a failure), or the distribution is managed elsewhere' }),
  // The revocation store and its canary key.
  cf('CreateKeyValueStore', 'key-value-store', APPLY),
  cf('UpdateKeyValueStore', 'key-value-store', APPLY, { onlyWhen: 'a store\'s comment or tags change' }),
  cf('DeleteKeyValueStore', 'key-value-store', APPLY, { onlyWhen: 'a stage stops declaring its store or renames it' }),
  cf('DescribeKeyValueStore', 'key-value-store', ALL),
  kvs('DescribeKeyValueStore', ALL),
  kvs('PutKey', APPLY),
  kvs('GetKey', ALL),
  kvs('DeleteKey', APPLY, { onlyWhen: 'a stage changes its canary serial' }),
  // Sync reads the store; a pipeline run's fuzz step (stage config fuzz) and replay gate (stage config replay) read it
  // when no current snapshot has it.
  kvs('ListKeys', ALL),
  // Sync writes serials; every pipeline run writes its reserved keys (lease, evidence head, rollback target, approvals).
  kvs('UpdateKeys', ALL),
  // The distribution and its trust store.
  cf('CreateDistribution', 'distribution', APPLY),
  cf('GetDistribution', 'distribution', PIPELINE),
  cf('GetDistributionConfig', 'distribution', APPLY),
  cf('UpdateDistribution', 'distribution', APPLY),
  cf('DeleteDistribution', 'distribution', APPLY, { onlyWhen: 'a stage stops declaring its distribution (brownfield switch)' }),
  cf('CreateTrustStore', 'trust-store', APPLY),
  cf('GetTrustStore', 'trust-store', PIPELINE),
  // The pipeline waits for the stage's trust store to be active before associating it, and status shows it.
  cf('ListTrustStores', 'any', PIPELINE),
  cf('UpdateTrustStore', 'trust-store', APPLY, { onlyWhen: 'the CA bundle location changes (a rotation)' }),
  cf('DeleteTrustStore', 'trust-store', APPLY, { onlyWhen: 'a stage stops declaring its trust store or renames it' }),
  // Tags: the stack's tags on every resource, and the evidence the pipeline keeps as conngate:* tags on the function.
  cf('TagResource', 'tagged-resource', PIPELINE),
  cf('UntagResource', 'tagged-resource', APPLY, { onlyWhen: 'a resource loses a tag the stack no longer declares' }),
  cf('ListTagsForResource', 'tagged-resource', PIPELINE),
  // The stage's state (S3 backend) and the CA bundle CloudFront reads when it makes the trust store.
  { operation: 's3:GetObject', actions: ['s3:GetObject'], resource: 'state-object', kinds: APPLY, by: 'conngate', onlyWhen: 'the stage backend is s3' },
  { operation: 's3:PutObject', actions: ['s3:PutObject'], resource: 'state-object', kinds: APPLY, by: 'conngate', onlyWhen: 'the stage backend is s3' },
  { operation: 's3:ListBucket', actions: ['s3:ListBucket'], resource: 'state-bucket', kinds: APPLY, by: 'terraform-backend' },
  { operation: 's3:DeleteObject', actions: ['s3:DeleteObject'], resource: 'state-object', kinds: APPLY, by: 'terraform-backend' },
  { operation: 's3:GetObjectVersion', actions: ['s3:GetObject', 's3:GetObjectVersion'], resource: 'ca-bundle', kinds: APPLY, by: 'cloudfront' },
  // CRLs that AWS Private CA writes to S3 (`revocations sync --crl s3://...`).
  { operation: 's3:GetObject', actions: ['s3:GetObject'], resource: 'crl-object', kinds: ['sync'], by: 'conngate', onlyWhen: 'a CRL source is an s3:// URL' },
  // Connection logs the replay gate reads (`replay.logs: s3://bucket/prefix`).
  { operation: 's3:ListObjectsV2', actions: ['s3:ListBucket'], resource: 'replay-logs-bucket', kinds: PIPELINE, by: 'conngate', onlyWhen: 'the stage config sets replay.logs to an s3:// prefix' },
  { operation: 's3:GetObject', actions: ['s3:GetObject'], resource: 'replay-logs', kinds: PIPELINE, by: 'conngate', onlyWhen: 'the stage config sets replay.logs to an s3:// prefix' },
  // A stage in another account (stage config aws.roleArn).
  { operation: 'sts:AssumeRole', actions: ['sts:AssumeRole'], resource: 'stage-role', kinds: ALL, by: 'conngate', onlyWhen: 'the stage config names aws.roleArn', source: 'fromTemporaryCredentials(' },
  // Evidence signed with a KMS key (CONNGATE_EVIDENCE_KMS_KEY_ID).
  { operation: 'kms:Sign', actions: ['kms:Sign'], resource: 'evidence-kms-key', kinds: PIPELINE, by: 'conngate', onlyWhen: 'CONNGATE_EVIDENCE_KMS_KEY_ID is set' },
  { operation: 'kms:GetPublicKey', actions: ['kms:GetPublicKey'], resource: 'evidence-kms-key', kinds: PIPELINE, by: 'conngate', onlyWhen: 'CONNGATE_EVIDENCE_KMS_KEY_ID is set' },
];
