import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetDistributionConfigCommand, UpdateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { resolveStageConfigs } from '../../stacks/stage-config';
import { useEmulatorProject } from '../support/emulator-project';

jest.setTimeout(600_000);

// A stage whose distribution belongs to someone else: conngate manages the store and the function, declares no
// distribution, and tells the distribution's owner exactly what to change until it runs the function.
describe('brownfield stage (distribution managed elsewhere)', () => {
  const p = useEmulatorProject('conngate-brownfield');
  const writeConfig = (stages: object) => fs.writeFileSync(path.join(p.dir, 'conngate.config.json'), JSON.stringify({ stages }, null, 2));

  it('deploys without a distribution, reports the missing association with the exact change, then finds it made', async () => {
    // Someone else's distribution: made here by a managed stage of its own, associated with that stage's function.
    writeConfig({ legacy: { promotesFrom: null } });
    expect((await p.cli('deploy', 'legacy')).code).toBe(0);
    const theirs = p.outputs().read('legacy')!.distributionId!;
    expect(theirs).toMatch(/^E/);

    writeConfig({ legacy: { promotesFrom: null }, dev: { promotesFrom: null, distribution: { existingId: theirs } } });
    const first = await p.cli('deploy', 'dev');
    expect(`${first.code}\n${first.stdout}\n${first.stderr}`).toMatch(/^0\n/);
    const dev = p.outputs().read('dev')!;
    // The stack declared no distribution, and the orchestrator did not try to associate one.
    const doc = JSON.parse(fs.readFileSync(path.join(p.dir, '.conngate', 'cdktf.out', 'stacks', 'dev', 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(doc.resource)).not.toContain('aws_cloudfront_distribution');
    expect(dev.distributionId).toBe(theirs);
    expect(first.stdout).not.toMatch(/function associated with the distribution/);
    expect(first.stdout).toContain(`distribution ${theirs}: NOT associated with dev's function`);
    expect(first.stdout).toContain(`connection_function_association { id = "${dev.functionId}" }`);
    expect(first.stdout).toContain(`ConnectionFunctionAssociation.Id = "${dev.functionId}"`);

    // The owner makes exactly that change.
    const cf = p.cf();
    const current = await cf.send(new GetDistributionConfigCommand({ Id: theirs }));
    await cf.send(new UpdateDistributionCommand({ Id: theirs, IfMatch: current.ETag,
      DistributionConfig: { ...current.DistributionConfig!, ConnectionFunctionAssociation: { Id: dev.functionId } } }));

    const verified = await p.cli('verify', 'dev');
    expect(`${verified.code}\n${verified.stdout}\n${verified.stderr}`).toMatch(/^0\n/);
    expect(verified.stdout).toContain(`distribution ${theirs}: associated with dev's function (managed elsewhere)`);
  });

  it('accepts "none" and refuses a malformed distribution id in one line', () => {
    const [none] = resolveStageConfigs({ stages: { dev: { distribution: 'none' } } }, p.dir);
    expect(none.externalDistribution).toEqual({});
    expect(() => resolveStageConfigs({ stages: { dev: { distribution: { existingId: 'E1; rm -rf /' } } } }, p.dir))
      .toThrow(/stages\.dev\.distribution/);
    expect(() => resolveStageConfigs({ stages: { dev: { distribution: 'mine' } } }, p.dir)).toThrow(/stages\.dev\.distribution/);
  });
});
