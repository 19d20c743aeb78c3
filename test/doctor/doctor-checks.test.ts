import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../aws/clients';
import { createIamClient, createStsClient } from '../../aws/identity-clients';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { runDoctorChecks, type DoctorCheck, type DoctorContext } from '../../doctor/stage-checks';
import { formatDoctorCheck } from '../../cli/doctor';
import { resolveStageConfigs } from '../../stacks/stage-config';
import { makeCa, tempDir } from '../revocation/openssl-pki';

// `conngate doctor` against the emulator: a ready stage passes every check, and each broken thing fails its own
// check, in one line with its fix, while the others still pass.
describe('conngate doctor checks', () => {
  let emu: RunningEmulator;
  let s3: S3Client;
  let dir: string;
  let iamServer: http.Server;
  let iamRequests: string[] = [];
  const served: string[] = [];
  const target = () => ({ endpoint: emu.endpoint, region: 'us-east-1', maxAttempts: 1 });

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, onOperation: (op) => served.push(op) });
    s3 = createS3Client(target());
    dir = tempDir('conngate-doctor-');
    const ca = makeCa(dir, 'client-ca');
    await s3.send(new CreateBucketCommand({ Bucket: 'acme-tfstate' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'acme-mtls' }));
    await s3.send(new PutObjectCommand({ Bucket: 'acme-mtls', Key: 'ca-bundle.pem', Body: fs.readFileSync(ca.certFile) }));
    await s3.send(new PutObjectCommand({ Bucket: 'acme-mtls', Key: 'garbage.pem', Body: '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n' }));
    // 26 CA certificates: each parses, but CloudFront takes at most 25 in a bundle.
    await s3.send(new PutObjectCommand({ Bucket: 'acme-mtls', Key: 'too-many.pem', Body: fs.readFileSync(ca.certFile, 'utf8').repeat(26) }));
    // IAM's policy simulator, answering as IAM does (query protocol, XML): one action denied.
    iamServer = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        iamRequests.push(body);
        const form = new URLSearchParams(body);
        const actions = [...form.entries()].filter(([k]) => k.startsWith('ActionNames.member.')).map(([, v]) => v);
        const members = actions.map((a) => `<member><EvalActionName>${a}</EvalActionName><EvalResourceName>*</EvalResourceName>`
          + `<EvalDecision>${a === 'cloudfront:CreateDistribution' ? 'implicitDeny' : 'allowed'}</EvalDecision></member>`).join('');
        res.writeHead(200, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': 'iam-1' });
        res.end(`<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated>`
          + `<EvaluationResults>${members}</EvaluationResults></SimulatePrincipalPolicyResult><ResponseMetadata><RequestId>iam-1</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>`);
      });
    });
    await new Promise<void>((r) => iamServer.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    s3.destroy();
    await emu.close();
    await new Promise((r) => iamServer.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const stage = (over: Record<string, unknown> = {}) => resolveStageConfigs({
    defaults: {
      backend: { type: 's3', bucket: 'acme-tfstate' }, origin: { domainName: 'api.acme.net' },
      mtls: { trustStore: { caBundle: { bucket: 'acme-mtls', key: 'ca-bundle.pem', version: 'v1' } } }, ...over,
    },
    stages: { dev: { promotesFrom: null } },
  }, dir)[0];

  const context = (over: Partial<DoctorContext> = {}): DoctorContext => ({
    config: stage(), endpoint: emu.endpoint, sts: createStsClient(target()), s3: () => s3,
    env: { CONNGATE_EVIDENCE_KEY: 'doctor-test-key-not-secret' }, nodeVersion: '22.12.0', terminal: { isTTY: false }, ci: true, ...over,
  });
  const byName = (checks: DoctorCheck[]) => Object.fromEntries(checks.map((c) => [c.check, c]));
  const failedOnly = async (over: Partial<DoctorContext>) => {
    const checks = await runDoctorChecks(context(over));
    return checks.filter((c) => c.status !== 'pass');
  };

  it('passes every check for a ready stage on the emulator', async () => {
    const checks = await runDoctorChecks(context());
    expect(checks.map((c) => c.check)).toEqual(['credentials', 'backend', 'trust store', 'origin', 'evidence key', 'IAM permissions', 'Node', 'terminal']);
    expect(checks.filter((c) => c.status !== 'pass').map(formatDoctorCheck)).toEqual([]);
    const c = byName(checks);
    expect(c.credentials.detail).toMatch(/^account 123456789012 as arn:aws:/);
    expect(c['trust store'].detail).toMatch(/1 CA certificate/);
    for (const line of checks.map(formatDoctorCheck)) expect(line).not.toMatch(/\n/);
  });

  it('fails the credentials check alone when STS cannot be reached', async () => {
    const sts = createStsClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', maxAttempts: 1, connectTimeoutMs: 500 });
    const f = await failedOnly({ sts });
    expect(f.map((c) => c.check)).toEqual(['credentials']);
    expect(formatDoctorCheck(f[0])).toMatch(/^FAIL credentials: no usable AWS credentials .*\(fix: set AWS_PROFILE/);
  });

  it('fails the backend check alone when the state bucket is missing, and a local backend in CI against AWS', async () => {
    let f = await failedOnly({ config: stage({ backend: { type: 's3', bucket: 'acme-missing' } }) });
    expect(f.map(formatDoctorCheck)).toEqual([expect.stringMatching(/^FAIL backend: state bucket acme-missing does not exist \(fix: create it/)]);
    const { endpoint: _e, ...awsCtx } = context({ config: stage({ backend: { type: 'local' } }) });
    const local = byName(await runDoctorChecks(awsCtx)).backend;
    expect(formatDoctorCheck(local)).toMatch(/^FAIL backend: local state file .* in CI: lost after this run \(fix: .*--backend s3/);
    f = await failedOnly({ config: stage({ backend: { type: 'cloud', organization: 'acme' } }), env: { CONNGATE_EVIDENCE_KEY: 'doctor-test-key-not-secret', HOME: dir } });
    expect(f.map(formatDoctorCheck)).toEqual([expect.stringMatching(/^FAIL backend: no HCP Terraform token for app\.terraform\.io \(fix: set TF_TOKEN_app_terraform_io/)]);
  });

  it('fails the trust-store check alone for a missing, an unparseable, an over-quota and a placeholder bundle', async () => {
    const bundle = (key: string) => ({ mtls: { trustStore: { caBundle: { bucket: 'acme-mtls', key, version: 'v1' } } } });
    let f = await failedOnly({ config: stage(bundle('nope.pem')) });
    expect(f.map(formatDoctorCheck)).toEqual([expect.stringMatching(/^FAIL trust store: CA bundle s3:\/\/acme-mtls\/nope\.pem version v1 not readable \(NoSuchKey/)]);
    f = await failedOnly({ config: stage(bundle('garbage.pem')) });
    expect(f.map(formatDoctorCheck)).toEqual([expect.stringMatching(/^FAIL trust store: CA bundle .*garbage\.pem.* does not parse/)]);
    // The bundle is judged by CloudFront's quotas, as the trust store would judge it.
    f = await failedOnly({ config: stage(bundle('too-many.pem')) });
    expect(f.map(formatDoctorCheck)).toEqual([expect.stringMatching(/^FAIL trust store: CA bundle .*too-many\.pem.*: The CA bundle holds 26 certificates; the limit is 25/)]);
    f = await failedOnly({ config: stage({ mtls: {} }) });
    expect(f.map(formatDoctorCheck)).toEqual([expect.stringMatching(/^FAIL trust store: no CA bundle configured \(the default s3:\/\/conngate-dev-trust-store\/ca-bundle\.pem is a placeholder\) \(fix: /)]);
  });

  it('fails the origin check alone for a placeholder origin', async () => {
    const f = await failedOnly({ config: stage({ origin: { domainName: 'example.com' } }) });
    expect(f.map(formatDoctorCheck)).toEqual([expect.stringMatching(/^FAIL origin: origin "example\.com" is a placeholder \(fix: set origin\.domainName/)]);
  });

  it('fails the evidence-key check alone without a key', async () => {
    const f = await failedOnly({ env: {} });
    expect(f.map(formatDoctorCheck)).toEqual([expect.stringMatching(/^FAIL evidence key: .* \(fix: set CONNGATE_EVIDENCE_KEY/)]);
  });

  it('fails the IAM check alone with the actions the policy simulator denies, for the role behind the session', async () => {
    iamRequests = [];
    const iam = createIamClient(target(), `http://127.0.0.1:${(iamServer.address() as AddressInfo).port}`);
    const f = await failedOnly({ iam });
    expect(f.map(formatDoctorCheck)).toEqual([expect.stringMatching(/^FAIL IAM permissions: denied by the policy simulator: cloudfront:CreateDistribution \(fix: attach the policy `conngate iam-policy deploy dev` prints/)]);
    expect(new URLSearchParams(iamRequests[0]).get('Action')).toBe('SimulatePrincipalPolicy');
  });

  it('fails the Node check alone on Node 18, warns on Node 20 and on a terminal of width 0', async () => {
    expect((await failedOnly({ nodeVersion: '18.20.0' })).map(formatDoctorCheck)).toEqual([
      expect.stringMatching(/^FAIL Node: Node 18\.20\.0; conngate supports 22 or later \(fix: install Node 22/)]);
    const f = await failedOnly({ nodeVersion: '20.20.2', terminal: { isTTY: true, columns: 0 } });
    expect(f.map(formatDoctorCheck)).toEqual([
      expect.stringMatching(/^warn Node: Node 20\.20\.2; conngate supports 22 or later \(fix: install Node 22/),
      expect.stringMatching(/^warn terminal: terminal reports width 0/),
    ]);
  });

  it('reads only: every call it makes is a Get, Head or identity lookup', async () => {
    served.length = 0;
    await runDoctorChecks(context());
    expect([...new Set(served)].sort()).toEqual(['s3:GetObject', 's3:HeadBucket', 'sts:GetCallerIdentity']);
  });
});
