import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../aws/clients';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { makeCa } from '../revocation/openssl-pki';
import { PROJECT_DIR, runCli, type CliResult } from '../support/conngate-cli';

const EVIDENCE_KEY = 'init-ci-runs-evidence-key-not-secret';

/**
 * `npm ci` in a fresh checkout: conngate installed into node_modules (here linked to this build) and the app run
 * the way cdktf runs it (tsx, without npx fetching anything).
 */
function installConngate(dir: string): void {
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  fs.symlinkSync(PROJECT_DIR, path.join(dir, 'node_modules', 'conngate'), 'dir');
  const cdktf = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.json'), 'utf8'));
  cdktf.app = `"${process.execPath}" "${require.resolve('tsx/cli', { paths: [PROJECT_DIR] })}" main.ts`;
  fs.writeFileSync(path.join(dir, 'cdktf.json'), JSON.stringify(cdktf, null, 2));
}

// The project `conngate init` writes for an S3 backend, run by its own CI workflow twice, each time from a fresh
// copy of the folder (as two CI runs check out the repository): the second run finds what the first applied in the
// backend and creates nothing.
describe('conngate init with an S3 backend: two CI runs of its workflow', () => {
  let emu: RunningEmulator;
  let s3: S3Client;
  let tmp: string;
  const served: string[] = [];

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, onOperation: (op) => served.push(op) });
    s3 = createS3Client({ endpoint: emu.endpoint, region: 'us-east-1' });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-init-ci-'));
    const ca = makeCa(tmp, 'client-ca');
    // What the README's first steps make: the state bucket, and the CA bundle in its bucket.
    await s3.send(new CreateBucketCommand({ Bucket: 'acme-tfstate' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'acme-mtls' }));
    await s3.send(new PutObjectCommand({ Bucket: 'acme-mtls', Key: 'ca-bundle.pem', Body: fs.readFileSync(ca.certFile) }));
  });
  afterAll(async () => {
    s3?.destroy();
    await emu?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('writes the backend into the config and the workflow, and the second run converges without creating anything', async () => {
    const repo = path.join(tmp, 'repo');
    const init = await runCli(['init', repo, '--backend', 's3', '--state-bucket', 'acme-tfstate', '--origin', 'api.acme.net',
      '--ca-bundle', 's3://acme-mtls/ca-bundle.pem', '--ca-bundle-version', 'v1']);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(repo, 'conngate.config.json'), 'utf8'));
    expect(config.defaults).toMatchObject({ backend: { type: 's3', bucket: 'acme-tfstate' }, origin: { domainName: 'api.acme.net' },
      mtls: { trustStore: { caBundle: { bucket: 'acme-mtls', key: 'ca-bundle.pem', version: 'v1' } } } });
    const workflowText = fs.readFileSync(path.join(repo, '.github', 'workflows', 'conngate.yml'), 'utf8');
    expect(workflowText).not.toMatch(/(?<!\$)\{\{/);
    const workflow = parseYaml(workflowText) as { jobs: Record<string, { steps: { run?: string; with?: Record<string, unknown> }[] }> };
    const deploySteps = workflow.jobs['deploy-dev'].steps;
    expect(deploySteps.find((s) => s.with?.['aws-region'])?.with?.['aws-region']).toBe('us-east-1');
    const runs = deploySteps.map((s) => s.run).filter((r): r is string => !!r);
    expect(runs).toEqual(['npm ci', 'npx conngate doctor dev', 'npx conngate deploy dev']);

    const ciRun = async (n: number): Promise<CliResult[]> => {
      const checkout = path.join(tmp, `checkout-${n}`);
      fs.cpSync(repo, checkout, { recursive: true });
      const results: CliResult[] = [];
      for (const cmd of runs) {
        if (cmd === 'npm ci') { installConngate(checkout); continue; }
        const args = cmd.replace(/^npx conngate /, '').split(' ');
        results.push(await runCli(args, { cwd: checkout, env: { CI: 'true', CONNGATE_ENDPOINT: emu.endpoint, CONNGATE_EVIDENCE_KEY: EVIDENCE_KEY } }));
      }
      return results;
    };

    const first = await ciRun(1);
    for (const r of first) expect({ code: r.code, stderr: r.stderr.split('\n').filter((l) => l.startsWith('conngate:')) }).toEqual({ code: 0, stderr: [] });
    expect(first[0].stdout).toMatch(/all checks passed for dev/);
    expect(served.filter((op) => /:Create/.test(op) && op !== 's3:CreateBucket').sort())
      .toEqual(['cloudfront:CreateConnectionFunction', 'cloudfront:CreateDistribution', 'cloudfront:CreateKeyValueStore', 'cloudfront:CreateTrustStore']);
    // The stand-in's state is where the backend says, not in the (thrown away) checkout.
    const state = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: 'acme-tfstate', Key: 'conngate/dev/terraform.tfstate' }))).Body!.transformToString());
    expect(Object.keys(state.resources).map((a) => a.split('.')[0]).sort()).toEqual(expect.arrayContaining([
      'aws_cloudfront_connection_function', 'aws_cloudfront_distribution', 'aws_cloudfront_key_value_store', 'aws_cloudfront_trust_store']));
    expect(fs.existsSync(path.join(tmp, 'checkout-1', '.conngate', 'local-state'))).toBe(false);

    served.length = 0;
    const second = await ciRun(2);
    for (const r of second) expect({ code: r.code, stderr: r.stderr.split('\n').filter((l) => l.startsWith('conngate:')) }).toEqual({ code: 0, stderr: [] });
    expect(served.filter((op) => /:(Create|Delete)/.test(op))).toEqual([]);
    expect(served).toContain('s3:GetObject');
  }, 600_000);

  it('refuses a deploy to AWS in CI with a local backend, and placeholders, in one line before anything runs', async () => {
    const repo = path.join(tmp, 'local-repo');
    const init = await runCli(['init', repo]);
    expect(init.code).toBe(0);
    expect(init.stderr).toMatch(/state backend: local/);
    const env = { CI: 'true', CONNGATE_EVIDENCE_KEY: EVIDENCE_KEY, CONNGATE_ENDPOINT: '', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x', AWS_EC2_METADATA_DISABLED: 'true' };
    const before = fs.readdirSync(repo, { recursive: true }).map(String).sort();
    const r = await runCli(['deploy', 'dev'], { cwd: repo, env });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^conngate: conngate\.config\.json stages\.dev\.backend: a local Terraform backend in CI: .* \(fix: .*conngate init --backend s3/)]);
    expect(fs.readdirSync(repo, { recursive: true }).map(String).sort()).toEqual(before);

    const s3Repo = path.join(tmp, 's3-repo');
    expect((await runCli(['init', s3Repo, '--backend', 's3', '--state-bucket', 'acme-tfstate'])).code).toBe(0);
    const p = await runCli(['deploy', 'dev'], { cwd: s3Repo, env });
    expect(p.code).toBe(2);
    expect(p.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^conngate: conngate\.config\.json stages\.dev\.origin\.domainName: origin "example\.com" is a placeholder; a deploy to AWS needs your own value; and 1 more placeholder\(s\): .*mtls\.trustStore\.caBundle \(fix: /)]);
  }, 120_000);
});
