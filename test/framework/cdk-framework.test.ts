import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { detectFramework } from '../../framework/cdk-framework';
import { cdktnRequest } from '../../framework/bind-framework';
import { frameworkCli } from '../../orchestrator/cdktf/cdktf-cli';
import { loadStageConfigs } from '../../stacks/stage-config';

// Which framework a project is written in decides which CLI the orchestrator runs and which library conngate's
// constructs extend; a wrong answer deploys with the other framework, so every rule is pinned here.
describe('the project\'s CDK framework', () => {
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-fw-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const write = (f: string, doc: unknown) => fs.writeFileSync(path.join(tmp, f), JSON.stringify(doc));

  it('CONNGATE_FRAMEWORK first, then conngate.config.json, then package.json, then what is installed', () => {
    // This checkout has both installed and names neither: cdktf, as conngate always ran.
    expect(detectFramework(tmp, {})).toEqual({ framework: 'cdktf', from: 'default' });
    write('package.json', { devDependencies: { 'cdktn-cli': '0.24.0' }, dependencies: { cdktn: '0.24.0' } });
    expect(detectFramework(tmp, {})).toEqual({ framework: 'cdktn', from: 'package.json' });
    write('conngate.config.json', { framework: 'cdktf', stages: { dev: {} } });
    expect(detectFramework(tmp, {})).toEqual({ framework: 'cdktf', from: 'conngate.config.json' });
    expect(detectFramework(tmp, { CONNGATE_FRAMEWORK: 'cdktn' })).toEqual({ framework: 'cdktn', from: 'CONNGATE_FRAMEWORK' });
  });

  it('the stage config takes "framework" (cdktn or cdktf) and refuses anything else', () => {
    fs.mkdirSync(path.join(tmp, 'functions'));
    fs.copyFileSync(path.join(__dirname, '..', '..', 'functions', 'revocation-check.js'), path.join(tmp, 'functions', 'revocation-check.js'));
    write('conngate.config.json', { framework: 'cdktn', stages: { dev: { promotesFrom: null } } });
    expect(loadStageConfigs(tmp).map((c) => c.name)).toEqual(['dev']);
    write('conngate.config.json', { framework: 'terraform', stages: { dev: { promotesFrom: null } } });
    expect(() => loadStageConfigs(tmp)).toThrow(/framework/);
  });

  it('a package.json naming both frameworks decides nothing', () => {
    write('package.json', { dependencies: { cdktn: '0.24.0', cdktf: '0.21.0' } });
    expect(detectFramework(tmp, {}).from).toBe('default');
  });

  it('refuses an unknown framework in the environment or the config, naming where', () => {
    expect(() => detectFramework(tmp, { CONNGATE_FRAMEWORK: 'cdk' })).toThrow('CONNGATE_FRAMEWORK: "cdk" is not a framework conngate knows (fix: set it to cdktn or cdktf, or unset it)');
    write('conngate.config.json', { framework: 'CDKTN', stages: { dev: {} } });
    expect(() => detectFramework(tmp, {})).toThrow(/conngate\.config\.json: framework: "CDKTN" is not a framework conngate knows/);
  });

  it('runs the project\'s own CLI and names it', () => {
    write('package.json', { dependencies: { cdktn: '0.24.0' } });
    const saved = process.env.CONNGATE_CDKTF;
    delete process.env.CONNGATE_CDKTF;
    try {
      const node = Number(process.versions.node.split('.')[0]);
      if (node >= 22) {
        const cli = frameworkCli(tmp);
        expect(cli.name).toBe('cdktn');
        expect(cli.command[1]).toMatch(/node_modules\/cdktn-cli\/bin\/cdktn$/);
      } else {
        // cdktn-cli crashes at start on Node 20: conngate says so in one line instead.
        expect(() => frameworkCli(tmp)).toThrow(/^cdktn-cli: needs Node >= 22\.19/);
      }
      write('package.json', { dependencies: { cdktf: '0.21.0' } });
      expect(frameworkCli(tmp)).toEqual({ name: 'cdktf', command: [process.execPath, expect.stringMatching(/node_modules\/cdktf-cli\/bundle\/bin\/cdktf$/)] });
    } finally {
      if (saved !== undefined) process.env.CONNGATE_CDKTF = saved;
    }
  });

  it('swaps only the cdktf package names for cdktn\'s, deep paths included', () => {
    expect(cdktnRequest('cdktf')).toBe('cdktn');
    expect(cdktnRequest('@cdktf/provider-aws/lib/cloudfront-distribution')).toBe('@cdktn/provider-aws/lib/cloudfront-distribution');
    expect(cdktnRequest('cdktf-cli')).toBe('cdktf-cli');
    expect(cdktnRequest('@cdktf/provider-awscc')).toBe('@cdktf/provider-awscc');
    expect(cdktnRequest('constructs')).toBe('constructs');
  });
});
