import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetObjectCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { SimulatePrincipalPolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { evidenceKeyringFromEnv } from '../orchestrator/signing/evidence-keys';
import { policyActions, stagePolicy } from '../iam/stage-policy';
import type { StageConfig } from '../stacks/stage-config';
import { stagePlaceholders } from '../stacks/stage-placeholders';
import { checkCaBundle } from '../emulator/control-plane/ca-bundle-check';

/** One line of `conngate doctor`: a check, what it found, and on failure how to fix it. */
export interface DoctorCheck {
  check: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

export interface DoctorContext {
  config: StageConfig;
  /** The emulator's URL when the stage targets one (its IAM is not checked). */
  endpoint?: string;
  sts: STSClient;
  /** Clients per region (the state bucket and the CA bundle may each be in their own). */
  s3(region: string): S3Client;
  /** The policy simulator; absent against the emulator, which has no IAM. */
  iam?: IAMClient;
  env: NodeJS.ProcessEnv;
  nodeVersion: string;
  terminal: { isTTY: boolean; columns?: number };
  /** True in a CI run (a local backend then loses its state). */
  ci: boolean;
}

const sdkWhat = (e: unknown) => {
  const err = e as Error & { name?: string };
  return `${err?.name ?? 'Error'}: ${String(err?.message ?? e).split('\n')[0]}`;
};

async function credentials(ctx: DoctorContext): Promise<{ check: DoctorCheck; arn?: string }> {
  try {
    const who = await ctx.sts.send(new GetCallerIdentityCommand({}));
    return { check: { check: 'credentials', status: 'pass', detail: `account ${who.Account} as ${who.Arn}` }, arn: who.Arn };
  } catch (e) {
    return { check: { check: 'credentials', status: 'fail', detail: `no usable AWS credentials (${sdkWhat(e)})`,
      fix: 'set AWS_PROFILE or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or assume the deploy role (in CI: aws-actions/configure-aws-credentials)' } };
  }
}

async function backend(ctx: DoctorContext): Promise<DoctorCheck> {
  const b = ctx.config.backend;
  if (b.type === 'local') {
    return ctx.ci && !ctx.endpoint
      ? { check: 'backend', status: 'fail', detail: `local state file ${b.path} in CI: lost after this run`, fix: 'use an S3 or HCP Terraform backend: conngate init --backend s3 --state-bucket <bucket> --force' }
      : { check: 'backend', status: 'pass', detail: `local state file ${b.path}${ctx.endpoint ? '' : ' (this machine only; deploy refuses it in CI)'}` };
  }
  if (b.type === 's3') {
    try {
      await ctx.s3(b.region).send(new HeadBucketCommand({ Bucket: b.bucket }));
      return { check: 'backend', status: 'pass', detail: `S3 bucket ${b.bucket} reachable (state s3://${b.bucket}/${b.key}, lock file)` };
    } catch (e) {
      const missing = (e as Error).name === 'NotFound' || (e as Error).name === 'NoSuchBucket';
      return { check: 'backend', status: 'fail', detail: missing ? `state bucket ${b.bucket} does not exist` : `state bucket ${b.bucket} not reachable (${sdkWhat(e)})`,
        fix: missing ? `create it with versioning on (aws s3api create-bucket --bucket ${b.bucket}; aws s3api put-bucket-versioning --bucket ${b.bucket} --versioning-configuration Status=Enabled)`
          : `grant s3:ListBucket on arn:aws:s3:::${b.bucket} (conngate iam-policy deploy ${ctx.config.name})` };
    }
  }
  const tokenVar = `TF_TOKEN_${b.hostname.replace(/[.-]/g, '_')}`;
  const credsFile = path.join(ctx.env.HOME ?? os.homedir(), '.terraform.d', 'credentials.tfrc.json');
  const hasToken = !!ctx.env[tokenVar] || (fs.existsSync(credsFile) && fs.readFileSync(credsFile, 'utf8').includes(`"${b.hostname}"`));
  return hasToken
    ? { check: 'backend', status: 'pass', detail: `HCP Terraform ${b.hostname} organization ${b.organization}, workspace ${b.workspace} (token present; not contacted)` }
    : { check: 'backend', status: 'fail', detail: `no HCP Terraform token for ${b.hostname}`, fix: `set ${tokenVar} (in CI from the secret TF_API_TOKEN), or run terraform login ${b.hostname}` };
}

async function caBundle(ctx: DoctorContext): Promise<DoctorCheck> {
  const ts = ctx.config.mtls.trustStore;
  if (ts.type === 'none') return { check: 'trust store', status: 'pass', detail: 'passthrough mode: no trust store' };
  if (ts.type === 'existing') return { check: 'trust store', status: 'pass', detail: `existing trust store ${ts.trustStoreId} (managed elsewhere)` };
  const where = `s3://${ts.bucket}/${ts.key}${ts.version ? ` version ${ts.version}` : ''}`;
  if (ts.placeholder) {
    return { check: 'trust store', status: 'fail', detail: `no CA bundle configured (the default ${where} is a placeholder)`, fix: stagePlaceholders(ctx.config).find((p) => p.where.endsWith('caBundle'))!.fix };
  }
  let body: Buffer;
  try {
    const out = await ctx.s3(ts.region).send(new GetObjectCommand({ Bucket: ts.bucket, Key: ts.key, ...(ts.version ? { VersionId: ts.version } : {}) }));
    body = Buffer.from(await out.Body!.transformToByteArray());
  } catch (e) {
    return { check: 'trust store', status: 'fail', detail: `CA bundle ${where} not readable (${sdkWhat(e)})`,
      fix: `upload the bundle to a versioned bucket (aws s3api put-object --bucket ${ts.bucket} --key ${ts.key} --body ca-bundle.pem) and set caBundle.version to the VersionId it prints` };
  }
  // CloudFront's own checks (size, count, parse, chain depth), then that every certificate is a CA.
  const checked = checkCaBundle(body);
  try {
    if ('reason' in checked) throw new Error(checked.reason);
    const notCa = checked.certs.filter((c) => !c.ca);
    if (notCa.length > 0) throw new Error(`${notCa[0].subject.replace(/\n/g, ', ')} is not a CA certificate`);
    return { check: 'trust store', status: 'pass', detail: `CA bundle ${where}: ${checked.certs.length} CA certificate(s)` };
  } catch (e) {
    return { check: 'trust store', status: 'fail', detail: `CA bundle ${where} does not parse: ${(e as Error).message.split('\n')[0]}`, fix: 'upload a PEM file of your client CA certificates (BEGIN CERTIFICATE blocks) as a new version' };
  }
}

function origin(ctx: DoctorContext): DoctorCheck {
  const p = stagePlaceholders(ctx.config).find((x) => x.where.endsWith('origin.domainName'));
  return p ? { check: 'origin', status: 'fail', detail: p.what, fix: p.fix } : { check: 'origin', status: 'pass', detail: ctx.config.origin.domainName };
}

async function evidenceKey(ctx: DoctorContext): Promise<DoctorCheck> {
  try {
    const keyring = await evidenceKeyringFromEnv(ctx.env);
    return { check: 'evidence key', status: 'pass', detail: `signing key ${keyring.signer.keyId} present` };
  } catch (e) {
    return { check: 'evidence key', status: 'fail', detail: (e as Error).message.replace(/ \(fix: .*\)$/, ''),
      fix: 'set CONNGATE_EVIDENCE_KEY (openssl rand -base64 32; in CI a repository secret), CONNGATE_EVIDENCE_KEY_FILE or CONNGATE_EVIDENCE_KMS_KEY_ID' };
  }
}

/** An assumed-role session ARN names its role; the simulator takes the role. */
function principalArn(arn: string): string {
  const m = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : arn;
}

async function permissions(ctx: DoctorContext, callerArn: string | undefined): Promise<DoctorCheck> {
  const actions = policyActions(stagePolicy('deploy', ctx.config, { evidenceKmsKeyId: ctx.env.CONNGATE_EVIDENCE_KMS_KEY_ID || undefined }));
  const listed = `conngate iam-policy deploy ${ctx.config.name}`;
  if (!ctx.iam) return { check: 'IAM permissions', status: 'pass', detail: `emulator: any credentials pass; on AWS the role needs the ${actions.length} actions of \`${listed}\`` };
  if (!callerArn) return { check: 'IAM permissions', status: 'warn', detail: `not checked without credentials; the role needs: ${actions.join(' ')}`, fix: `attach \`${listed}\`` };
  try {
    const out = await ctx.iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: principalArn(callerArn), ActionNames: actions }));
    const denied = (out.EvaluationResults ?? []).filter((r) => r.EvalDecision !== 'allowed').map((r) => r.EvalActionName ?? '?');
    return denied.length === 0
      ? { check: 'IAM permissions', status: 'pass', detail: `all ${actions.length} actions the pipeline calls are allowed (policy simulator)` }
      : { check: 'IAM permissions', status: 'fail', detail: `denied by the policy simulator: ${denied.join(' ')}`, fix: `attach the policy \`${listed}\` prints to ${principalArn(callerArn)}` };
  } catch (e) {
    return { check: 'IAM permissions', status: 'warn', detail: `policy simulator not allowed (${sdkWhat(e)}); the role needs: ${actions.join(' ')}`,
      fix: `compare with \`${listed}\`, or allow iam:SimulatePrincipalPolicy on the role` };
  }
}

function runtime(ctx: DoctorContext): DoctorCheck[] {
  const major = Number(ctx.nodeVersion.replace(/^v/, '').split('.')[0]);
  // 20 still runs conngate but is past its end of life (and the AWS SDK drops it in January 2027): a warning.
  const node: DoctorCheck = major >= 22
    ? { check: 'Node', status: 'pass', detail: `Node ${ctx.nodeVersion}` }
    : { check: 'Node', status: major >= 20 ? 'warn' : 'fail', detail: `Node ${ctx.nodeVersion}; conngate supports 22 or later`,
      fix: 'install Node 22 or later (in CI: actions/setup-node with node-version: 22)' };
  const t = ctx.terminal;
  const term: DoctorCheck = !t.isTTY
    ? { check: 'terminal', status: 'pass', detail: 'not a terminal: progress as plain lines' }
    : t.columns && t.columns > 0
      ? { check: 'terminal', status: 'pass', detail: `terminal ${t.columns} columns${ctx.env.TERM ? `, TERM=${ctx.env.TERM}` : ''}` }
      : { check: 'terminal', status: 'warn', detail: 'terminal reports width 0: progress falls back to plain lines', fix: 'resize the terminal, or pass --quiet' };
  return [node, term];
}

/** Every check of `conngate doctor`, in order; read-only (Get/Head/List calls and the policy simulator only). */
export async function runDoctorChecks(ctx: DoctorContext): Promise<DoctorCheck[]> {
  const who = await credentials(ctx);
  const [b, ts, key, perms] = await Promise.all([backend(ctx), caBundle(ctx), evidenceKey(ctx), permissions(ctx, who.arn)]);
  return [who.check, b, ts, origin(ctx), key, perms, ...runtime(ctx)];
}
