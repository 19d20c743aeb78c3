import type { Command } from 'commander';
import { UserError } from '../diagnostics/user-error';
import { POLICY_KINDS, type PolicyKind } from '../iam/pipeline-operations';
import { stagePolicy } from '../iam/stage-policy';
import { findStageConfig, loadStageConfigs } from '../stacks/stage-config';
import type { CommandModule } from './command-module';
import * as path from 'node:path';

interface IamPolicyFlags { dir: string; account?: string; crl?: string[] }

/** `conngate iam-policy <kind> [stage]`: the least-privilege IAM policy a kind of run needs on one stage. */
export const iamPolicyCommand: CommandModule = {
  register(program: Command) {
    program
      .command('iam-policy')
      .description('print the least-privilege IAM policy (JSON) that deploy, verify, revocations sync or the run task needs on a stage')
      .argument('<kind>', `what the role runs: ${POLICY_KINDS.join(', ')}`)
      .argument('[stage]', 'the stage (default: the first one)')
      .option('--dir <path>', 'the project folder (conngate.config.json)', '.')
      .option('--account <id>', 'the stage\'s AWS account id (default: the one of aws.roleArn, else any)')
      .option('--crl <s3-url...>', 'for sync: the s3:// CRL sources the role reads')
      .addHelpText('after', '\nThe policy lists exactly the calls conngate (and, for deploy, Terraform\'s S3 backend and CloudFront reading the CA\n'
        + 'bundle) makes; with CONNGATE_EVIDENCE_KMS_KEY_ID set it adds kms:Sign and kms:GetPublicKey on that key.\n'
        + '\nExamples:\n  conngate iam-policy deploy dev > deploy-dev.json\n  conngate iam-policy sync prod --crl s3://acme-pki/crl/ca.crl\n'
        + '  aws iam put-role-policy --role-name conngate-deploy --policy-name conngate --policy-document file://deploy-dev.json\n')
      .action((kind: string, stage: string | undefined, flags: IamPolicyFlags) => {
        if (!(POLICY_KINDS as readonly string[]).includes(kind)) {
          throw new UserError(`iam-policy ${kind}`, 'unknown kind of run', `use one of: ${POLICY_KINDS.join(', ')}`);
        }
        if (flags.account !== undefined && !/^\d{12}$/.test(flags.account)) {
          throw new UserError('--account', `"${flags.account}" is not a 12-digit AWS account id`, 'pass e.g. --account 123456789012');
        }
        for (const u of flags.crl ?? []) {
          if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+/.test(u)) throw new UserError('--crl', `"${u}" is not an s3:// URL`, 'pass s3://<bucket>/<key>');
        }
        const configs = loadStageConfigs(path.resolve(flags.dir));
        const config = stage ? findStageConfig(configs, stage) : configs[0];
        const policy = stagePolicy(kind as PolicyKind, config, {
          account: flags.account, crlSources: flags.crl, evidenceKmsKeyId: process.env.CONNGATE_EVIDENCE_KMS_KEY_ID || undefined,
        });
        process.stdout.write(`${JSON.stringify(policy, null, 2)}\n`);
      });
  },
};
