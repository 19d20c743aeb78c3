import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../diagnostics/user-error';
import { formatDiagnostic } from '../lint/diagnostic';
import { lintFiles } from '../lint/lint-files';
import type { CommandModule } from './command-module';

/** Default targets: every .js function in --functions-dir. */
function functionsIn(dir: string): string[] {
  if (!fs.existsSync(dir)) throw new UserError(dir, 'folder not found', 'run in the project folder, pass --functions-dir or name the files');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.js')).sort().map((f) => path.join(dir, f));
  if (files.length === 0) throw new UserError(dir, 'contains no .js connection functions', 'name the files to lint');
  return files;
}

/** `conngate lint [files...]`: static checks of connection functions (rules in docs/lint.md). */
export const lintCommand: CommandModule = {
  register(program: Command): void {
    program
      .command('lint')
      .description('Check connection functions statically: entry point, decisions on every path, cf import, documented connection fields, canonical KVS serial keys, runtime 2.0 support, code size.')
      .argument('[files...]', 'connection-function files; default: every .js file in --functions-dir')
      .option('--functions-dir <folder>', 'folder holding the functions (as in `conngate test`)', 'functions')
      .addHelpText('after', '\nOutput: one finding per line, file:line:col severity rule message. Exit 1 when any finding is an error.\n\nExample:\n  conngate lint functions/revocation-check.js')
      .action((files: string[], flags: { functionsDir: string }) => {
        const found = lintFiles(files.length > 0 ? files : functionsIn(flags.functionsDir));
        for (const d of found) process.stdout.write(`${formatDiagnostic(d)}\n`);
        const errors = found.filter((d) => d.severity === 'error').length;
        process.stderr.write(`${errors} error(s), ${found.length - errors} warning(s)\n`);
        if (errors > 0) process.exitCode = 1;
      });
  },
};
