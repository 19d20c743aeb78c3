import type { Command } from 'commander';
import { UserError } from '../diagnostics/user-error';
import { findStageConfig } from '../stacks/stage-config';
import { runStageCommand } from './deploy';
import type { CommandModule } from './command-module';
import { addPipelineOptions } from './pipeline-options';
import { setupPipeline, type PipelineFlags } from '../setup/pipeline-setup';

export const promoteCommand: CommandModule = {
  register(program: Command) {
    addPipelineOptions(program.command('promote')
      .argument('<from>', 'the stage the candidate is LIVE and verified in')
      .argument('<to>', 'the stage that receives it (its config must promote from <from>)')
      .description('gate + deploy: deploy <to> only if <from> runs the same candidate in LIVE with passing evidence'),
    { applier: true, locking: true })
      .option('--json', 'print the outcome as one JSON object ({"schema":"conngate.run/1",...}) on stdout; progress stays on stderr')
      .addHelpText('after', '\nExamples:\n  conngate promote dev staging\n  CONNGATE_EVIDENCE_KEY=$EVIDENCE_SECRET conngate promote staging prod --endpoint http://127.0.0.1:4566\n  conngate promote dev staging --force-unlock   # the runner holding the stage\'s lease is gone')
      .action(async (from: string, to: string, flags: PipelineFlags & { json?: boolean }) => {
        const setup = setupPipeline(flags);
        findStageConfig(setup.configs, from);
        const target = findStageConfig(setup.configs, to);
        if (target.promotesFrom !== from) {
          throw new UserError(`promote ${from} ${to}`, `stage "${to}" promotes from ${target.promotesFrom ? `"${target.promotesFrom}"` : 'no stage'}, not "${from}"`,
            target.promotesFrom ? `run \`conngate promote ${target.promotesFrom} ${to}\`` : `set stages.${to}.promotesFrom in conngate.config.json`);
        }
        process.exitCode = await runStageCommand(setup, to, { apply: true, ...(flags.json ? { json: 'promote' as const } : {}) });
      });
  },
};
