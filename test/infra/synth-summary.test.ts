import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { loadStageConfigs } from '../../stacks/stage-config';
import { StageStack } from '../../stacks/stage-stack';
import { formatSynthSummary, readSynthSummary, summarizeStackJson } from '../../stacks/synth-summary';
import { stackFilePath } from '../../stacks/synth-output';
import { UNASSOCIATED_STAGES_CONTEXT_KEY } from '../../stacks/first-deploy-context';
import { makeTempProject, THREE_BACKENDS_CONFIG } from './support/temp-project';

const project = makeTempProject(THREE_BACKENDS_CONFIG);
const configs = loadStageConfigs(project);

function synthDoc(stage: string, context: Record<string, unknown> = {}): unknown {
  const stack = new StageStack(Testing.app({ context }), configs.find((c) => c.name === stage)!);
  return JSON.parse(Testing.synth(stack));
}

describe('summarizeStackJson', () => {
  it('counts resources by type and reads function, candidate, backend, association and provider constraint', () => {
    const s = summarizeStackJson('staging', synthDoc('staging', { [UNASSOCIATED_STAGES_CONTEXT_KEY]: 'staging' }));
    expect(s).toEqual({
      stage: 'staging',
      resources: {
        aws_cloudfront_connection_function: 1,
        aws_cloudfront_distribution: 1,
        aws_cloudfront_key_value_store: 1,
        aws_cloudfront_trust_store: 1,
        aws_cloudfrontkeyvaluestore_key: 1,
      },
      resourceCount: 5,
      functionName: 'conngate-staging-revocation-check',
      candidateSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      backend: { type: 's3', description: 's3://acme-tfstate/conngate/staging/terraform.tfstate (eu-west-1, lockfile)' },
      functionAssociated: false,
      awsProviderConstraint: '>= 6.28.0, < 7.0.0',
    });
    const text = formatSynthSummary(s);
    expect(text).toContain('stage staging: 5 resources');
    expect(text).toContain('association  off (first deploy');
  });

  it('describes a cloud workspace and tolerates an empty document', () => {
    expect(summarizeStackJson('prod', synthDoc('prod')).backend).toEqual({ type: 'cloud', description: 'app.terraform.io organization acme workspace conngate-prod' });
    expect(summarizeStackJson('x', {})).toEqual({
      stage: 'x', resources: {}, resourceCount: 0, functionName: undefined, candidateSha256: undefined,
      backend: { type: 'local', description: 'terraform.tfstate' }, functionAssociated: false, awsProviderConstraint: undefined,
    });
  });

  it('reads a stage from the cdktf output folder; a missing or corrupt stack file is a one-line error naming it', () => {
    const outdir = makeTempProject();
    const file = stackFilePath(outdir, 'dev');
    expect(() => readSynthSummary(outdir, 'dev')).toThrow(`${file}: no synthesized stack here (fix: `);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{ "resource": ');
    expect(() => readSynthSummary(outdir, 'dev')).toThrow(`${file}: not valid JSON (`);
    fs.writeFileSync(file, JSON.stringify(synthDoc('dev')));
    expect(readSynthSummary(outdir, 'dev').functionName).toBe('conngate-dev-revocation-check');
  });
});
