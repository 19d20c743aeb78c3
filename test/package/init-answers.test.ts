import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initAnswersFromFlags, renderStageConfig, renderWorkflow, wantsPrompts } from '../../cli/init-answers';
import { resolveStageConfigs } from '../../stacks/stage-config';
import { PROJECT_DIR, runCli } from '../support/conngate-cli';

const template = (f: string) => fs.readFileSync(path.join(PROJECT_DIR, 'templates', 'project', f), 'utf8');

// `conngate init`'s answers: every bad flag is one line naming it, before anything is written; what it writes
// is a config the stage loader accepts and a workflow for the chosen backend.
describe('conngate init answers', () => {
  it('asks only in a terminal and only when no answer came as a flag', () => {
    expect(wantsPrompts({}, { isTTY: true })).toBe(true);
    expect(wantsPrompts({}, { isTTY: false })).toBe(false);
    expect(wantsPrompts({}, {})).toBe(false);
    expect(wantsPrompts({ origin: 'api.acme.net' }, { isTTY: true })).toBe(false);
    expect(wantsPrompts({ force: true }, { isTTY: true })).toBe(true);
  });

  it.each([
    [{ backend: 's3' }, /^--backend s3: needs the state bucket/],
    [{ backend: 'dynamo' }, /^--backend: "dynamo" is not a backend/],
    [{ stateBucket: 'Bad_Bucket' }, /^--state-bucket: "Bad_Bucket" is not an S3 bucket name/],
    [{ backend: 'cloud' }, /^--backend cloud: needs the HCP Terraform organization/],
    [{ backend: 'cloud', hcpOrganization: 'acme', stateBucket: 'acme-tfstate' }, /^--state-bucket: only the s3 backend takes it/],
    [{ stateBucket: 'acme-tfstate', hcpOrganization: 'acme' }, /^--hcp-organization: only the cloud backend takes it/],
    [{ region: 'europe' }, /^--region: "europe" is not an AWS region/],
    [{ origin: 'https://api.acme.net/' }, /^--origin: "https:\/\/api\.acme\.net\/" is not a host name .*no https:\/\//],
    [{ caBundle: 'https://acme/ca.pem' }, /^--ca-bundle: "https:\/\/acme\/ca\.pem" is not an S3 location/],
    [{ caBundle: 's3://acme-mtls/ca-bundle.pem' }, /^--ca-bundle: CA bundle s3 key "ca-bundle\.pem" has no object version/],
    [{ caBundleVersion: 'v1' }, /^--ca-bundle-version: a version without a bundle/],
  ])('refuses %j in one line', (flags, message) => {
    expect(() => initAnswersFromFlags(flags)).toThrow(message);
  });

  it('writes a config the stage loader accepts, with the backend in every stage, and the workflow for it', () => {
    const s3 = initAnswersFromFlags({ stateBucket: 'acme-tfstate', region: 'eu-west-1', origin: 'api.acme.net', caBundle: 's3://acme-mtls/ca-bundle.pem', caBundleVersion: 'v1' });
    expect(s3.placeholders).toEqual([]);
    const stages = resolveStageConfigs(JSON.parse(renderStageConfig(template('conngate.config.json'), s3)), os.tmpdir());
    expect(stages.map((s) => [s.name, s.backend, s.region, s.origin.domainName])).toEqual(['dev', 'staging', 'prod'].map((n) => [n,
      { type: 's3', bucket: 'acme-tfstate', key: `conngate/${n}/terraform.tfstate`, region: 'eu-west-1', encrypt: true }, 'eu-west-1', 'api.acme.net']));
    const s3Workflow = renderWorkflow(template('conngate-workflow.yml'), s3);
    expect(s3Workflow).toMatch(/# Terraform state: S3 bucket acme-tfstate \(lock file use_lockfile/);
    expect(s3Workflow).toMatch(/aws-region: eu-west-1\n/);

    const cloud = initAnswersFromFlags({ backend: 'cloud', hcpOrganization: 'acme' });
    expect(resolveStageConfigs(JSON.parse(renderStageConfig(template('conngate.config.json'), cloud)), os.tmpdir()).map((s) => s.backend))
      .toEqual(['dev', 'staging', 'prod'].map((n) => ({ type: 'cloud', organization: 'acme', workspace: `conngate-${n}`, hostname: 'app.terraform.io' })));
    const wf = renderWorkflow(template('conngate-workflow.yml'), cloud);
    expect(wf.match(/TF_TOKEN_app_terraform_io: \$\{\{ secrets\.TF_API_TOKEN \}\}/g)).toHaveLength(2);
    expect(cloud.placeholders).toHaveLength(2);

    const local = initAnswersFromFlags({});
    expect(local.placeholders.map((p) => p.split(':')[0])).toEqual(['state backend', 'origin', 'CA bundle']);
    expect(renderWorkflow(template('conngate-workflow.yml'), local)).toMatch(/local: NOT kept between CI runs/);
  });

  it('refuses a bad flag from the command line with exit 2 and writes nothing', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-init-answers-'));
    try {
      const r = await runCli(['init', path.join(tmp, 'p'), '--backend', 's3']);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^conngate: --backend s3: needs the state bucket \(fix: pass --state-bucket/)]);
      expect(fs.existsSync(path.join(tmp, 'p'))).toBe(false);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
