import * as os from 'node:os';
import { checkDeployable, runningInCi } from '../../cli/deploy-preflight';
import { resolveStageConfigs } from '../../stacks/stage-config';
import { stagePlaceholders } from '../../stacks/stage-placeholders';

const stage = (defaults: Record<string, unknown>) => resolveStageConfigs({ defaults, stages: { dev: { promotesFrom: null } } }, os.tmpdir())[0];
const ready = {
  backend: { type: 's3', bucket: 'acme-tfstate' }, origin: { domainName: 'api.acme.net' },
  mtls: { trustStore: { caBundle: { bucket: 'acme-mtls', key: 'ca-bundle.pem', version: 'v1' } } },
};
const AWS = { region: 'us-east-1' };
const EMULATOR = { region: 'us-east-1', endpoint: 'http://127.0.0.1:4566' };

// What a deploy to AWS refuses before anything runs, and what the emulator and the demo keep taking.
describe('deploy preflight', () => {
  it('names every placeholder of a new project, and none of a ready one', () => {
    expect(stagePlaceholders(stage({})).map((p) => p.where)).toEqual(['conngate.config.json stages.dev.origin.domainName', 'conngate.config.json stages.dev.mtls.trustStore.caBundle']);
    for (const host of ['example.com', 'api.example.org', 'EXAMPLE.NET.', 'svc.test', 'localhost']) {
      expect(stagePlaceholders(stage({ ...ready, origin: { domainName: host } })).map((p) => p.what)).toEqual([`origin "${host}" is a placeholder`]);
    }
    expect(stagePlaceholders(stage({ ...ready, origin: { domainName: 'example.company.com' } }))).toEqual([]);
    expect(stagePlaceholders(stage({ ...ready, mtls: { mode: 'passthrough' } }))).toEqual([]);
    expect(stagePlaceholders(stage(ready))).toEqual([]);
  });

  it('refuses a local backend in CI and placeholders for AWS, in one line naming the field and the fix', () => {
    expect(() => checkDeployable(stage({ ...ready, backend: { type: 'local' } }), AWS, { CI: 'true' }))
      .toThrow(/^conngate\.config\.json stages\.dev\.backend: a local Terraform backend in CI: .* \(fix: .*conngate init --backend s3/);
    expect(() => checkDeployable(stage({ ...ready, origin: { domainName: 'example.com' } }), AWS, {}))
      .toThrow(/^conngate\.config\.json stages\.dev\.origin\.domainName: origin "example\.com" is a placeholder; a deploy to AWS needs your own value \(fix: .*conngate doctor dev/);
    // A local backend outside CI is a laptop's choice.
    expect(() => checkDeployable(stage({ ...ready, backend: { type: 'local' } }), AWS, {})).not.toThrow();
    expect(() => checkDeployable(stage(ready), AWS, { CI: 'true' })).not.toThrow();
  });

  it('lets the emulator (and so the demo) deploy placeholders with a local backend, in CI too', () => {
    expect(() => checkDeployable(stage({}), EMULATOR, { CI: 'true' })).not.toThrow();
  });

  it('reads CI as CI systems set it', () => {
    expect(['true', '1', 'TRUE', 'yes'].map((v) => runningInCi({ CI: v }))).toEqual([true, true, true, true]);
    expect(['', '0', 'false', undefined].map((v) => runningInCi(v === undefined ? {} : { CI: v }))).toEqual([false, false, false, false]);
  });
});
