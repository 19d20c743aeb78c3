import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { createS3Client, resolveTarget } from '../aws/clients';
import { UserError } from '../diagnostics/user-error';
import { printable } from '../diagnostics/untrusted-text';
import { htmlReport } from '../orchestrator/reports/html-report';
import { replayExitCode, replaySummaryLine, type ReplayReport } from '../orchestrator/replay/replay-report';
import { replayFromLogs, replayGroupLine, stageStoreEntries } from '../orchestrator/replay/stage-replay';
import { readFunctionStage } from '../orchestrator/stage/function-stages';
import { loadExpectedChanges } from '../orchestrator/replay/expected-changes';
import { checkLogSource } from '../orchestrator/replay/log-sources';
import { OutputsStore } from '../orchestrator/stage/outputs-store';
import { DEFAULT_STATE_DIR, stageSpecsFrom } from '../orchestrator/stage/stage-spec';
import { clientsPerStage } from '../orchestrator/stage/stage-target';
import { readRegularFile } from '../revocation/source-file';
import { loadStageConfigs } from '../stacks/stage-config';
import type { CommandModule } from './command-module';
import { confirmStageIdentity } from '../orchestrator/pipeline/stage-identity';

interface ReplayFlags {
  logs?: string; candidate?: string; expected?: string; maxChanged?: string; json?: boolean; html?: string;
  endpoint?: string; dir: string; stateDir: string; outputs?: string;
}

/** Groups printed in the text output (the JSON and HTML have them all). */
const PRINTED_GROUPS = 20;

function textReport(rep: ReplayReport): string {
  const lines = [`${rep.verdict === 'over-limit' ? '✘' : '✔'} ${replaySummaryLine(rep)}`];
  for (const g of rep.groups.slice(0, PRINTED_GROUPS)) {
    lines.push(`  ${replayGroupLine(g)}`);
    for (const e of g.examples) lines.push(`      ${printable(`${e.file}:${e.line}${e.at ? ` at ${e.at}` : ''}${e.clientIp ? ` from ${e.clientIp}` : ''}${e.candidateError ? ` (candidate: ${e.candidateError})` : ''}`)}`);
  }
  if (rep.groups.length > PRINTED_GROUPS) lines.push(`  … ${rep.groups.length - PRINTED_GROUPS} more groups (--json or --html for all)`);
  for (const [reason, n] of Object.entries(rep.notReplayable.byReason)) lines.push(`  not replayable: ${n} × ${reason}`);
  for (const p of rep.problems.first.slice(0, 10)) lines.push(`  unreadable: ${p.file}:${p.line}: ${p.problem}`);
  if (rep.problems.total > 10) lines.push(`  … ${rep.problems.total - 10} more unreadable lines (--json for the first ${rep.problems.first.length})`);
  lines.push(`  replayed connections lack what no log carries: ${rep.fieldsNoLogCarries.join(', ')}`);
  const missing = Object.entries(rep.missingFields);
  if (missing.length) lines.push(`  records also lacked: ${missing.map(([f, n]) => `${f} (${n})`).join(', ')}`);
  if (rep.liveDisagreesWithLog) lines.push(`  note: LIVE decided otherwise than the log says for ${rep.liveDisagreesWithLog} connections (the logs are from other code or another store)`);
  lines.push(`  ${rep.replayed} connections through LIVE and the candidate in ${(rep.durationMs / 1000).toFixed(1)} s (${rep.recordsPerSecond} records/s)`);
  return `${lines.join('\n')}\n`;
}

async function runReplay(stage: string, flags: ReplayFlags): Promise<number> {
  const dir = path.resolve(flags.dir);
  if (!fs.existsSync(path.join(dir, 'cdktf.json'))) {
    throw new UserError(`--dir ${dir}`, 'no cdktf.json here', 'run conngate in the cdktf project folder, or pass --dir <folder>');
  }
  const configs = loadStageConfigs(dir);
  const config = configs.find((c) => c.name === stage);
  if (!config) throw new UserError(stage, 'no such stage', `use one of: ${configs.map((c) => c.name).join(', ')}`);
  const logs = flags.logs ?? config.replay?.logs;
  if (!logs) throw new UserError('--logs', `no connection logs to replay for ${stage}`, 'pass --logs <file|folder|s3://bucket/prefix>, or set replay.logs in conngate.config.json');
  let maxChanged = config.replay?.maxChangedDecisions ?? 0;
  if (flags.maxChanged !== undefined) {
    maxChanged = Number(flags.maxChanged);
    if (!/^\d{1,9}$/.test(flags.maxChanged)) throw new UserError('--max-changed', `"${printable(flags.maxChanged)}" is not a whole number >= 0`, 'pass e.g. --max-changed 0');
  }
  const candidateFile = flags.candidate ? path.resolve(flags.candidate) : config.functionFile;
  let candidateCode: string;
  try {
    candidateCode = readRegularFile(candidateFile).toString('utf8');
  } catch {
    throw new UserError(candidateFile, 'candidate function cannot be read', 'pass --candidate <function .js file>, or fix functionFile in conngate.config.json');
  }
  const logsSource = /^s3:\/\//i.test(logs) ? logs : path.resolve(logs);
  const expectedFile = flags.expected ? path.resolve(flags.expected) : config.replay?.expected;
  // Bad input is found before any call: the replay checks both again, but only after reading LIVE and the store.
  checkLogSource(logsSource);
  if (expectedFile) loadExpectedChanges(expectedFile);
  const stateDir = path.resolve(dir, flags.stateDir);
  const outputs = flags.outputs ? new OutputsStore(path.resolve(flags.outputs), true) : new OutputsStore(path.join(stateDir, 'outputs.json'));
  const out = outputs.read(stage);
  if (!out) throw new UserError(stage, 'has no outputs: it was never deployed here', `deploy it first (conngate deploy ${stage}), or pass --outputs <file>`);
  const target = resolveTarget({ endpoint: flags.endpoint });
  const clients = clientsPerStage(target, configs, flags.endpoint !== undefined)(stage);
  // The outputs only select: CloudFront, asked by the stage's declared names, decides which function and store are
  // the stage's, so a wrong outputs file cannot make the replay judge against another stage's LIVE code.
  const identity = await confirmStageIdentity(clients.cf, stageSpecsFrom(configs).find((s) => s.name === stage)!, out, outputs.file);
  const live = await readFunctionStage(clients.cf, identity.functionId, 'LIVE');
  const progress = (line: string) => { if (!flags.json) process.stderr.write(`  ${line}\n`); };
  const store = await stageStoreEntries(clients.kvs, identity.storeArn, path.join(path.dirname(outputs.file), 'revocation-snapshots'), progress);
  const rep = await replayFromLogs({
    liveCode: Buffer.from(live.code).toString('utf8'), candidateCode, store, logs: logsSource,
    s3: () => createS3Client(clients.target), maxChangedDecisions: maxChanged, ...(expectedFile ? { expectedFile } : {}), progress,
    ...(out.distributionId ? { distributionId: out.distributionId } : {}),
  });
  if (flags.html) {
    fs.writeFileSync(path.resolve(flags.html), htmlReport({ title: `conngate replay: ${stage}`, runs: [], replays: [rep] }));
  }
  process.stdout.write(flags.json ? `${JSON.stringify(rep, null, 2)}\n` : textReport(rep));
  return replayExitCode(rep);
}

export const replayCommand: CommandModule = {
  register(program: Command) {
    program.command('replay')
      .argument('<stage>', 'the stage whose LIVE code the candidate is compared with (e.g. prod)')
      .description('replay CloudFront connection logs against the stage\'s LIVE code and the candidate, and list every connection whose decision changes')
      .option('--logs <source>', 'connection logs (JSON lines): a file, a folder, or s3://bucket/prefix (default: the stage\'s replay.logs)')
      .option('--candidate <file>', 'the candidate function (default: the stage\'s functionFile, what deploy would publish)')
      .option('--expected <file>', 'expected-changes file: the changes it lists are allowed (default: the stage\'s replay.expected; format in docs/replay.md)')
      .option('--max-changed <n>', 'unexpected changed decisions allowed before the exit code is 1 (default: the stage\'s replay.maxChangedDecisions, else 0)')
      .option('--json', 'print the report as one JSON object ({"schema":"conngate.replay/1",...})')
      .option('--html <file>', 'also write the report as a self-contained HTML page')
      .option('--endpoint <url>', 'CloudFront API endpoint, e.g. the emulator (default: $CONNGATE_ENDPOINT, else real AWS)')
      .option('--dir <path>', 'the cdktf project folder (cdktf.json, conngate.config.json)', '.')
      .option('--state-dir <path>', 'where outputs live (relative to --dir)', DEFAULT_STATE_DIR)
      .option('--outputs <file>', 'stage outputs JSON (default: <state-dir>/outputs.json)')
      .addHelpText('after', '\nExit code: 0 no decision changes beyond the allowed ones, 1 more, 2 bad input.\n\nExamples:\n  conngate replay prod --logs ./connection-logs/\n'
        + '  conngate replay prod --logs s3://my-logs/cloudfront/ --expected expected-changes.json --json\n  conngate replay staging --logs day.jsonl.gz --candidate functions/new-rule.js --html replay.html')
      .action(async (stage: string, flags: ReplayFlags) => {
        process.exitCode = await runReplay(stage, flags);
      });
  },
};
