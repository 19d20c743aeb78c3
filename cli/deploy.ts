import type { Command } from 'commander';
import { checkExternalDistribution } from '../orchestrator/stage/external-distribution';
import { runStagePipeline } from '../orchestrator/pipeline/pipeline';
import { checkStageSources } from '../orchestrator/suite/source-check';
import type { CommandModule } from './command-module';
import { lintBeforeUse } from '../lint/lint-files';
import { addPipelineOptions } from './pipeline-options';
import { setupPipeline, type PipelineFlags, type PipelineSetup } from '../setup/pipeline-setup';
import { printStageRun } from './stage-run-output';
import { checkDeployable } from './deploy-preflight';
import { stageRunJson } from './run-json';

/**
 * Checks the stage's sources and lints its function (findings only, docs/lint.md) before anything is applied or
 * published, then runs the stage's pipeline with its interrupt guard installed and prints the outcome; returns the
 * exit code. `apply: false` is verify mode (Terraform applied elsewhere).
 */
export async function runStageCommand(setup: PipelineSetup, stage: string, opts: { apply: boolean; json?: 'deploy' | 'verify' | 'promote' }): Promise<number> {
  checkStageSources(setup.ctx.stages, stage);
  lintBeforeUse(setup.configs.filter((c) => c.name === stage).map((c) => c.functionFile));
  setup.forStage(stage);
  if (opts.apply) checkDeployable(setup.configs.find((c) => c.name === stage)!, setup.targetFor(stage));
  setup.ctx.interrupt.install();
  try {
    const report = await runStagePipeline(setup.ctx, stage, opts.apply ? setup.makeApplier() : undefined);
    // The brownfield association check, in the JSON object or after the printed outcome (so a failing read still shows it).
    const externalCheck = async () => {
      const spec = setup.ctx.stages.find((s) => s.name === stage);
      const outputs = setup.ctx.outputs.read(stage);
      return spec?.externalDistribution && outputs && report.outcome === 'verified'
        ? checkExternalDistribution(setup.ctx.cf, stage, outputs.functionId, spec.externalDistribution.id) : undefined;
    };
    if (opts.json) {
      // One object on stdout; progress went to stderr.
      const external = await externalCheck();
      process.stdout.write(`${JSON.stringify({ ...stageRunJson(opts.json, report, setup.targetFor(stage)), externalDistribution: external ?? null }, null, 2)}\n`);
      return report.outcome === 'verified' ? 0 : 1;
    }
    const code = printStageRun(report);
    const external = await externalCheck();
    if (external) process.stdout.write(`  ${external.associated === false ? '⚠ ' : ''}${external.line}\n`);
    return code;
  } finally {
    setup.ctx.interrupt.uninstall();
  }
}

export const deployCommand: CommandModule = {
  register(program: Command) {
    addPipelineOptions(program.command('deploy')
      .argument('<stage>', 'the stage to deploy (e.g. dev)')
      .description('gate, apply, test DEVELOPMENT, publish, verify LIVE and record evidence for one stage (a new stage is applied, published, then associated)'),
    { applier: true, locking: true })
      .option('--json', 'print the outcome as one JSON object ({"schema":"conngate.run/1",...}) on stdout; progress stays on stderr')
      .addHelpText('after', '\nExamples:\n  conngate deploy dev\n  CONNGATE_EVIDENCE_KEY=$EVIDENCE_SECRET conngate deploy dev --endpoint http://127.0.0.1:4566 --live-suite full\n  conngate deploy dev --force-unlock   # the runner holding the stage\'s lease is gone\n  conngate deploy dev --json > run.json')
      .action(async (stage: string, flags: PipelineFlags & { json?: boolean }) => {
        process.exitCode = await runStageCommand(setupPipeline(flags), stage, { apply: true, ...(flags.json ? { json: 'deploy' as const } : {}) });
      });
  },
};
