import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../diagnostics/user-error';
import { unassociatedStagesEnv, unassociatedStagesFrom } from '../stacks/first-deploy-context';
import { findStageConfig, loadStageConfigs } from '../stacks/stage-config';
import { listSynthesizedStages } from '../stacks/synth-output';
import { stagePlaceholders } from '../stacks/stage-placeholders';
import { formatSynthSummary, readSynthSummary } from '../stacks/synth-summary';
import { validateConnectionFunctionCode } from '../modules/connection-function-validation';
import { cdktfFailure, frameworkCli } from '../orchestrator/cdktf/cdktf-cli';
import type { CommandModule } from './command-module';
import { lintBeforeUse } from '../lint/lint-files';
import { childToolEnv } from '../orchestrator/reports/terminal';

interface SynthFlags {
  dir: string;
  output: string;
  withoutAssociation?: string;
  json?: boolean;
}

function checkFunctionFile(file: string, stage: string, dir: string): void {
  // Named relative to the project folder, as the stack names it.
  const shown = path.relative(dir, file) || file;
  let code: string;
  try {
    code = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UserError(shown, 'function file not found or unreadable', `check stages.${stage}.functionFile in conngate.config.json`);
  }
  validateConnectionFunctionCode(code, shown);
}

async function runSynth(stages: string[], flags: SynthFlags): Promise<void> {
  const dir = path.resolve(flags.dir);
  if (!fs.existsSync(path.join(dir, 'cdktf.json'))) {
    throw new UserError(dir, 'no cdktf.json here', 'run in the conngate project folder or pass --dir <project folder>');
  }
  const outdir = path.resolve(dir, flags.output);
  // Check the config and the stage names before the slow part.
  const configs = loadStageConfigs(dir);
  const unassociated = unassociatedStagesFrom(flags.withoutAssociation);
  for (const s of [...stages, ...unassociated]) findStageConfig(configs, s);
  // The stack runs the same check inside cdktf synth, seconds later and buried in its output; fail first, in one line.
  for (const c of stages.length > 0 ? stages.map((s) => findStageConfig(configs, s)) : configs) checkFunctionFile(c.functionFile, c.name, dir);

  // conngate lint: findings on every stage's function, before cdktf runs (docs/lint.md).
  lintBeforeUse(configs.map((c) => c.functionFile));
  // Placeholders synthesize (the emulator takes them) but a deploy to AWS refuses them: say so here already.
  for (const c of stages.length > 0 ? stages.map((s) => findStageConfig(configs, s)) : configs) {
    for (const p of stagePlaceholders(c)) process.stderr.write(`conngate synth: placeholder: ${p.where}: ${p.what} (fix: ${p.fix})\n`);
  }
  // cdktf's spinner and colours stay out of logs and pipes; its telemetry check is off (it fails loudly offline).
  const env: Record<string, string> = childToolEnv();
  if (unassociated.length > 0) Object.assign(env, unassociatedStagesEnv(unassociated));

  const { execa } = await import('execa');
  const cli = frameworkCli(dir);
  process.stderr.write(`conngate synth: running ${cli.name} synth in ${dir}\n`);
  const [cmd, ...pre] = cli.command;
  const result = await execa(cmd, [...pre, 'synth', '--output', outdir], {
    cwd: dir,
    env,
    // cdktf's progress streams to stderr as it comes; stdout carries only the summary (clean for --json).
    stdout: ['pipe', process.stderr],
    stderr: ['pipe', process.stderr],
    reject: false,
    all: true,
  });
  if (result.exitCode !== 0) throw cdktfFailure(`${cli.name} synth`, String(result.all ?? ''), result.exitCode, `read the ${cli.name} output above`, `${cli.name} synth`);

  const synthesized = listSynthesizedStages(outdir);
  // The manifest lists stacks alphabetically; show them in promotion order.
  const selected = stages.length > 0 ? stages : configs.map((c) => c.name).filter((n) => synthesized.includes(n));
  const summaries = selected.map((s) => readSynthSummary(outdir, s));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(summaries, null, 2)}\n`);
  } else {
    process.stdout.write(`${summaries.map(formatSynthSummary).join('\n\n')}\n\nsynthesized to ${path.relative(process.cwd(), outdir) || '.'}\n`);
  }
}

/** `conngate synth [stages...]`: runs the real `cdktf synth` and summarizes what each stage declares. */
export const synthCommand: CommandModule = {
  register(program: Command) {
    program
      .command('synth')
      .description('synthesize every stage stack with `cdktf synth` and print what each stage declares ' +
        '(resources by type, function name and candidate sha256, backend, association on/off)')
      .argument('[stages...]', 'stages to summarize (default: all synthesized stages)')
      .option('--dir <path>', 'project folder holding cdktf.json and conngate.config.json', '.')
      .option('-o, --output <dir>', 'cdktf output folder, relative to --dir', 'cdktf.out')
      .option('--without-association <stages>', 'comma-separated stages to synthesize without the connection-function association (first deploy)')
      .option('--json', 'print the summaries as JSON')
      .addHelpText('after', '\nExamples:\n  conngate synth\n  conngate synth dev --without-association dev --json')
      .action(async (stages: string[], flags: SynthFlags) => runSynth(stages, flags));
  },
};
