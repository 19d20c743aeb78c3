import type { Command } from 'commander';
import { runStagePipeline } from '../pipeline';
import type { CommandModule } from './index';
import { addPipelineOptions, setupPipeline, type PipelineFlags } from './pipeline-options';
import { printStageRun } from './stage-run-output';

/** Runs a stage's pipeline with its interrupt guard installed; returns the exit code. */
export async function deployStage(stage: string, flags: PipelineFlags): Promise<number> {
  const setup = setupPipeline(flags);
  setup.ctx.interrupt.install();
  try {
    return printStageRun(await runStagePipeline(setup.ctx, stage, setup.makeApplier()));
  } finally {
    setup.ctx.interrupt.uninstall();
  }
}

export const deployCommand: CommandModule = {
  register(program: Command) {
    addPipelineOptions(program.command('deploy')
      .argument('<stage>', 'the stage to deploy (e.g. dev)')
      .description('gate, apply, test DEVELOPMENT, publish, verify LIVE and record evidence for one stage (a new stage is applied, published, then associated)'),
    { applier: true })
      .action(async (stage: string, flags: PipelineFlags) => {
        process.exitCode = await deployStage(stage, flags);
      });
  },
};
