import * as path from 'node:path';
import { Construct } from 'constructs';
import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AWS_PROVIDER_CONSTRAINT, AWSCC_PROVIDER_CONSTRAINT } from '../modules/bindings/provider-metadata';
import { applyProviderFeatures } from '../modules/bindings/provider-features';
import { ConnectionFunction } from '../modules/connection-function';
import { ConnectionFunctionCode } from '../modules/connection-function-code';
import { MtlsDistribution } from '../modules/mtls-distribution';
import { RevocationStore } from '../modules/revocation-store';
import { RESERVED_TAG_PREFIX } from '../modules/reserved-tags';
import { ViewerTrustStore } from '../modules/viewer-trust-store';
import { isStageUnassociated } from './first-deploy-context';
import { STAGE_CONFIG_FILE, stageDistributionComment, stageFunctionName, StageBackend, StageConfig } from './stage-config';

/** Tag-key prefix Terraform leaves alone: the orchestrator records evidence as conngate:* tags. */

/** Properties of a {@link StageStack}. */
export interface StageStackProps {
  /** The resolved stage config (from loadStageConfigs). */
  readonly config: StageConfig;
  /**
   * The function code; overrides reading config.functionFile (tests pass inline code).
   * @default ConnectionFunctionCode.fromFile(config.functionFile)
   */
  readonly code?: ConnectionFunctionCode;
  /**
   * Leave the distribution's connection-function association out (first deploy).
   * @default true when the context key "conngate:unassociatedStages" lists this stage, else false
   */
  readonly unassociated?: boolean;
}

/**
 * One stage: its backend, the aws provider (>= 6.28.0, ignoring conngate:* tags), the revocation store with its
 * canary, the connection function, and the viewer-mTLS distribution, plus the outputs the orchestrator reads.
 */
export class StageStack extends TerraformStack {
  public readonly config: StageConfig;
  public readonly revocationStore: RevocationStore;
  public readonly connectionFunction: ConnectionFunction;
  /** The distribution; undefined when the stage leaves it to someone else (stage config `distribution`). */
  public readonly distribution?: MtlsDistribution;
  /** Whether the connection-function association is declared in this synthesis. */
  public readonly functionAssociated: boolean;

  public constructor(scope: Construct, config: StageConfig, props: Omit<StageStackProps, 'config'> = {}) {
    super(scope, config.name);
    this.config = config;
    configureBackend(this, config);

    new AwsProvider(this, 'aws', {
      region: config.region,
      // The stage's own account: its profile and/or the role to assume (stage config `aws`).
      ...(config.aws?.profile ? { profile: config.aws.profile } : {}),
      ...(config.aws?.roleArn ? { assumeRole: [{ roleArn: config.aws.roleArn, sessionName: `conngate-${config.name}` }] } : {}),
      defaultTags: [{ tags: config.tags }],
      ignoreTags: [{ keyPrefixes: [RESERVED_TAG_PREFIX] }],
    });
    // The prebuilt provider binding pins the 6.25.0 it was generated from; toTerraform raises the floor to what the
    // stack's features need (modules/bindings/provider-features.ts).
    this.addOverride('terraform.required_providers.aws.version', AWS_PROVIDER_CONSTRAINT);
    this.addOverride('terraform.required_providers.aws.source', 'hashicorp/aws');

    this.revocationStore = new RevocationStore(this, 'RevocationStore', {
      storeName: `${config.namePrefix}-revoked-serials`,
      canarySerial: config.canarySerial,
    });

    const code = props.code ?? ConnectionFunctionCode.fromFile(config.functionFile);
    this.connectionFunction = new ConnectionFunction(this, 'ConnectionFunction', {
      code,
      functionName: stageFunctionName(props.code ? { namePrefix: config.namePrefix, functionFile: code.source } : config),
      comment: `conngate ${config.name}: ${path.basename(code.source)}`,
      keyValueStore: this.revocationStore,
    });

    const external = config.externalDistribution;
    this.functionAssociated = !external && !(props.unassociated ?? isStageUnassociated(this.node, config.name));
    const ts = config.mtls.trustStore;
    if (ts.type === 's3' && ts.ocsp) {
      // awscc_cloudfront_trust_store carries the OCSP flag hashicorp/aws cannot set yet.
      this.addOverride('terraform.required_providers.awscc', { source: 'hashicorp/awscc', version: AWSCC_PROVIDER_CONSTRAINT });
      this.addOverride('provider.awscc', [{ region: config.region }]);
    }
    this.distribution = external ? undefined : new MtlsDistribution(this, 'Distribution', {
      mode: config.mtls.mode,
      trustStore: ts.type === 'none' ? undefined : ts.type === 'existing'
        ? ViewerTrustStore.fromTrustStoreId(ts.trustStoreId)
        : ViewerTrustStore.fromS3CaBundle(ts.name, { bucket: ts.bucket, key: ts.key, region: ts.region, version: ts.version },
          { ocsp: ts.ocsp, unversionedPlaceholder: ts.placeholder, awsccTags: config.tags }),
      ignoreCertificateExpiry: config.mtls.ignoreCertificateExpiry,
      advertiseTrustStoreCaNames: config.mtls.advertiseTrustStoreCaNames,
      origin: config.origin,
      aliases: config.aliases,
      acmCertificateArn: config.acmCertificateArn,
      comment: stageDistributionComment(config.name),
      connectionFunction: this.functionAssociated ? this.connectionFunction : undefined,
    });

    const outputs: Record<string, { value: unknown; description: string }> = {
      stage: { value: config.name, description: 'Stage name' },
      candidate_sha256: { value: this.connectionFunction.candidateSha256, description: 'SHA-256 of the connection-function code Terraform uploads' },
      function_id: { value: this.connectionFunction.functionId, description: 'Connection function id' },
      function_name: { value: this.connectionFunction.functionName, description: 'Connection function name' },
      function_arn: { value: this.connectionFunction.functionArn, description: 'Connection function ARN' },
      function_etag: { value: this.connectionFunction.etag, description: 'DEVELOPMENT-stage ETag after apply' },
      kvs_name: { value: this.revocationStore.storeName, description: 'Revocation KeyValueStore name' },
      kvs_arn: { value: this.revocationStore.arn, description: 'Revocation KeyValueStore ARN' },
      distribution_id: { value: this.distribution?.distributionId ?? external?.id ?? '', description: 'Distribution id' },
      distribution_domain: { value: this.distribution?.domainName ?? '', description: 'Distribution domain name' },
      trust_store_id: { value: this.distribution?.trustStoreId ?? '', description: 'Viewer mTLS trust store id' },
      canary_serial: { value: config.canarySerial, description: 'Canonical canary revoked serial kept in the store' },
      function_associated: { value: this.functionAssociated, description: 'Whether this apply declared the connection-function association' },
    };
    for (const [name, o] of Object.entries(outputs)) {
      const out = new TerraformOutput(this, name, { value: o.value, description: o.description });
      // Exact names: the orchestrator reads these (orchestrator/stage/stage-outputs.ts).
      out.overrideLogicalId(name);
    }
  }

  /**
   * The synthesized document, checked against what released providers accept: a feature none has is refused at
   * synth (not at a user's `terraform plan`), and the provider constraints follow the features actually used.
   */
  public override toTerraform(): any {
    return applyProviderFeatures(super.toTerraform(), (f) => `${STAGE_CONFIG_FILE} stages.${this.config.name}${f.configField ? `.${f.configField}` : ''}`);
  }
}

function configureBackend(stack: TerraformStack, config: StageConfig): void {
  const b: StageBackend = config.backend;
  switch (b.type) {
    case 'local':
      new LocalBackend(stack, { path: b.path });
      return;
    case 's3': {
      const backend = new S3Backend(stack, { bucket: b.bucket, key: b.key, region: b.region, encrypt: b.encrypt });
      // Terraform >= 1.10's native S3 locking; cdktf 0.21's S3BackendConfig has no field for it yet.
      backend.addOverride('use_lockfile', true);
      return;
    }
    case 'cloud':
      new CloudBackend(stack, { organization: b.organization, hostname: b.hostname, workspaces: new NamedCloudWorkspace(b.workspace) });
      return;
  }
}
