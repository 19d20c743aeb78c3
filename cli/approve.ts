import * as path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../diagnostics/user-error';
import { findStageConfig } from '../stacks/stage-config';
import { shortSha } from '../orchestrator/stage/candidate';
import { APPROVER_PATTERN, approvalStore, recordApproval } from '../orchestrator/policies/promotion-approval';
import type { CommandModule } from './command-module';
import { addPipelineOptions } from './pipeline-options';
import { setupPipeline, type PipelineFlags } from '../setup/pipeline-setup';

interface ApproveFlags extends PipelineFlags { candidate: string; approver: string }

export const approveCommand: CommandModule = {
  register(program: Command) {
    addPipelineOptions(program.command('approve')
      .argument('<stage>', 'the stage the candidate may then be promoted into (its config sets promotion.requireApproval)')
      .requiredOption('--candidate <sha256>', 'the full SHA-256 of the approved candidate (`conngate status` shows it)')
      .requiredOption('--approver <name>', 'who approves (recorded and signed)')
      .description('record a signed approval of one candidate into a stage, in that stage\'s own KeyValueStore (its own account); the gate needs it when the stage requires approval'))
      .addHelpText('after', '\nExamples:\n  CONNGATE_EVIDENCE_KEY=$EVIDENCE_SECRET conngate approve prod --candidate 3f2a…(64 hex) --approver alice@example.com')
      .action(async (stage: string, flags: ApproveFlags) => {
        if (!/^[0-9a-f]{64}$/.test(flags.candidate)) throw new UserError(`--candidate ${JSON.stringify(flags.candidate)}`, 'is not a full SHA-256 (64 lowercase hex digits)', 'copy it from `conngate status --json`');
        if (!APPROVER_PATTERN.test(flags.approver)) throw new UserError(`--approver ${JSON.stringify(flags.approver)}`, 'has characters other than letters, digits, space and ._@+-, or is over 100 long', 'pass a name or e-mail address');
        const setup = setupPipeline(flags);
        const target = findStageConfig(setup.configs, stage);
        if (!target.promotesFrom) throw new UserError(`approve ${stage}`, `stage "${stage}" promotes from no stage, so nothing is promoted into it`, 'approve a stage that has promotesFrom');
        const spec = setup.ctx.stages.find((s) => s.name === stage)!;
        // Written in the approved stage's own account, where its gate reads it.
        setup.forStage(stage);
        const store = await approvalStore(setup.ctx.cf, setup.ctx.kvs, spec, path.join(path.dirname(setup.ctx.outputs.file), 'revocation-snapshots'));
        if (!store) {
          throw new UserError(`approve ${stage}`, `stage "${stage}" has no KeyValueStore yet to record the approval in (it was never applied)`,
            `its first deploy needs \`conngate deploy ${stage} --override-policy --reason "<why>"\` (recorded in the ledger); approve later promotions`, 1);
        }
        const a = await recordApproval(store, await setup.ctx.keys, { stage, candidateSha256: flags.candidate, approver: flags.approver, time: new Date().toISOString() });
        const account = store.kvsArn.split(':')[4];
        process.stdout.write(`✔ ${a.approver} approved ${shortSha(a.candidateSha256)} into ${stage} (signed with key ${a.keyId}, recorded in ${stage}'s KeyValueStore${account ? ` in account ${account}` : ''})\n`);
      });
  },
};
