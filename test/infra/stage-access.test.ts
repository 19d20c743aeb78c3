import * as path from 'node:path';
import { Testing } from 'cdktf';
import { resolveStageConfigs } from '../../stacks/stage-config';
import { StageStack } from '../../stacks/stage-stack';

// Stages in different accounts: each stack's aws provider carries its own stage's profile / role, never another's.
describe('per-stage AWS access', () => {
  const configs = resolveStageConfigs({
    stages: {
      dev: { promotesFrom: null, aws: { profile: 'dev-account' } },
      prod: { promotesFrom: 'dev', aws: { roleArn: 'arn:aws:iam::222222222222:role/conngate-deploy' } },
      shared: { promotesFrom: null, distribution: 'none' },
    },
  }, path.join(__dirname, '..', '..'));
  const provider = (name: string) => {
    const doc = JSON.parse(Testing.synth(new StageStack(Testing.app(), configs.find((c) => c.name === name)!)));
    return { aws: doc.provider.aws[0], resources: Object.keys(doc.resource) };
  };

  it('gives each stack the matching provider configuration', () => {
    const dev = provider('dev').aws;
    expect(dev.profile).toBe('dev-account');
    expect(dev.assume_role).toBeUndefined();
    const prod = provider('prod').aws;
    expect(prod.profile).toBeUndefined();
    expect(prod.assume_role).toEqual([{ role_arn: 'arn:aws:iam::222222222222:role/conngate-deploy', session_name: 'conngate-prod' }]);
    const shared = provider('shared');
    expect(shared.aws.profile).toBeUndefined();
    expect(shared.resources).not.toContain('aws_cloudfront_distribution');
    expect(shared.resources).toContain('aws_cloudfront_connection_function');
  });

  it('refuses a role that is not an IAM role ARN, in one line naming the field', () => {
    expect(() => resolveStageConfigs({ stages: { dev: { aws: { roleArn: 'arn:aws:iam::1:user/x' } } } }, '/tmp/x')).toThrow(/stages\.dev\.aws\.roleArn/);
    expect(() => resolveStageConfigs({ stages: { dev: { aws: { secretKey: 'x' } } } }, '/tmp/x')).toThrow(/unknown field "secretKey"/);
  });
});
