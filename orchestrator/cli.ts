import { Command, CommanderError } from 'commander';
import { isUserError } from '../diagnostics/user-error';
import { commandModules } from './commands';

/** Builds the `conngate` program; every subcommand lives in its own file under ./commands. */
export function buildProgram(): Command {
  const program = new Command('conngate')
    .description('Test, publish, verify and promote CloudFront viewer-mTLS connection functions, stage by stage.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const mod of commandModules) mod.register(program);
  return program;
}

/** Runs the CLI and resolves to the process exit code; user errors print one line, bugs print a stack. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (or the help text).
      return err.exitCode === 0 ? 0 : 2;
    }
    if (isUserError(err)) {
      process.stderr.write(`conngate: ${err.message}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    process.stderr.write(`conngate: unexpected error: ${e?.stack ?? String(err)}\n`);
    return 1;
  }
}
