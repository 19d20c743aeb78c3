import type { Command } from 'commander';
import { runStagePipeline } from '../pipeline';
import type { CommandModule } from './index';
import { addPipelineOptions, setupPipeline, type PipelineFlags } from './pipeline-options';
import { printStageRun } from './stage-run-output';

export const verifyCommand: CommandModule = {
  register(program: Command) {
    addPipelineOptions(program.command('verify')
      .argument('<stage>', 'the stage Terraform applied (elsewhere: Terraform Cloud, a plain `cdktf deploy`)')
      .description('for a stage applied outside conngate: gate, test DEVELOPMENT, publish, verify LIVE and record evidence (reads the outputs file)'))
      .action(async (stage: string, flags: PipelineFlags) => {
        const setup = setupPipeline(flags);
        setup.ctx.interrupt.install();
        try {
          process.exitCode = printStageRun(await runStagePipeline(setup.ctx, stage));
        } finally {
          setup.ctx.interrupt.uninstall();
        }
      });
  },
};
