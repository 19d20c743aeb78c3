// First: binds conngate's `cdktf` imports to the project's framework (cdktn or cdktf) before any command loads one.
import '../framework/bind-framework';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { debugDescription, mapOperationalError } from '../diagnostics/operational-error';
import { currentlyWaitingFor } from '../diagnostics/operation-context';
import { UserError } from '../diagnostics/user-error';
import { setTerminalChoice } from '../orchestrator/reports/terminal';
import { startWatchdog } from './watchdog';
import { commandModules } from '.';

/** Seconds a command may run before it is stopped, unless --timeout / CONNGATE_TIMEOUT say otherwise (0 = none). */
const DEFAULT_DEADLINE_S: Record<string, number> = { status: 300, payload: 60, test: 600, emulator: 0 };
const FALLBACK_DEADLINE_S = 3600;

function packageVersion(): string {
  for (const dir of [path.resolve(__dirname, '..'), path.resolve(__dirname, '..', '..')]) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}

/** The command path a user typed, e.g. "revocations sync", for the `<where>` of commander's own errors. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}

/** Builds the `conngate` program; every subcommand lives in its own file under ./commands. */
export function buildProgram(): Command {
  const program = new Command('conngate')
    .description('Test, publish, verify and promote CloudFront viewer-mTLS connection functions, stage by stage.')
    .version(packageVersion(), '-V, --version', 'print the conngate version')
    .option('--debug', 'on failure, print the full cause (stack, SDK metadata) after the one-line message (also CONNGATE_DEBUG=1)')
    .option('--no-progress', 'plain progress lines instead of a spinner (also when the output is not a terminal, is 0 columns wide, or CI / TERM=dumb / NO_COLOR is set)')
    .option('--no-color', 'no colour codes, here or from the tools conngate runs (also NO_COLOR=1); implies --no-progress')
    .option('--timeout <seconds>', `stop the command after this many seconds (also CONNGATE_TIMEOUT; default ${FALLBACK_DEADLINE_S}, status ${DEFAULT_DEADLINE_S.status}; 0 = none)`)
    .exitOverride()
    // The global flags work on every command, so every command's help shows them.
    .configureHelp({ showGlobalOptions: true });
  for (const mod of commandModules) mod.register(program);
  program.addHelpText('after', '\nExamples:\n  conngate test --local\n  conngate deploy dev --endpoint http://127.0.0.1:4566\n'
    + '  conngate status --json\n  conngate demo\n\nRun `conngate <command> --help` for a command\'s flags and examples.');
  return program;
}

/** Which command runs, what its deadline is, and whether --debug is on, read from argv before commander runs. */
function parseGlobal(argv: string[]): { debug: boolean; timeoutRaw?: string; timeoutFrom: string; progress: boolean; color: boolean } {
  const args = argv.slice(2);
  const end = args.indexOf('--');
  const before = end < 0 ? args : args.slice(0, end);
  let timeoutRaw: string | undefined;
  let timeoutFrom = 'CONNGATE_TIMEOUT';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--') break;
    if (args[i] === '--timeout') { timeoutRaw = args[i + 1]; timeoutFrom = '--timeout'; }
    else if (args[i].startsWith('--timeout=')) { timeoutRaw = args[i].slice('--timeout='.length); timeoutFrom = '--timeout'; }
  }
  if (timeoutRaw === undefined) timeoutRaw = process.env.CONNGATE_TIMEOUT || undefined;
  const env = process.env.CONNGATE_DEBUG;
  return {
    debug: before.includes('--debug') || (!!env && env !== '0' && env !== 'false'), timeoutRaw, timeoutFrom,
    progress: !before.includes('--no-progress'), color: !before.includes('--no-color'),
  };
}

function deadlineSeconds(command: string, raw: string | undefined, from: string): number {
  if (raw === undefined) return DEFAULT_DEADLINE_S[command] ?? FALLBACK_DEADLINE_S;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || n > 7 * 24 * 3600) {
    throw new UserError(from, `"${raw}" is not a number of seconds from 0 to 604800`, `pass e.g. ${from === '--timeout' ? '--timeout 600' : 'CONNGATE_TIMEOUT=600'} (0 = no deadline)`);
  }
  return n;
}

/** commander's message ("error: unknown option '--foo'") as conngate's one line. */
function commanderLine(err: CommanderError, cmd: Command | undefined): string {
  const full = cmd ? commandPath(cmd) : 'conngate';
  let what = err.message.replace(/^error:\s*/i, '').replace(/\s+/g, ' ').trim();
  // The line already starts with `conngate: `; a mistake at the top level is named by what was typed, not by
  // `conngate` a second time.
  let where = full.replace(/^conngate ?/, '');
  if (!where) {
    const typed = /^unknown (?:command|option) '([^']*)'/.exec(what);
    where = typed ? typed[1] : 'arguments';
    if (typed) what = what.replace(/ '[^']*'/, '');
  }
  let fix = `run \`${full} --help\` for its arguments, flags and examples`;
  if (err.code === 'commander.unknownCommand') fix = 'run `conngate --help` for the commands';
  if (err.code === 'commander.unknownOption' && /'--dir'/.test(what) && cmd?.name() === 'test') {
    fix = '`conngate test` takes the functions folder as --functions-dir (--dir is the project folder everywhere else)';
  }
  return `conngate: ${where}: ${what} (fix: ${fix})\n`;
}

/**
 * Runs the CLI and resolves to the process exit code. Bad input and failed operations print one line
 * (`conngate: <where>: <what> (fix: <how>)`); nothing prints a stack trace unless --debug asks for it.
 */
export async function main(argv: string[], opts: { watchdog?: boolean } = {}): Promise<number> {
  // `conngate status | head -1`: the reader went away; there is no one left to tell, so stop quietly.
  const onStdoutError = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  };
  process.stdout.on('error', onStdoutError);
  const global = parseGlobal(argv);
  // Before any command can draw: the flags decide the spinner and colours for everything, children included.
  setTerminalChoice({ progress: global.progress, color: global.color });
  if (!global.color) process.env.NO_COLOR = '1';
  // An error raised outside the awaited chain (a stray socket error, a rejected promise nobody awaited) still ends
  // in one line, not in Node's stack dump.
  const onStray = (err: unknown) => {
    if ((err as NodeJS.ErrnoException)?.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    const mapped = mapOperationalError(err);
    const line = mapped ? mapped.message : `unexpected error: ${String((err as Error)?.message ?? err).split('\n')[0]} (fix: re-run with --debug and report the output)`;
    process.stderr.write(`conngate: ${line}\n`);
    if (global.debug) process.stderr.write(`${debugDescription(err)}\n`);
    process.exit(mapped ? mapped.exitCode : 1);
  };
  process.on('uncaughtException', onStray);
  process.on('unhandledRejection', onStray);
  let deadline: NodeJS.Timeout | undefined;
  let failedCommand: Command | undefined;
  try {
    const program = buildProgram();
    for (const c of allCommands(program)) {
      // commander prints its own errors; conngate prints them in its one-line format below instead.
      c.configureOutput({ outputError: () => { failedCommand = c; } });
    }
    program.hook('preAction', (_root, action) => {
      const name = action.parent && action.parent !== program ? action.parent.name() : action.name();
      const seconds = deadlineSeconds(name, global.timeoutRaw, global.timeoutFrom);
      // Started only for the real process (bin/conngate.js), never inside a host that calls main() itself. It is
      // left running after main() returns: whatever keeps the process alive after that is under the deadline too.
      if (opts.watchdog) startWatchdog({ command: commandPath(action).replace(/^conngate /, ''), deadlineS: seconds });
      if (seconds === 0) return;
      deadline = setTimeout(() => {
        const waiting = currentlyWaitingFor();
        process.stderr.write(`conngate: ${commandPath(action).replace(/^conngate /, '')}: did not finish within ${seconds} s${waiting ? ` (waiting for ${waiting})` : ''} `
          + `(fix: check the endpoint is reachable, or raise --timeout / CONNGATE_TIMEOUT; a re-run converges)\n`);
        process.exit(1);
      }, seconds * 1000);
      deadline.unref();
    });
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      // `conngate` alone: commander printed the help; a missing command is a usage error.
      if (err.code === 'commander.help' || err.code === 'commander.executeSubCommandAsync') return 2;
      process.stderr.write(commanderLine(err, failedCommand));
      return 2;
    }
    const mapped = mapOperationalError(err);
    if (mapped) {
      process.stderr.write(`conngate: ${mapped.message}\n`);
      if (global.debug) process.stderr.write(`${debugDescription(err)}\n`);
      return mapped.exitCode;
    }
    const e = err as Error;
    const first = String(e?.message ?? err).split('\n')[0];
    process.stderr.write(`conngate: unexpected error: ${first} (fix: ${global.debug ? 'report it with the details below' : 're-run with --debug and report the output'})\n`);
    if (global.debug) process.stderr.write(`${debugDescription(err)}\n`);
    return 1;
  } finally {
    if (deadline) clearTimeout(deadline);
  }
}
