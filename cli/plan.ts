import type { Command } from 'commander';
import { frameworkCli } from '../orchestrator/cdktf/cdktf-cli';
import { readStageStatuses } from '../orchestrator/reports/stage-status';
import { childToolEnv } from '../orchestrator/reports/terminal';
import { planStage, type StagePlan } from '../plan/stage-plan';
import { unassociatedStagesEnv } from '../stacks/first-deploy-context';
import { findStageConfig } from '../stacks/stage-config';
import type { CommandModule } from './command-module';
import { evidenceKeysForStatus, setupPipeline, type PipelineFlags } from '../setup/pipeline-setup';
import { RUN_JSON_SCHEMA, whereJson } from './run-json';

interface PlanFlags { endpoint?: string; dir: string; stateDir: string; json?: boolean }

/** `cdktf diff <stage>` (a Terraform plan; changes nothing): whether the real stack has changes. */
async function cdktfDiff(dir: string, stage: string, associate: boolean): Promise<{ changes: boolean | null; how: string }> {
  const { execa } = await import('execa');
  const cli = frameworkCli(dir);
  const [cmd, ...pre] = cli.command;
  const r = await execa(cmd, [...pre, 'diff', stage], {
    cwd: dir, reject: false, all: true, env: { ...childToolEnv(), ...(associate ? {} : unassociatedStagesEnv([stage])) },
  });
  const out = String(r.all ?? '');
  if (r.exitCode !== 0) return { changes: null, how: `${cli.name} diff ${stage} failed (exit ${r.exitCode}); run it to see why` };
  return { changes: !/No changes/i.test(out), how: `${cli.name} diff ${stage}` };
}

function formatPlan(p: StagePlan): string {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const tf = p.terraform.changes === null ? `unknown (${p.terraform.how})`
    : p.terraform.changes ? `yes: ${p.terraform.resources.length > 0 ? p.terraform.resources.map((r) => `${r.action} ${r.address}`).join(', ') : 'see cdktf diff'}` : 'no changes';
  return [
    `plan for ${p.stage} (nothing was changed)`,
    `  candidate    ${p.candidateSha256.slice(0, 12)} (LIVE: ${p.liveSha256 ? p.liveSha256.slice(0, 12) : 'none'})`,
    `  gate         ${p.gate.open ? 'open' : 'closed'}: ${p.gate.reason}`,
    `  policies     ${p.policies.length > 0 ? p.policies.join(', ') : 'none'}`,
    `  terraform    ${tf}`,
    `  publish      ${yes(p.publish.yes)}: ${p.publish.reason}`,
    `  association  ${yes(p.association.yes)}: ${p.association.reason}`,
  ].join('\n');
}

/** `conngate plan <stage>`: what `deploy` / `promote` would do now, without changing anything. */
export const planCommand: CommandModule = {
  register(program: Command) {
    program
      .command('plan')
      .argument('<stage>', 'the stage a deploy or promote would change')
      .description('preview a deploy or promote: gate verdict, Terraform changes, publish yes/no, association yes/no, policies; changes nothing')
      .option('--endpoint <url>', 'the emulator instead of AWS (default: $CONNGATE_ENDPOINT, else real AWS)')
      .option('--dir <path>', 'the cdktf project folder', '.')
      .option('--state-dir <path>', 'where outputs and local state live (relative to --dir)', '.conngate')
      .option('--json', 'print the plan as one JSON object ({"schema":"conngate.run/1","command":"plan",...})')
      .addHelpText('after', '\nAgainst the emulator the stack is synthesized in process and compared with the stand-in\'s state; against AWS\n'
        + 'Terraform answers (`cdktf diff`). Examples:\n  conngate plan dev --endpoint http://127.0.0.1:4566\n  conngate plan staging --json\n')
      .action(async (stage: string, flags: PlanFlags) => {
        const setup = setupPipeline({ ...flags, concurrency: '8', rate: '0', liveSuite: 'smoke', quiet: true } as PipelineFlags, { requireKey: false });
        const config = findStageConfig(setup.configs, stage);
        setup.forStage(stage);
        const target = setup.targetFor(stage);
        const cfFor = (s: string) => setup.ctx.cfFor!(s);
        const kvsFor = (s: string) => setup.ctx.kvsFor!(s);
        const statuses = await readStageStatuses((s) => ({ cf: cfFor(s), kvs: kvsFor(s) }), setup.ctx.stages, await evidenceKeysForStatus(),
          (s) => ({ cf: cfFor(s), kvs: kvsFor(s), stages: setup.ctx.stages, stateDir: setup.ctx.stateDir }));
        const plan = await planStage({
          config, status: statuses.find((s) => s.stage === stage)!, cf: cfFor(stage),
          ...(target.endpoint ? { localState: setup.stateStoreFor(stage) } : { terraformDiff: (associate: boolean) => cdktfDiff(setup.dir, stage, associate) }),
        });
        process.stdout.write(flags.json
          ? `${JSON.stringify({ schema: RUN_JSON_SCHEMA, command: 'plan', ...whereJson(target), ...plan }, null, 2)}\n`
          : `${formatPlan(plan)}\n`);
      });
  },
};
