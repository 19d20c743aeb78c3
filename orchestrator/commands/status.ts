import type { Command } from 'commander';
import { shortSha } from '../candidate';
import { evidenceSummary, readStageStatuses } from '../stage-status';
import type { CommandModule } from './index';
import { addPipelineOptions, setupPipeline, type PipelineFlags } from './pipeline-options';

export const statusCommand: CommandModule = {
  register(program: Command) {
    addPipelineOptions(program.command('status')
      .description('each stage: candidate in DEVELOPMENT and LIVE, last evidence, and whether the local candidate may be promoted into it'))
      .option('--json', 'print JSON instead of a table')
      .action(async (flags: PipelineFlags & { json?: boolean }) => {
        const setup = setupPipeline({ ...flags, quiet: true }, { requireKey: false });
        const statuses = await readStageStatuses(setup.ctx.cf, setup.ctx.stages, await setup.ctx.keys);
        if (flags.json) {
          process.stdout.write(JSON.stringify(statuses, null, 2) + '\n');
          return;
        }
        const rows = [['stage', 'from', 'local', 'DEVELOPMENT', 'LIVE', 'evidence', 'gate']];
        for (const s of statuses) {
          rows.push([
            s.stage, s.promotesFrom ?? '-', shortSha(s.localCandidate), shortSha(s.development), shortSha(s.live),
            evidenceSummary(s),
            `${s.gate.open ? 'open' : 'closed'}: ${s.gate.reason}`,
          ]);
        }
        const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
        for (const r of rows) process.stdout.write(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd() + '\n');
      });
  },
};
