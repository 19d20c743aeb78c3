import * as path from 'node:path';
import type { Command } from 'commander';
import { createS3Client, resolveTarget, describeTarget } from '../aws/clients';
import type { DoctorCheck } from '../doctor/stage-checks';
import { findStageConfig, loadStageConfigs } from '../stacks/stage-config';
import { stageTarget } from '../orchestrator/stage/stage-target';
import { runningInCi } from './deploy-preflight';
import type { CommandModule } from './command-module';

interface DoctorFlags { dir: string; endpoint?: string }

const MARK: Record<DoctorCheck['status'], string> = { pass: 'ok  ', warn: 'warn', fail: 'FAIL' };

/** One line per check: `ok   credentials: ...`, `FAIL origin: ... (fix: ...)`. */
export function formatDoctorCheck(c: DoctorCheck): string {
  return `${MARK[c.status]} ${c.check}: ${c.detail}${c.fix && c.status !== 'pass' ? ` (fix: ${c.fix})` : ''}`;
}

/** `conngate doctor [stage]`: read-only checks of what a deploy of the stage needs, each one line with its fix. */
export const doctorCommand: CommandModule = {
  register(program: Command) {
    program
      .command('doctor')
      .description('check, without changing anything, what a deploy of a stage needs: credentials, backend, CA bundle, origin, evidence key, IAM permissions, Node')
      .argument('[stage]', 'the stage (default: the first one)')
      .option('--dir <path>', 'the project folder (conngate.config.json)', '.')
      .option('--endpoint <url>', 'the emulator instead of AWS (default: $CONNGATE_ENDPOINT, else real AWS)')
      .addHelpText('after', '\nExits 1 when a check fails (warnings do not). Examples:\n  conngate doctor dev\n  conngate doctor prod --dir infra/mtls\n')
      .action(async (stage: string | undefined, flags: DoctorFlags) => {
        const configs = loadStageConfigs(path.resolve(flags.dir));
        const config = stage ? findStageConfig(configs, stage) : configs[0];
        const base = resolveTarget({ endpoint: flags.endpoint });
        const target = stageTarget(base, config, flags.endpoint !== undefined);
        // Loaded here: the STS and IAM SDKs would otherwise slow every command's start.
        const { createIamClient, createStsClient } = require('../aws/identity-clients') as typeof import('../aws/identity-clients');
        const { runDoctorChecks } = require('../doctor/stage-checks') as typeof import('../doctor/stage-checks');
        const sts = createStsClient(target);
        const iam = target.endpoint ? undefined : createIamClient(target);
        const s3 = new Map<string, ReturnType<typeof createS3Client>>();
        const s3For = (region: string) => {
          if (!s3.has(region)) s3.set(region, createS3Client({ ...target, region }));
          return s3.get(region)!;
        };
        process.stdout.write(`conngate doctor ${config.name}: ${describeTarget(target)}, region ${config.region}\n`);
        try {
          const checks = await runDoctorChecks({
            config, ...(target.endpoint ? { endpoint: target.endpoint } : {}), sts, s3: s3For, ...(iam ? { iam } : {}), env: process.env,
            nodeVersion: process.versions.node, terminal: { isTTY: process.stdout.isTTY === true, columns: process.stdout.columns }, ci: runningInCi(),
          });
          for (const c of checks) process.stdout.write(`${formatDoctorCheck(c)}\n`);
          const failed = checks.filter((c) => c.status === 'fail').length;
          process.stdout.write(failed === 0 ? `all checks passed for ${config.name}\n` : `${failed} check(s) failed for ${config.name}\n`);
          process.exitCode = failed === 0 ? 0 : 1;
        } finally {
          sts.destroy();
          iam?.destroy();
          for (const c of s3.values()) c.destroy();
        }
      });
  },
};
