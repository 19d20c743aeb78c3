import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../support/conngate-cli';

// `conngate iam-policy`: valid JSON IAM policy documents scoped to the stage, and bad input in one line.
describe('conngate iam-policy', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-iam-cli-'));
    fs.writeFileSync(path.join(dir, 'conngate.config.json'), JSON.stringify({
      defaults: { backend: { type: 's3', bucket: 'acme-tfstate' }, origin: { domainName: 'api.acme.net' },
        mtls: { trustStore: { caBundle: { bucket: 'acme-mtls', key: 'ca-bundle.pem', version: 'v1' } } } },
      stages: { dev: { promotesFrom: null }, prod: { promotesFrom: 'dev', aws: { roleArn: 'arn:aws:iam::210987654321:role/prod-deploy' } } },
    }));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints each kind\'s policy, scoped to the stage\'s state, bundle, account and role', async () => {
    const deploy = await runCli(['iam-policy', 'deploy', 'prod', '--dir', dir]);
    expect(deploy.code).toBe(0);
    const doc = JSON.parse(deploy.stdout);
    expect(doc.Version).toBe('2012-10-17');
    const resources = doc.Statement.flatMap((s: { Resource: string[] }) => s.Resource);
    expect(resources).toEqual(expect.arrayContaining(['arn:aws:s3:::acme-tfstate/conngate/prod/terraform.tfstate', 'arn:aws:s3:::acme-mtls/ca-bundle.pem',
      'arn:aws:iam::210987654321:role/prod-deploy', 'arn:aws:cloudfront::210987654321:distribution/*']));
    // Only list calls, which IAM cannot scope to a resource, name every resource.
    const unscoped = doc.Statement.filter((st: { Resource: string[] }) => st.Resource.includes('*')).flatMap((st: { Action: string[] }) => st.Action);
    expect(unscoped.filter((a: string) => !/^cloudfront:List[A-Za-z]+$/.test(a))).toEqual([]);
    const sync = JSON.parse((await runCli(['iam-policy', 'sync', 'dev', '--dir', dir, '--crl', 's3://acme-pki/crl/ca.crl'])).stdout);
    const syncActions = sync.Statement.flatMap((s: { Action: string[] }) => s.Action);
    expect(syncActions).toEqual(expect.arrayContaining(['cloudfront-keyvaluestore:UpdateKeys', 's3:GetObject']));
    expect(syncActions.filter((a: string) => /Create|Delete|Publish/.test(a))).toEqual([]);
  });

  it.each([
    [['iam-policy', 'admin'], /^conngate: iam-policy admin: unknown kind of run \(fix: use one of: deploy, verify, sync, run-task\)$/],
    [['iam-policy', 'deploy', 'qa'], /^conngate: stage "qa": no such stage/],
    [['iam-policy', 'deploy', '--account', '12'], /^conngate: --account: "12" is not a 12-digit AWS account id/],
    [['iam-policy', 'sync', '--crl', 'http://x/ca.crl'], /^conngate: --crl: "http:\/\/x\/ca\.crl" is not an s3:\/\/ URL/],
  ])('refuses %j in one line, exit 2', async (args, message) => {
    const r = await runCli([...args, '--dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
  });
});
