import { App, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { CloudfrontKeyValueStore } from '@cdktf/provider-aws/lib/cloudfront-key-value-store';
import { CloudfrontkeyvaluestoreKey } from '@cdktf/provider-aws/lib/cloudfrontkeyvaluestore-key';
import { CloudfrontConnectionFunction } from '../../modules/bindings/cloudfront-connection-function';
import { CloudfrontTrustStore } from '../../modules/bindings/cloudfront-trust-store';
import { ConnectionFunctionCode } from '../../modules/connection-function-code';
import { UNASSOCIATED_STAGES_CONTEXT_KEY, UNASSOCIATED_STAGES_ENV, unassociatedStagesEnv, unassociatedStagesFrom } from '../../stacks/first-deploy-context';
import { loadStageConfigs, StageConfig } from '../../stacks/stage-config';
import { StageStack } from '../../stacks/stage-stack';
import { OUTPUT_NAMES } from '../../orchestrator/stage/stage-outputs';
import { makeTempProject, THREE_BACKENDS_CONFIG } from './support/temp-project';

Testing.setupJest();

const project = makeTempProject(THREE_BACKENDS_CONFIG);
const configs = loadStageConfigs(project);
const byName = (n: string): StageConfig => configs.find((c) => c.name === n)!;

function synthStage(name: string, context: Record<string, unknown> = {}): Record<string, any> {
  const app = Testing.app({ context });
  const stack = new StageStack(app, byName(name));
  return JSON.parse(Testing.synth(stack));
}

describe('StageStack', () => {
  it('synthesizes each stage on its own, with its own names and backend (local, s3, cloud)', () => {
    const dev = synthStage('dev');
    const staging = synthStage('staging');
    const prod = synthStage('prod');

    expect(dev.terraform.backend).toEqual({ local: { path: `${project}/terraform.dev.tfstate` } });
    expect(staging.terraform.backend).toEqual({
      s3: { bucket: 'acme-tfstate', key: 'conngate/staging/terraform.tfstate', region: 'eu-west-1', encrypt: true, use_lockfile: true },
    });
    expect(prod.terraform.cloud).toEqual({ organization: 'acme', hostname: 'app.terraform.io', workspaces: { name: 'conngate-prod' } });
    expect(prod.terraform.backend).toBeUndefined();

    for (const [stage, doc] of [['dev', dev], ['staging', staging], ['prod', prod]] as const) {
      const text = JSON.stringify(doc);
      expect(text).toHaveResourceWithProperties(CloudfrontKeyValueStore, { name: `conngate-${stage}-revoked-serials` });
      expect(text).toHaveResourceWithProperties(CloudfrontConnectionFunction, { name: `conngate-${stage}-revocation-check`, publish: false });
      expect(doc.output.stage.value).toBe(stage);
    }
    // prod uses an existing trust store: no trust store resource, its id goes straight into the distribution.
    expect(JSON.stringify(dev)).toHaveResource(CloudfrontTrustStore);
    expect(JSON.stringify(prod)).not.toHaveResource(CloudfrontTrustStore);
    expect(prod.output.trust_store_id.value).toBe('ts-prod-123');
  });

  it('declares the aws provider >= 6.28.0 and ignores conngate:* tags', () => {
    const app = Testing.app();
    const stack = new StageStack(app, byName('staging'));
    const text = Testing.synth(stack);
    const doc = JSON.parse(text);
    expect(doc.terraform.required_providers.aws).toEqual({ source: 'hashicorp/aws', version: '>= 6.28.0, < 7.0.0' });
    expect(text).toHaveProviderWithProperties(AwsProvider, {
      region: 'us-east-1',
      ignore_tags: [{ key_prefixes: ['conngate:'] }],
      default_tags: [{ tags: { project: 'conngate', stage: 'staging' } }],
    });
  });

  it('keeps the canary serial in the store', () => {
    const text = JSON.stringify(synthStage('dev'));
    expect(text).toHaveResourceWithProperties(CloudfrontkeyvaluestoreKey, { key: '0badc0de0badc0de', value: 'conngate-canary' });
  });

  it('declares exactly the outputs the orchestrator reads, at stack scope', () => {
    const doc = synthStage('dev');
    expect(Object.keys(doc.output).sort()).toEqual(Object.values(OUTPUT_NAMES).sort());
    expect(doc.output.candidate_sha256.value).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.output.function_name.value).toBe('conngate-dev-revocation-check');
    expect(doc.output.kvs_name.value).toBe('conngate-dev-revoked-serials');
    expect(doc.output.canary_serial.value).toBe('0badc0de0badc0de');
    expect(doc.output.function_associated.value).toBe(true);
  });

  it('leaves the association out for stages listed in the conngate:unassociatedStages context', () => {
    const withCtx = synthStage('staging', { [UNASSOCIATED_STAGES_CONTEXT_KEY]: 'dev, staging' });
    const dist = Object.values(withCtx.resource.aws_cloudfront_distribution)[0] as Record<string, unknown>;
    expect(dist).not.toHaveProperty('connection_function_association');
    expect(dist).toHaveProperty('viewer_mtls_config');
    expect(withCtx.output.function_associated.value).toBe(false);

    const other = synthStage('prod', { [UNASSOCIATED_STAGES_CONTEXT_KEY]: 'dev,staging' });
    const prodDist = Object.values(other.resource.aws_cloudfront_distribution)[0] as Record<string, unknown>;
    expect(prodDist).toHaveProperty('connection_function_association');
  });

  it('reads the switch from CONNGATE_UNASSOCIATED_STAGES, which survives the cdktf CLI', () => {
    const saved = process.env[UNASSOCIATED_STAGES_ENV];
    try {
      Object.assign(process.env, unassociatedStagesEnv(['dev']));
      const app = new App({ outdir: makeTempProject(), skipValidation: true });
      expect(new StageStack(app, byName('dev')).functionAssociated).toBe(false);
      expect(new StageStack(app, byName('staging')).functionAssociated).toBe(true);
    } finally {
      if (saved === undefined) delete process.env[UNASSOCIATED_STAGES_ENV]; else process.env[UNASSOCIATED_STAGES_ENV] = saved;
    }
    expect(unassociatedStagesFrom(['a', ' b '])).toEqual(['a', 'b']);
    expect(unassociatedStagesFrom(undefined)).toEqual([]);
  });

  it('fails synthesis with the file name when the function is invalid', () => {
    const app = Testing.app();
    expect(() => new StageStack(app, byName('dev'), { code: ConnectionFunctionCode.fromInline('export default 1;', 'functions/revocation-check.js') }))
      .toThrow(/^functions\/revocation-check\.js:1: connection function code has an `export` statement/);
  });

  it('matches the snapshot of the dev stage (cdk.tf.json)', () => {
    const doc = synthStage('dev');
    // The temp project path is the only machine-specific value.
    const text = JSON.stringify(doc, null, 2).split(project).join('<project>');
    expect(text).toMatchSnapshot();
  });
});
