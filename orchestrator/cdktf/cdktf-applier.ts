import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cdktfFailure, frameworkCli, type FrameworkCli } from './cdktf-cli';
import { unassociatedStagesEnv } from '../../stacks/first-deploy-context';
import type { Applier } from '../pipeline/pipeline';
import type { Progress } from '../reports/progress';
import { parseStageOutputs, type StageOutputs } from '../stage/stage-outputs';
import { childToolEnv } from '../reports/terminal';

export interface CdktfApplierOptions {
  /** The cdktf project folder (holds cdktf.json). */
  cwd: string;
  progress: Progress;
  /** The CLI to run. @default frameworkCli(cwd): $CONNGATE_CDKTF, else the project's own cdktn or cdktf CLI */
  cli?: FrameworkCli;
}

/**
 * Applies a stage for real: `cdktn deploy <stage> --auto-approve` (or `cdktf deploy`) with its output streamed, outputs read from the
 * file cdktf writes. The first-deploy switch travels in CONNGATE_UNASSOCIATED_STAGES (stacks/first-deploy-context.ts),
 * so the stack code decides what "without the association" means.
 */
export class CdktfApplier implements Applier {
  /** Names the CLI in the pipeline's messages: "cdktn deploy" or "cdktf deploy". */
  readonly kind: string;
  private readonly command: string[];
  /** Where a refusal the app printed is reported from: the synth the deploy runs first. */
  private readonly synthStep: string;

  constructor(private readonly opts: CdktfApplierOptions) {
    const cli = opts.cli ?? frameworkCli(opts.cwd);
    this.command = cli.command;
    this.kind = `${cli.name} deploy`;
    this.synthStep = `${cli.name} synth`;
  }

  private async run(args: string[], env: Record<string, string>): Promise<void> {
    const { execa } = await import('execa');
    const [cmd, ...pre] = this.command;
    const child = execa(cmd, [...pre, ...args], {
      cwd: this.opts.cwd, env: { CI: process.env.CI ?? '1', ...childToolEnv(), ...env }, reject: false, all: true,
    });
    child.all?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.opts.progress.info(`   │ ${line}`);
    });
    const res = await child;
    if (res.exitCode !== 0) {
      throw cdktfFailure(`${this.command.join(' ')} ${args.join(' ')}`, String(res.all ?? ''), res.exitCode ?? res.signal,
        'read the Terraform output above; fix the stack or credentials and re-run (nothing was published)', this.synthStep);
    }
  }

  async apply(stage: string, opts: { associate: boolean }): Promise<StageOutputs> {
    const outFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-outputs-')), 'outputs.json');
    const env = opts.associate ? {} : unassociatedStagesEnv([stage]);
    await this.run(['deploy', stage, '--auto-approve', '--outputs-file', outFile, '--outputs-file-include-sensitive-outputs'], env);
    try {
      return parseStageOutputs(JSON.parse(fs.readFileSync(outFile, 'utf8')), stage, outFile);
    } finally {
      fs.rmSync(path.dirname(outFile), { recursive: true, force: true });
    }
  }
}
