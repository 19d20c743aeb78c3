import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCloudFrontClient } from '../../aws/clients';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { readFunctionStage } from '../../orchestrator/stage/function-stages';
import { OutputsStore } from '../../orchestrator/stage/outputs-store';
import { TEST_EVIDENCE_KEY } from '../support/emulator-project';
import { PROJECT_DIR } from '../support/conngate-cli';

jest.setTimeout(20 * 60_000);

interface Run { code: number; out: string }

/** A command with a deadline; npm only ever reads the local cache (CI has no registry beyond it). */
function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}, timeoutMs = 8 * 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, {
      cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, CI: '1', CHECKPOINT_DISABLE: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...env },
    }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, out: `${stdout}\n${stderr}` });
    });
  });
}

const ok = (r: Run) => `${r.code}\n${r.out.slice(-3000)}`;

// The package as a user gets it: packed, installed into an empty folder, `conngate init`, `npm install` (the project's
// own framework: conngate's are optional peer dependencies), the framework's real CLI for synth, `conngate deploy dev`
// against the emulator and `conngate demo`, all from the installed copy (nothing from this repository).
//
// Both frameworks: cdktf gets the whole walk (API, second init, local suite, synth, deploy, demo, and then the move
// to cdktn as docs/package.md tells it); cdktn (on Node >= 22.19, as cdktn-cli needs) gets install, init, synth,
// deploy dev and the diff of its Terraform JSON against cdktf's. The local suite and the demo do not depend on the
// framework, so they run once: the second framework adds about 1.5 minutes to CI (two installs from the npm cache, two
// synths, two deploys), inside its budget.
describe('the installed conngate package', () => {
  let tmp: string;
  let emulator: RunningEmulator;
  // The cdktn project deploys the same names (the same Terraform), so to an emulator of its own.
  let cdktnEmulator: RunningEmulator;
  let tarball: string;
  const synthesized: Record<string, Record<string, unknown>> = {};
  const OTHER = { cdktf: ['cdktn', 'cdktn-cli', '@cdktn'], cdktn: ['cdktf', 'cdktf-cli', '@cdktf'] };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-pkg-'));
    emulator = await startEmulator({ port: 0 });
    cdktnEmulator = await startEmulator({ port: 0 });
    // `npm test` builds dist/ first; packing without scripts keeps this test from rebuilding under the other tests.
    expect(fs.existsSync(path.join(PROJECT_DIR, 'dist', 'index.d.ts'))).toBe(true);
    const packed = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', tmp], PROJECT_DIR);
    expect(ok(packed)).toMatch(/^0\n/);
    tarball = path.join(tmp, fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'))!);
  });
  afterAll(async () => {
    await emulator?.close();
    await cdktnEmulator?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** An empty folder with the tarball installed, `conngate init` for `framework`, then `npm install` of what init added. */
  async function scaffold(framework: 'cdktf' | 'cdktn', initArgs: string[]): Promise<string> {
    const project = path.join(tmp, framework);
    fs.mkdirSync(project);
    const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], project, {}, 12 * 60_000);
    expect(ok(installed)).toMatch(/^0\n/);
    const init = await run('npx', ['--no-install', 'conngate', 'init', ...initArgs], project);
    expect(ok(init)).toMatch(/^0\n/);
    expect(init.out).toContain(`(framework: ${framework}, `);
    const deps = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], project, {}, 12 * 60_000);
    expect(ok(deps)).toMatch(/^0\n/);
    expectOnlyFramework(project, framework);
    return project;
  }

  /** The project's node_modules holds its own framework and none of the other. */
  function expectOnlyFramework(project: string, framework: 'cdktf' | 'cdktn'): void {
    const nm = path.join(project, 'node_modules');
    expect(fs.existsSync(path.join(nm, framework, 'package.json'))).toBe(true);
    expect(fs.existsSync(path.join(nm, `${framework}-cli`, 'package.json'))).toBe(true);
    expect(fs.existsSync(path.join(nm, `@${framework}`, 'provider-aws', 'package.json'))).toBe(true);
    const present = (p: string) => (p.startsWith('@') ? fs.existsSync(path.join(nm, p)) && fs.readdirSync(path.join(nm, p)).length > 0 : fs.existsSync(path.join(nm, p)));
    expect(OTHER[framework].filter(present).map((p) => (p.startsWith('@') ? `${p}/${fs.readdirSync(path.join(nm, p)).join(',')}` : p))).toEqual([]);
  }

  /** `npx <framework> synth` (the real CLI): every stage's Terraform JSON, kept for the comparison. */
  async function synth(project: string, framework: 'cdktf' | 'cdktn'): Promise<void> {
    const r = await run('npx', ['--no-install', framework, 'synth'], project);
    expect(ok(r)).toMatch(/^0\n/);
    synthesized[framework] = {};
    for (const stage of ['dev', 'staging', 'prod']) {
      // The local backend's state path names the project's folder, which is all the two projects differ in.
      const doc = JSON.parse(fs.readFileSync(path.join(project, 'cdktf.out', 'stacks', stage, 'cdk.tf.json'), 'utf8').replaceAll(project, '<project>'));
      expect(Object.keys(doc.resource)).toEqual(expect.arrayContaining(['aws_cloudfront_connection_function', 'aws_cloudfront_distribution']));
      synthesized[framework][stage] = doc;
    }
  }

  async function deployDev(project: string, cli: string, endpoint = emulator.endpoint): Promise<{ functionId: string; kvsArn: string; distributionId?: string; out: string }> {
    const deployed = await run('npx', ['--no-install', 'conngate', 'deploy', 'dev', '--endpoint', endpoint], project,
      { CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY });
    expect(ok(deployed)).toMatch(/^0\n/);
    expect(deployed.out).toMatch(/dev: verified/);
    expect(deployed.out).toContain(`synthesizing with ${cli}`);
    const out = new OutputsStore(path.join(project, '.conngate', 'outputs.json')).read('dev')!;
    const live = await readFunctionStage(createCloudFrontClient({ endpoint, region: 'us-east-1' }), out.functionId, 'LIVE');
    expect(live).toBeDefined();
    return { functionId: out.functionId, kvsArn: out.kvsArn, distributionId: out.distributionId, out: deployed.out };
  }

  /** `conngate status`: staging's gate opens only when dev's evidence verifies for the code dev runs in LIVE. */
  async function expectDevEvidenceValid(project: string): Promise<void> {
    const status = await run('npx', ['--no-install', 'conngate', 'status', '--endpoint', emulator.endpoint], project, { CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY });
    expect(ok(status)).toMatch(/^0\n/);
    expect(status.out).toMatch(/^staging .*open/m);
  }

  let cdktfProject: string;
  let cdktfDev: Awaited<ReturnType<typeof deployDev>>;

  it('cdktf: installs from its tarball, scaffolds a project, synthesizes it with cdktf, deploys dev and runs the demo', async () => {
    const project = cdktfProject = await scaffold('cdktf', ['--framework', 'cdktf']);
    const pkg = path.join(project, 'node_modules', 'conngate');
    // Declarations and the public entry point ship; the repository's tests do not.
    expect(fs.existsSync(path.join(pkg, 'dist', 'index.d.ts'))).toBe(true);
    expect(fs.existsSync(path.join(pkg, 'dist', 'test'))).toBe(false);
    const api = await run(process.execPath, ['-e', "const c=require('conngate');console.log(['StageStack','RevocationStore','ConnectionFunction','MtlsDistribution','loadStageConfigs','runStagePipeline','setupPipeline','startEmulator','synthStages'].map(k=>k+':'+typeof c[k]).join(' '))"], project);
    expect(api.out).toContain('StageStack:function RevocationStore:function ConnectionFunction:function MtlsDistribution:function loadStageConfigs:function runStagePipeline:function setupPipeline:function startEmulator:function synthStages:function');

    for (const f of ['cdktf.json', 'main.ts', 'conngate.config.json', '.gitignore', '.github/workflows/conngate.yml',
      'functions/revocation-check.js', 'functions/revocation-check.suite.json', 'functions/fixtures/client-valid.pem']) {
      expect(fs.existsSync(path.join(project, f))).toBe(true);
    }
    expect(fs.readFileSync(path.join(project, 'main.ts'), 'utf8')).toMatch(/from 'conngate'/);
    // A second init finds the project and refuses: one line, exit 2, nothing rewritten.
    const again = await run('npx', ['--no-install', 'conngate', 'init'], project);
    expect(again.code).toBe(2);
    expect(again.out.trim().split('\n')).toEqual([expect.stringMatching(/^conngate: conngate init \.: folder is not empty .*\(fix: .*--force/)]);

    const tested = await run('npx', ['--no-install', 'conngate', 'test', '--local'], project);
    expect(ok(tested)).toMatch(/^0\n/);
    expect(tested.out).toMatch(/\b(\d+) passed, 0 failed/);

    await synth(project, 'cdktf');
    cdktfDev = await deployDev(project, 'cdktf');

    // The main job runs from the installed package too (its compiled app; no TypeScript sources are shipped).
    const demo = await run('npx', ['--no-install', 'conngate', 'demo', '--workdir', path.join(tmp, 'demo')], project);
    expect(ok(demo)).toMatch(/^0\n/);
    expect(demo.out).toMatch(/demo complete: (\d+)\/\1 checks passed/);
  });

  it('cdktn: the same package scaffolds a cdktn project (the default), synthesizes the same Terraform with cdktn and deploys dev', async () => {
    const project = await scaffold('cdktn', []);
    await synth(project, 'cdktn');
    // The same Terraform, apart from the framework's own version in the stack's metadata.
    const withoutVersion = (doc: unknown) => {
      const copy = JSON.parse(JSON.stringify(doc)) as { '//': { metadata: { version?: string } } };
      expect(copy['//'].metadata.version).toMatch(/^0\.\d+\.\d+$/);
      delete copy['//'].metadata.version;
      return copy;
    };
    for (const stage of ['dev', 'staging', 'prod']) {
      expect(withoutVersion(synthesized.cdktn[stage])).toEqual(withoutVersion(synthesized.cdktf[stage]));
    }
    expect((synthesized.cdktn.dev as { '//': { metadata: { version: string } } })['//'].metadata.version).toBe(require(path.join(project, 'node_modules', 'cdktn', 'package.json')).version);
    // The project's own App (from cdktn) takes conngate's stacks: they extend that App's TerraformStack, the one copy.
    const own = await run(process.execPath, ['-e', "const { App, TerraformStack } = require('cdktn'); const app = new App({ outdir: 'own.out' });"
      + " const stacks = require('conngate').synthStages({ app }); console.log('own:' + stacks.map((s) => s instanceof TerraformStack).join(','))"], project);
    expect(ok(own)).toMatch(/^0\n/);
    expect(own.out).toContain('own:true,true,true');
    expect(JSON.parse(fs.readFileSync(path.join(project, 'own.out', 'stacks', 'dev', 'cdk.tf.json'), 'utf8'))['//'].metadata.version).toBe(require(path.join(project, 'node_modules', 'cdktn', 'package.json')).version);
    await deployDev(project, 'cdktn', cdktnEmulator.endpoint);
  });

  it('moves the deployed cdktf project to cdktn as docs/package.md says: nothing replaced, LIVE and its evidence still valid', async () => {
    const project = cdktfProject;
    expect(cdktfDev).toBeDefined();
    await expectDevEvidenceValid(project);
    const liveBefore = await readFunctionStage(createCloudFrontClient({ endpoint: emulator.endpoint, region: 'us-east-1' }), cdktfDev.functionId, 'LIVE');

    // docs/package.md, "From cdktf to cdktn": swap the packages, the imports and the CLI name; nothing else.
    const pkgFile = path.join(project, 'package.json');
    const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { dependencies: Record<string, string> };
    const peers = (JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> }).peerDependencies;
    const uninstalled = await run('npm', ['uninstall', '--prefer-offline', '--no-audit', '--no-fund', 'cdktf', 'cdktf-cli', '@cdktf/provider-aws'], project, {}, 12 * 60_000);
    expect(ok(uninstalled)).toMatch(/^0\n/);
    const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund',
      ...['cdktn', 'cdktn-cli', '@cdktn/provider-aws'].map((p) => `${p}@${peers[p]}`)], project, {}, 12 * 60_000);
    expect(ok(installed)).toMatch(/^0\n/);
    expect(pkg.dependencies.cdktf).toBeDefined();
    expectOnlyFramework(project, 'cdktn');
    for (const f of ['main.ts', '.github/workflows/conngate.yml']) {
      const file = path.join(project, f);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replaceAll('@cdktf/provider-aws', '@cdktn/provider-aws')
        .replaceAll("from 'cdktf'", "from 'cdktn'").replaceAll('npx cdktf ', 'npx cdktn ').replaceAll('cdktf deploy', 'cdktn deploy'));
    }

    // Stays: state, outputs, evidence, stage names: the evidence still opens staging's gate before any new run.
    await expectDevEvidenceValid(project);
    await synth(project, 'cdktn');
    const again = await deployDev(project, 'cdktn');
    // Nothing replaced: the same function, store and distribution, and no resource created or destroyed.
    expect({ functionId: again.functionId, kvsArn: again.kvsArn, distributionId: again.distributionId })
      .toEqual({ functionId: cdktfDev.functionId, kvsArn: cdktfDev.kvsArn, distributionId: cdktfDev.distributionId });
    expect(again.out).not.toMatch(/│\s+(create|replace|destroy|delete)\s+aws_/);
    const liveAfter = await readFunctionStage(createCloudFrontClient({ endpoint: emulator.endpoint, region: 'us-east-1' }), cdktfDev.functionId, 'LIVE');
    expect({ etag: liveAfter.etag, sha256: liveAfter.sha256 }).toEqual({ etag: liveBefore.etag, sha256: liveBefore.sha256 });
    await expectDevEvidenceValid(project);
  });
});
