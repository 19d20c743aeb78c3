import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { describeTarget, resolveTarget, type Target } from '../aws/clients';
import { printable } from '../diagnostics/untrusted-text';
import { UserError } from '../diagnostics/user-error';
import { loadStageConfigs } from '../stacks/stage-config';
import { clientsPerStage, stageTarget } from '../orchestrator/stage/stage-target';
import { shortSha } from '../orchestrator/stage/candidate';
import { evidenceSummary, readStageStatuses } from '../orchestrator/reports/stage-status';
import { statusJson } from '../orchestrator/reports/status-json';
import type { CommandModule } from './command-module';
import { evidenceKeysForStatus } from '../setup/pipeline-setup';
import { stageSpecsFrom } from '../orchestrator/stage/stage-spec';

interface StatusFlags { endpoint?: string; dir: string; json?: boolean }

async function runStatus(flags: StatusFlags): Promise<void> {
  const dir = path.resolve(flags.dir);
  if (!fs.existsSync(path.join(dir, 'cdktf.json'))) {
    throw new UserError(`--dir ${dir}`, 'no cdktf.json here', 'run conngate in the cdktf project folder, or pass --dir <folder>');
  }
  const target = resolveTarget({ endpoint: flags.endpoint });
  const configs = loadStageConfigs(dir);
  const stages = stageSpecsFrom(configs);
  // Each stage through its own account (stage config `aws`), as deploy and promote read it.
  const targets = new Map<string, Target>(configs.map((c) => [c.name, stageTarget(target, c, flags.endpoint !== undefined)]));
  const clientsOf = clientsPerStage(target, configs, flags.endpoint !== undefined);
  const statuses = await readStageStatuses((stage) => clientsOf(stage), stages, await evidenceKeysForStatus(),
    (stage) => ({ cf: clientsOf(stage).cf, kvs: clientsOf(stage).kvs, stages }));
  const endpoint = describeTarget(target);
  const endpointOf = (stage: string) => describeTarget(targets.get(stage) ?? target);
  const own = (stage: string) => targets.get(stage) !== target && targets.get(stage) !== undefined;
  // The top line names the command's endpoint and the account its stages' functions belong to.
  // When every stage names its own access (a role for all through `defaults.aws`): the one account that the
  // stages read at the command's endpoint share.
  const accounts = new Set(statuses.filter((s) => s.account && endpointOf(s.stage) === endpoint).map((s) => s.account));
  const account = statuses.find((s) => !own(s.stage) && s.account)?.account ?? (accounts.size === 1 ? [...accounts][0] : undefined);
  if (flags.json) {
    process.stdout.write(JSON.stringify(statusJson(endpoint, account, statuses, endpointOf, (stage) => (stage ? targets.get(stage) ?? target : target).region), null, 2) + '\n');
    return;
  }
  process.stdout.write(`endpoint ${endpoint}${account ? `, account ${account}` : ''}\n`);
  const rows = [['stage', 'from', 'local', 'DEVELOPMENT', 'LIVE', 'evidence', 'gate']];
  for (const s of statuses) {
    rows.push([
      s.stage, s.promotesFrom ?? '-', shortSha(s.localCandidate), s.functionName ? shortSha(s.development) : 'not deployed', shortSha(s.live),
      evidenceSummary(s),
      `${s.gate.open ? 'open' : 'closed'}: ${s.gate.reason}`,
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) process.stdout.write(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd() + '\n');
  // A trust store CloudFront could not fill validates no certificate: its Reason is what to fix.
  for (const s of statuses.filter((x) => x.trustStore && x.trustStore.status !== 'active')) {
    const t = s.trustStore!;
    process.stdout.write(`${s.stage} trust store ${printable(t.name)} (${printable(t.id)}) is ${printable(t.status)}${t.reason ? `: ${printable(t.reason)}` : ''}\n`);
  }
  for (const s of statuses.filter((x) => own(x.stage))) {
    const t = targets.get(s.stage)!;
    process.stdout.write(`${s.stage} is read with its own access: endpoint ${endpointOf(s.stage)}${s.account ? `, account ${s.account}` : ''}`
      + `${t.profile ? `, profile ${t.profile}` : ''}${t.roleArn ? `, role ${t.roleArn}` : ''}\n`);
  }
}

export const statusCommand: CommandModule = {
  register(program: Command) {
    program.command('status')
      .description('each stage: candidate in DEVELOPMENT and LIVE, last evidence, and whether the local candidate may be promoted into it; names the endpoint (and account) it asked')
      .option('--endpoint <url>', 'CloudFront API endpoint, e.g. the emulator at http://127.0.0.1:4566 (default: $CONNGATE_ENDPOINT, else real AWS)')
      .option('--dir <path>', 'the cdktf project folder (cdktf.json, conngate.config.json)', '.')
      .option('--json', 'print the stable JSON shape documented in docs/orchestrator.md instead of a table')
      .addHelpText('after', '\nExamples:\n  conngate status --endpoint http://127.0.0.1:4566\n  conngate status --json | jq \'.stages[] | {stage, live, verified}\'')
      .action(async (flags: StatusFlags) => runStatus(flags));
  },
};
