import * as fs from 'node:fs';
import * as path from 'node:path';
import { Option, type Command } from 'commander';
import { UserError } from '../diagnostics/user-error';
import { runTaskJob, type RunTaskSettings } from '../integrations/run-task/post-apply-job';
import { parseRunTaskRequest, PayloadError } from '../integrations/run-task/request-payload';
import { startRunTaskServer } from '../integrations/run-task/server';
import type { CommandModule } from './command-module';

interface RunTaskFlags {
  dir: string; stateDir: string; endpoint?: string; liveSuite: 'smoke' | 'full'; publicUrl?: string;
  insecureUnsignedEvidence?: boolean; port?: string; host?: string; hmacKeyFile?: string; payload?: string;
}

/** The run task's HMAC key: $CONNGATE_RUN_TASK_HMAC_KEY, or the file --hmac-key-file / $CONNGATE_RUN_TASK_HMAC_KEY_FILE names. */
function hmacKey(flags: RunTaskFlags): string {
  const file = flags.hmacKeyFile ?? process.env.CONNGATE_RUN_TASK_HMAC_KEY_FILE;
  const env = process.env.CONNGATE_RUN_TASK_HMAC_KEY;
  if (file && env) throw new UserError('run-task', 'both CONNGATE_RUN_TASK_HMAC_KEY and a key file are set', 'keep one');
  let key = env ?? '';
  if (file) {
    try {
      key = fs.readFileSync(path.resolve(file), 'utf8').trim();
    } catch (e) {
      throw new UserError(file, `cannot read the HMAC key file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'pass a readable file with --hmac-key-file');
    }
  }
  // HCP Terraform signs only when the run task has an HMAC key; an unsigned endpoint would run verify for anyone.
  if (key.length < 16) {
    throw new UserError('run-task', key ? 'the HMAC key is shorter than 16 characters' : 'no HMAC key (CONNGATE_RUN_TASK_HMAC_KEY or --hmac-key-file)',
      'set the same random key here and in the run task\'s HMAC key field, e.g. `openssl rand -hex 32`');
  }
  return key;
}

function settings(flags: RunTaskFlags): RunTaskSettings {
  const dir = path.resolve(flags.dir);
  if (!fs.existsSync(path.join(dir, 'cdktf.json'))) throw new UserError(dir, 'no cdktf.json here', 'run conngate in the cdktf project folder, or pass --dir <folder>');
  if (flags.publicUrl && !/^https?:\/\//.test(flags.publicUrl)) throw new UserError(`--public-url ${flags.publicUrl}`, 'is not an http(s) URL', 'pass e.g. --public-url https://conngate.example.com');
  return {
    dir, stateDir: flags.stateDir, endpoint: flags.endpoint, liveSuite: flags.liveSuite, publicUrl: flags.publicUrl,
    insecureUnsignedEvidence: flags.insecureUnsignedEvidence, log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
  };
}

function common(cmd: Command): Command {
  return cmd
    .option('--dir <path>', 'the cdktf project folder (cdktf.json, conngate.config.json)', '.')
    .option('--state-dir <path>', 'where outputs, the evidence ledger, reports and locks live (relative to --dir)', '.conngate')
    .option('--endpoint <url>', 'CloudFront API endpoint, e.g. the emulator at http://127.0.0.1:4566 (default: $CONNGATE_ENDPOINT, else real AWS)')
    .addOption(new Option('--live-suite <which>', 'cases that verify LIVE').choices(['smoke', 'full']).default('smoke'))
    .option('--public-url <url>', 'the URL people reach this server at; task results link the run\'s report under it')
    .option('--insecure-unsigned-evidence', 'INSECURE: unsigned evidence (throwaway setups only)');
}

export const runTaskCommand: CommandModule = {
  register(program: Command) {
    const rt = program.command('run-task').description('an HCP Terraform post-apply run task that verifies each applied stage (see docs/run-task.md)');
    common(rt.command('serve')
      .description('serve the run task endpoint: checks X-TFC-Task-Signature, answers at once, verifies post_apply runs in the background and reports to HCP Terraform'))
      .option('--port <n>', 'port to listen on', '8790')
      .option('--host <addr>', 'address to listen on (loopback by default; put a TLS proxy in front to expose it)', '127.0.0.1')
      .option('--hmac-key-file <file>', 'file holding the run task\'s HMAC key (default: $CONNGATE_RUN_TASK_HMAC_KEY)')
      .addHelpText('after', '\nExamples:\n  CONNGATE_RUN_TASK_HMAC_KEY=$KEY CONNGATE_EVIDENCE_KEY=$EVIDENCE conngate run-task serve --port 8790 --public-url https://conngate.example.com')
      .action(async (flags: RunTaskFlags) => {
        const port = Number(flags.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port ${flags.port}`, 'is not a port number', 'pass e.g. --port 8790');
        const server = await startRunTaskServer({ ...settings(flags), hmacKey: hmacKey(flags), host: flags.host!, port });
        process.stdout.write(`conngate run task listening on ${server.url} (Ctrl-C stops it after running jobs end)\n`);
        await new Promise<void>((resolve) => {
          const stop = () => { process.off('SIGINT', stop); process.off('SIGTERM', stop); void server.close().then(resolve); };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
      });
    common(rt.command('handle')
      .description('handle one run task request from a file (e.g. forwarded by an agent): the same job the server runs, in the foreground'))
      .requiredOption('--payload <file>', 'the run task request body (JSON)')
      .addHelpText('after', '\nExamples:\n  conngate run-task handle --payload request.json --endpoint http://127.0.0.1:4566')
      .action(async (flags: RunTaskFlags) => {
        let raw: Buffer;
        try {
          raw = fs.readFileSync(path.resolve(flags.payload!));
        } catch (e) {
          throw new UserError(`--payload ${flags.payload}`, `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'pass the request body file');
        }
        let req;
        try {
          req = parseRunTaskRequest(raw);
        } catch (e) {
          if (e instanceof PayloadError) throw new UserError(`--payload ${flags.payload}`, e.message, 'pass the JSON body HCP Terraform sent');
          throw e;
        }
        const result = await runTaskJob(req, settings(flags));
        process.stdout.write(`${result.status === 'passed' ? '✔' : '✖'} ${result.message}${result.delivered ? '' : ' (the task result could not be delivered)'}\n`);
        process.exitCode = result.status === 'passed' && result.delivered ? 0 : 1;
      });
  },
};
