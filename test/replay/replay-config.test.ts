import * as os from 'node:os';
import * as path from 'node:path';
import { stagePolicy } from '../../iam/stage-policy';
import { resolveStageConfigs } from '../../stacks/stage-config';
import { stageSpecsFrom } from '../../orchestrator/stage/stage-spec';

const dir = os.tmpdir();
const stage = (replay?: object) => resolveStageConfigs({ stages: { prod: { promotesFrom: null, ...(replay ? { replay } : {}) } } }, dir, 'conngate.config.json')[0];

describe('stage config replay: the gate\'s settings, checked', () => {
  it('resolves paths against the project, keeps an s3:// source, defaults maxChangedDecisions to 0, and reaches the pipeline', () => {
    expect(stage({ logs: 'logs/', expected: 'expected.json' }).replay).toEqual({ logs: path.join(dir, 'logs'), maxChangedDecisions: 0, expected: path.join(dir, 'expected.json') });
    const s3 = stage({ logs: 's3://my-logs/cloudfront/', maxChangedDecisions: 5 });
    expect(s3.replay).toEqual({ logs: 's3://my-logs/cloudfront/', maxChangedDecisions: 5 });
    expect(stageSpecsFrom([s3])[0].replay).toEqual(s3.replay);
  });

  it('refuses a malformed replay section in one line naming the field', () => {
    expect(() => stage({ logs: 'x', maxChangedDecisions: -1 })).toThrow(/^conngate.config.json stages.prod.replay.maxChangedDecisions: .* \(fix: /);
    expect(() => stage({ maxChangedDecisions: 1 })).toThrow(/stages.prod.replay: missing field "logs"/);
    expect(() => stage({ logs: 'x', max: 1 })).toThrow(/stages.prod.replay: unknown field "max"/);
  });

  it('adds to the deploy policy exactly what an s3:// replay reads: the bucket listing and the prefix\'s objects (the store listing is in every deploy policy, for the fuzz step and the replay)', () => {
    const actions = (p: ReturnType<typeof stagePolicy>) => p.Statement.flatMap((s) => s.Action.map((a) => `${a} ${s.Resource.join(',')}`));
    const without = actions(stagePolicy('deploy', stage(), { account: '123456789012' }));
    const withS3 = actions(stagePolicy('deploy', stage({ logs: 's3://my-logs/cloudfront/E1/' }), { account: '123456789012' }));
    expect(withS3.filter((a) => !without.includes(a)).sort()).toEqual([
      's3:GetObject arn:aws:s3:::my-logs/cloudfront/E1/*',
      's3:ListBucket arn:aws:s3:::my-logs',
    ]);
    expect(without.some((a) => a.startsWith('cloudfront-keyvaluestore:ListKeys'))).toBe(true);
  });
});
