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

// The package as a user gets it: packed, installed into an empty folder, `conngate init`, the real `cdktf synth`,
// `conngate deploy dev` against the emulator and `conngate demo`, all from the installed copy (nothing from this
// repository).
describe('the installed conngate package', () => {
  let tmp: string;
  let emulator: RunningEmulator;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-pkg-'));
    emulator = await startEmulator({ port: 0 });
  });
  afterAll(async () => {
    await emulator?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('installs from its tarball, scaffolds a project, synthesizes it and deploys dev', async () => {
    // `npm test` builds dist/ first; packing without scripts keeps this test from rebuilding under the other tests.
    expect(fs.existsSync(path.join(PROJECT_DIR, 'dist', 'index.d.ts'))).toBe(true);
    const packed = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', tmp], PROJECT_DIR);
    expect(ok(packed)).toMatch(/^0\n/);
    const tarball = path.join(tmp, fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'))!);

    const project = path.join(tmp, 'project');
    fs.mkdirSync(project);
    const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], project, {}, 12 * 60_000);
    expect(ok(installed)).toMatch(/^0\n/);
    const pkg = path.join(project, 'node_modules', 'conngate');
    // Declarations and the public entry point ship; the repository's tests do not.
    expect(fs.existsSync(path.join(pkg, 'dist', 'index.d.ts'))).toBe(true);
    expect(fs.existsSync(path.join(pkg, 'dist', 'test'))).toBe(false);
    const api = await run(process.execPath, ['-e', "const c=require('conngate');console.log(['StageStack','RevocationStore','ConnectionFunction','MtlsDistribution','loadStageConfigs','runStagePipeline','setupPipeline','startEmulator','synthStages'].map(k=>k+':'+typeof c[k]).join(' '))"], project);
    expect(api.out).toContain('StageStack:function RevocationStore:function ConnectionFunction:function MtlsDistribution:function loadStageConfigs:function runStagePipeline:function setupPipeline:function startEmulator:function synthStages:function');

    const init = await run('npx', ['--no-install', 'conngate', 'init'], project);
    expect(ok(init)).toMatch(/^0\n/);
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

    const synth = await run('npx', ['--no-install', 'cdktf', 'synth'], project);
    expect(ok(synth)).toMatch(/^0\n/);
    for (const stage of ['dev', 'staging', 'prod']) {
      const doc = JSON.parse(fs.readFileSync(path.join(project, 'cdktf.out', 'stacks', stage, 'cdk.tf.json'), 'utf8'));
      expect(Object.keys(doc.resource)).toEqual(expect.arrayContaining(['aws_cloudfront_connection_function', 'aws_cloudfront_distribution']));
    }

    const deployed = await run('npx', ['--no-install', 'conngate', 'deploy', 'dev', '--endpoint', emulator.endpoint], project,
      { CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY });
    expect(ok(deployed)).toMatch(/^0\n/);
    expect(deployed.out).toMatch(/dev: verified/);
    const out = new OutputsStore(path.join(project, '.conngate', 'outputs.json')).read('dev')!;
    const live = await readFunctionStage(createCloudFrontClient({ endpoint: emulator.endpoint, region: 'us-east-1' }), out.functionId, 'LIVE');
    expect(live).toBeDefined();

    // The main job runs from the installed package too (its compiled app; no TypeScript sources are shipped).
    const demo = await run('npx', ['--no-install', 'conngate', 'demo', '--workdir', path.join(tmp, 'demo')], project);
    expect(ok(demo)).toMatch(/^0\n/);
    expect(demo.out).toMatch(/demo complete: (\d+)\/\1 checks passed/);
  });
});
