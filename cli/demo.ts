import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../diagnostics/user-error';
import { runDemo } from '../demo/demo-flow';
import { createProgress } from '../orchestrator/reports/progress';
import type { CommandModule } from './command-module';

function wholeNumber(flag: string, raw: string, max: number): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < 0 || n > max) throw new UserError(flag, `"${raw}" is not a whole number from 0 to ${max}`, `pass e.g. ${flag} 0`);
  return n;
}

export const demoCommand: CommandModule = {
  register(program: Command) {
    program.command('demo')
      .description('the whole flow on this machine, no AWS account: synth dev/staging/prod, apply them to an embedded CloudFront emulator, sync a CRL, promote a candidate through every gate, stop a broken one at dev, and write an HTML report')
      .option('--workdir <path>', 'scratch folder for the demo project, state and report; a folder made by an earlier demo is emptied, any other non-empty folder is refused', '.conngate/demo')
      .option('--port <n>', 'port of the embedded emulator (0 = any free port)', '0')
      .option('--latency-ms <n>', 'added latency per emulator request, to feel like the real API', '0')
      .addHelpText('after', '\nExamples:\n  conngate demo\n  conngate demo --workdir /tmp/conngate-demo --latency-ms 50')
      .action(async (flags: { workdir: string; port: string; latencyMs: string }) => {
        // The package root: one folder up from the sources, two from the compiled dist/ (an installed package has
        // only dist/main.js, no main.ts).
        const projectDir = [path.resolve(__dirname, '..'), path.resolve(__dirname, '..', '..')]
          .find((d) => fs.existsSync(path.join(d, 'functions')) && (fs.existsSync(path.join(d, 'main.ts')) || fs.existsSync(path.join(d, 'dist', 'main.js'))))!;
        const port = wholeNumber('--port', flags.port, 65535);
        const latencyMs = wholeNumber('--latency-ms', flags.latencyMs, 60000);
        const result = await runDemo({
          projectDir,
          workdir: path.resolve(flags.workdir), progress: createProgress({ stream: process.stdout }),
          port, latencyMs,
        });
        const failed = result.checks.filter((c) => !c.ok);
        process.stdout.write(`\n${result.ok ? '✔ demo complete' : `✖ demo: ${failed.length} expectation(s) did not hold`}: ${result.checks.length - failed.length}/${result.checks.length} checks passed\n`);
        process.stdout.write(`  HTML report: ${result.reportFile}\n  evidence ledger: ${result.ledgerFile}\n`);
        for (const file of result.connectionLogs) process.stdout.write(`  connection log (local edge): ${file}\n`);
        process.exitCode = result.ok ? 0 : 1;
      });
  },
};
