import type { Command } from 'commander';
import { runStageCommand } from './deploy';
import type { CommandModule } from './command-module';
import { addPipelineOptions } from './pipeline-options';
import { setupPipeline, type PipelineFlags } from '../setup/pipeline-setup';

export const verifyCommand: CommandModule = {
  register(program: Command) {
    addPipelineOptions(program.command('verify')
      .argument('<stage>', 'the stage Terraform applied (elsewhere: Terraform Cloud, a plain `cdktf deploy`)')
      .description('for a stage applied outside conngate: gate, test DEVELOPMENT, publish, verify LIVE and record evidence (reads the outputs file)'), { locking: true })
      .addHelpText('after', '\nExamples:\n  conngate verify staging --outputs out.json   # after: cdktf output staging --outputs-file out.json')
      .option('--json', 'print the outcome as one JSON object ({"schema":"conngate.run/1",...}) on stdout; progress stays on stderr')
      .action(async (stage: string, flags: PipelineFlags & { json?: boolean }) => {
        process.exitCode = await runStageCommand(setupPipeline(flags), stage, { apply: false, ...(flags.json ? { json: 'verify' as const } : {}) });
      });
  },
};
