import type { Command } from 'commander';
import { runStageCommand } from './deploy';
import { checkStageSources } from '../orchestrator/source-check';
import type { CommandModule } from './index';
import { lintBeforeUse } from '../lint/lint-files';
import { addPipelineOptions, setupPipeline, type PipelineFlags } from './pipeline-options';

export const verifyCommand: CommandModule = {
  register(program: Command) {
    addPipelineOptions(program.command('verify')
      .argument('<stage>', 'the stage Terraform applied (elsewhere: Terraform Cloud, a plain `cdktf deploy`)')
      .description('for a stage applied outside conngate: gate, test DEVELOPMENT, publish, verify LIVE and record evidence (reads the outputs file)'), { locking: true })
      .addHelpText('after', '\nExamples:\n  conngate verify staging --outputs out.json   # after: cdktf output staging --outputs-file out.json')
      .action(async (stage: string, flags: PipelineFlags) => {
        const setup = setupPipeline(flags);
        checkStageSources(setup.ctx.stages, stage);
        // conngate lint: findings on the stage's function, before anything is applied or published (docs/lint.md).
        lintBeforeUse(setup.configs.filter((c) => c.name === stage).map((c) => c.functionFile));

        process.exitCode = await runStageCommand(setup, stage, { apply: false });
      });
  },
};
