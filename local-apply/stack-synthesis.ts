import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { UserError } from '../diagnostics/user-error';
import { unassociatedStagesEnv } from '../stacks/first-deploy-context';
import { stackFilePath } from '../stacks/synth-output';
import { cdktfFailure, frameworkCli } from '../orchestrator/cdktf/cdktf-cli';
import { childToolEnv } from '../orchestrator/reports/terminal';
import { makeFolder } from '../host/make-folder';

export interface SynthesisOptions {
  /** Stages whose distribution is synthesized without the connection-function association (first deploy). */
  unassociated: string[];
  /** The cdktf project folder (holds cdktf.json). */
  cwd: string;
  /** Where cdktf writes the synthesized stacks (cdktf.out). */
  outdir: string;
  progress: (line: string) => void;
}

/**
 * Runs the real `cdktf synth --output <outdir>` (the whole app; cdktf has no per-stack synth) with the first-deploy
 * context, streams its output to `progress`, and checks that each of `stages` was synthesized.
 */
export async function synthesizeStacks(stages: string[], opts: SynthesisOptions): Promise<void> {
  const cli = frameworkCli(opts.cwd);
  opts.progress(`synthesizing with ${cli.name}${opts.unassociated.length ? ` (without the function association: ${opts.unassociated.join(', ')})` : ''}`);
  makeFolder(opts.outdir);
  const [cmd, ...pre] = cli.command;
  // node:child_process rather than execa: execa is ESM-only, and an ESM import cannot load where the sources run
  // as CommonJS without --experimental-vm-modules (jest), which would leave this step untestable in-process.
  const res = await run(cmd, [...pre, 'synth', '--output', opts.outdir], {
    cwd: opts.cwd,
    env: { ...process.env, CI: process.env.CI ?? '1', ...childToolEnv(), ...unassociatedStagesEnv(opts.unassociated) },
  });
  // cdktf's spinner and Terraform's CLI-config notices are noise on success; the output is shown when synth fails.
  if (res.exitCode !== 0) {
    for (const line of res.output.split('\n')) if (line.trim()) opts.progress(`   │ ${line.trimEnd()}`);
    throw cdktfFailure(`${cli.name} synth (in ${opts.cwd})`, res.output, res.exitCode ?? res.signal,
      `read the ${cli.name} output above and fix the stack or the stage config`, `${cli.name} synth`);
  }
  for (const stage of stages) {
    if (!fs.existsSync(stackFilePath(opts.outdir, stage))) {
      throw new UserError(opts.outdir, `${cli.name} synth produced no stack for stage "${stage}"`, 'check the stage name against the stage config (conngate.config.json)');
    }
  }
}

/** Runs a command to completion, collecting stdout and stderr interleaved. */
function run(cmd: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }):
  Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => { output += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
    child.once('error', reject);
    child.once('close', (exitCode, signal) => resolve({ exitCode, signal, output }));
  });
}
