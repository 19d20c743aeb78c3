/**
 * `synth` wall time of one stage with each framework's real CLI, same machine, same run: a project with only a dev
 * stage (this repository's main.ts and function), synthesized by `cdktn synth` and by `cdktf synth` in turn, each
 * `--runs` times (alternating, so a busy machine weighs on both alike); prints every run, the median and the min.
 * Needs Node >= 22.19 (cdktn-cli); the first run of each also warms tsx's cache, as a user's second synth would be.
 *
 *   npx tsx bench/framework-synth.ts [--runs 5]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { frameworkCli } from '../orchestrator/cdktf/cdktf-cli';
import type { CdkFramework } from '../framework/cdk-framework';
import { numberArg } from './bench-args';

const RUNS = numberArg('runs', 5);
const ROOT = path.join(__dirname, '..');

function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-synth-bench-'));
  fs.cpSync(path.join(ROOT, 'functions'), path.join(dir, 'functions'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'conngate.config.json'), JSON.stringify({ stages: { dev: { promotesFrom: null } } }));
  const tsx = require.resolve('tsx/cli', { paths: [ROOT] });
  fs.writeFileSync(path.join(dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: `"${process.execPath}" "${tsx}" "${path.join(ROOT, 'main.ts')}"`,
    terraformProviders: [], terraformModules: [], context: {} }));
  return dir;
}

function synthOnce(dir: string, fw: CdkFramework): number {
  const env: NodeJS.ProcessEnv = { ...process.env, CONNGATE_FRAMEWORK: fw, CHECKPOINT_DISABLE: '1', CI: '1' };
  delete env.CONNGATE_CDKTF;
  const [cmd, ...pre] = frameworkCli(dir).command;
  const out = path.join(dir, `out-${fw}`);
  fs.rmSync(out, { recursive: true, force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, [...pre, 'synth', '--output', out], { cwd: dir, env, encoding: 'utf8', timeout: 5 * 60_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const stackFile = path.join(out, 'stacks', 'dev', 'cdk.tf.json');
  if (r.status !== 0 || !fs.existsSync(stackFile)) throw new Error(`${fw} synth failed (${r.status}): ${r.stdout}${r.stderr}`.slice(0, 2000));
  // The stack was built by that framework's library, not only run by its CLI.
  const version = (JSON.parse(fs.readFileSync(stackFile, 'utf8')) as { '//': { metadata: { version: string } } })['//'].metadata.version;
  const expected = (require(require.resolve(`${fw}/package.json`, { paths: [ROOT] })) as { version: string }).version;
  if (version !== expected) throw new Error(`${fw} synth wrote a stack of framework version ${version}, not ${fw} ${expected}`);
  return ms;
}

const dir = project();
const times: Record<CdkFramework, number[]> = { cdktn: [], cdktf: [] };
try {
  for (let i = 0; i < RUNS; i++) {
    for (const fw of ['cdktn', 'cdktf'] as const) {
      process.env.CONNGATE_FRAMEWORK = fw;
      times[fw].push(synthOnce(dir, fw));
    }
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`synth of one stage (dev), ${RUNS} runs each, Node ${process.versions.node}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)}`);
for (const fw of ['cdktn', 'cdktf'] as const) {
  console.log(`${fw} synth  median ${(median(times[fw]) / 1000).toFixed(2)} s  min ${(Math.min(...times[fw]) / 1000).toFixed(2)} s  runs ${times[fw].map((t) => (t / 1000).toFixed(2)).join(' ')}`);
}
