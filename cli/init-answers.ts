import * as readline from 'node:readline/promises';
import { UserError } from '../diagnostics/user-error';
import { checkCaBundleRotates } from '../modules/ca-bundle-rotation';

/** `conngate init`'s flags. */
export interface InitFlags {
  force?: boolean;
  backend?: string;
  stateBucket?: string;
  stateRegion?: string;
  hcpOrganization?: string;
  hcpHostname?: string;
  region?: string;
  origin?: string;
  caBundle?: string;
  caBundleVersion?: string;
}

/** What the new project's config and workflow are made from. */
export interface InitAnswers {
  backend: { type: 'local' } | { type: 's3'; bucket: string; region?: string } | { type: 'cloud'; organization: string; hostname: string };
  region: string;
  origin?: string;
  caBundle?: { bucket: string; key: string; version?: string };
  /** One line per value left as a placeholder (printed after the files are written). */
  placeholders: string[];
}

const ANSWER_FLAGS: (keyof InitFlags)[] = ['backend', 'stateBucket', 'stateRegion', 'hcpOrganization', 'hcpHostname', 'region', 'origin', 'caBundle', 'caBundleVersion'];
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const HOST = /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;

/** Prompts only in a terminal and only when no answer came as a flag: a script or CI never waits on a question. */
export function wantsPrompts(flags: InitFlags, stdin: { isTTY?: boolean }): boolean {
  return stdin.isTTY === true && ANSWER_FLAGS.every((k) => flags[k] === undefined);
}

/** Checks the flags (one-line errors, before anything is written) and turns them into answers. */
export function initAnswersFromFlags(flags: InitFlags): InitAnswers {
  const placeholders: string[] = [];
  const region = flags.region ?? 'us-east-1';
  if (!REGION.test(region)) throw new UserError('--region', `"${region}" is not an AWS region`, 'pass e.g. --region us-east-1');
  const type = flags.backend ?? (flags.stateBucket ? 's3' : flags.hcpOrganization ? 'cloud' : 'local');
  let backend: InitAnswers['backend'];
  if (type === 's3') {
    if (!flags.stateBucket) throw new UserError('--backend s3', 'needs the state bucket', 'pass --state-bucket <bucket> (an existing, versioned S3 bucket)');
    if (!BUCKET.test(flags.stateBucket)) throw new UserError('--state-bucket', `"${flags.stateBucket}" is not an S3 bucket name`, 'use 3-63 lowercase letters, digits, "." and "-"');
    if (flags.stateRegion !== undefined && !REGION.test(flags.stateRegion)) throw new UserError('--state-region', `"${flags.stateRegion}" is not an AWS region`, 'pass e.g. --state-region us-east-1');
    backend = { type: 's3', bucket: flags.stateBucket, ...(flags.stateRegion ? { region: flags.stateRegion } : {}) };
  } else if (type === 'cloud') {
    if (!flags.hcpOrganization) throw new UserError('--backend cloud', 'needs the HCP Terraform organization', 'pass --hcp-organization <org>');
    const hostname = flags.hcpHostname ?? 'app.terraform.io';
    if (!HOST.test(hostname)) throw new UserError('--hcp-hostname', `"${hostname}" is not a host name`, 'pass e.g. --hcp-hostname app.terraform.io');
    backend = { type: 'cloud', organization: flags.hcpOrganization, hostname };
  } else if (type === 'local') {
    backend = { type: 'local' };
    placeholders.push('state backend: local (the emulator only; a deploy in CI refuses it) (fix: --backend s3 --state-bucket <bucket>, or --backend cloud --hcp-organization <org>)');
  } else {
    throw new UserError('--backend', `"${type}" is not a backend`, 'pass --backend s3, cloud or local');
  }
  for (const [flag, v] of [['--state-bucket', flags.stateBucket], ['--state-region', flags.stateRegion]] as const) {
    if (v !== undefined && backend.type !== 's3') throw new UserError(flag, `only the s3 backend takes it (the backend is ${backend.type})`, `drop ${flag} or pass --backend s3`);
  }
  for (const [flag, v] of [['--hcp-organization', flags.hcpOrganization], ['--hcp-hostname', flags.hcpHostname]] as const) {
    if (v !== undefined && backend.type !== 'cloud') throw new UserError(flag, `only the cloud backend takes it (the backend is ${backend.type})`, `drop ${flag} or pass --backend cloud`);
  }
  let origin: string | undefined;
  if (flags.origin !== undefined) {
    origin = flags.origin.trim();
    if (!HOST.test(origin)) throw new UserError('--origin', `"${flags.origin}" is not a host name`, 'give the bare host name of your HTTPS origin, e.g. api.example.net (no https://, no path)');
  } else {
    placeholders.push('origin: example.com, a placeholder (fix: edit origin.domainName in conngate.config.json, or re-run init with --origin <host> --force)');
  }
  let caBundle: InitAnswers['caBundle'];
  if (flags.caBundle !== undefined) {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(flags.caBundle.trim());
    if (!m || !BUCKET.test(m[1])) throw new UserError('--ca-bundle', `"${flags.caBundle}" is not an S3 location`, 'pass s3://<bucket>/<key>, e.g. s3://acme-mtls/ca-bundle.pem');
    caBundle = { bucket: m[1], key: m[2], ...(flags.caBundleVersion ? { version: flags.caBundleVersion } : {}) };
    checkCaBundleRotates(caBundle, '--ca-bundle');
  } else if (flags.caBundleVersion !== undefined) {
    throw new UserError('--ca-bundle-version', 'a version without a bundle', 'pass --ca-bundle s3://<bucket>/<key> too');
  } else {
    placeholders.push('CA bundle: none, the built-in placeholder location (fix: upload your client CA bundle to a versioned bucket and re-run init with --ca-bundle s3://<bucket>/<key> --ca-bundle-version <id> --force)');
  }
  return { backend, region, ...(origin ? { origin } : {}), ...(caBundle ? { caBundle } : {}), placeholders };
}

/** Asks for what the flags did not say, in a terminal; an empty answer keeps the default shown. */
export async function askInitAnswers(flags: InitFlags): Promise<InitAnswers> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  const ask = async (q: string, dflt?: string) => (await rl.question(`${q}${dflt ? ` [${dflt}]` : ''}: `)).trim() || dflt || undefined;
  try {
    const f: InitFlags = { ...flags };
    f.backend = await ask('Terraform state backend: s3, cloud (HCP Terraform) or local (emulator only)', 's3');
    if (f.backend === 's3') f.stateBucket = await ask('State bucket (an existing S3 bucket, versioning on)');
    if (f.backend === 'cloud') f.hcpOrganization = await ask('HCP Terraform organization');
    f.region = await ask('AWS region', 'us-east-1');
    f.origin = await ask('Origin host name (your HTTPS backend; empty = placeholder)');
    f.caBundle = await ask('Client CA bundle in S3, s3://<bucket>/<key> (empty = placeholder)');
    if (f.caBundle) f.caBundleVersion = await ask('Its S3 object version id (empty when the key holds the SHA-256)');
    return initAnswersFromFlags(f);
  } finally {
    rl.close();
  }
}

/** The project's conngate.config.json: the template with the answers in its defaults (so every stage uses them). */
export function renderStageConfig(template: string, a: InitAnswers): string {
  const doc = JSON.parse(template) as { defaults: Record<string, unknown> };
  const backend = a.backend.type === 'local' ? undefined : a.backend.type === 'cloud' && a.backend.hostname === 'app.terraform.io'
    ? { type: 'cloud', organization: a.backend.organization } : a.backend;
  doc.defaults = {
    ...doc.defaults,
    region: a.region,
    ...(backend ? { backend } : {}),
    ...(a.origin ? { origin: { domainName: a.origin } } : {}),
    ...(a.caBundle ? { mtls: { trustStore: { caBundle: a.caBundle } } } : {}),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** The CI workflow: the region, and what the backend needs (an HCP Terraform token; S3 uses the AWS role). */
export function renderWorkflow(template: string, a: InitAnswers): string {
  const note = a.backend.type === 's3'
    ? `S3 bucket ${a.backend.bucket} (lock file use_lockfile; the AWS role needs access to it).`
    : a.backend.type === 'cloud'
      ? `HCP Terraform organization ${a.backend.organization}, one workspace per stage (conngate-<stage>, execution mode local); set the secret TF_API_TOKEN.`
      : 'local: NOT kept between CI runs, so `conngate deploy` refuses to run here; re-run `conngate init --backend s3 ... --force`.';
  const env = a.backend.type === 'cloud' ? `\n          TF_TOKEN_${a.backend.hostname.replace(/[.-]/g, '_')}: \${{ secrets.TF_API_TOKEN }}` : '';
  return template.replaceAll('{{AWS_REGION}}', a.region).replaceAll('{{BACKEND_NOTE}}', note).replaceAll('{{BACKEND_ENV}}', env);
}
