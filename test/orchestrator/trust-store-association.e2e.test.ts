// The pipeline associates the connection function only with a distribution whose trust store is active: a trust
// store CloudFront could not fill (failed, with its Reason) is refused, `status` shows why, and after a usable
// bundle goes through UpdateTrustStore the next deploy associates. Real CA made with openssl, real SDK clients.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cf from '@aws-sdk/client-cloudfront';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../aws/clients';
import { useEmulatorProject } from '../support/emulator-project';

jest.setTimeout(300_000);

describe('association waits for an active trust store', () => {
  const p = useEmulatorProject('conngate-ts-assoc');
  let trustStoreId: string;
  const location = (key: string) => ({ CaCertificatesBundleS3Location: { Bucket: 'ca-bundles', Key: key, Region: 'us-east-1' } });

  beforeAll(async () => {
    const s3 = createS3Client({ endpoint: p.emulator.endpoint, region: 'us-east-1' });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'ca-bundles' }));
      await s3.send(new PutObjectCommand({ Bucket: 'ca-bundles', Key: 'ca-v1.pem', Body: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' }));
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key',
        '-subj', '/CN=conngate association test CA', '-days', '2', '-out', 'ca.pem'], { cwd: p.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      await s3.send(new PutObjectCommand({ Bucket: 'ca-bundles', Key: 'ca-v2.pem', Body: fs.readFileSync(path.join(p.dir, 'ca.pem')) }));
    } finally {
      s3.destroy();
    }
    const t = await p.cf().send(new cf.CreateTrustStoreCommand({ Name: 'shared-trust-store', CaCertificatesBundleSource: location('ca-v1.pem') }));
    trustStoreId = t.TrustStore!.Id!;
    fs.writeFileSync(path.join(p.dir, 'conngate.config.json'), JSON.stringify({
      defaults: { region: 'us-east-1', origin: { domainName: 'example.com' }, functionFile: 'functions/revocation-check.js' },
      stages: { dev: { promotesFrom: null, mtls: { trustStore: { trustStoreId } } } },
    }));
  });

  const association = async () => {
    const dist = await p.cf().send(new cf.GetDistributionConfigCommand({ Id: p.outputs().read('dev')!.distributionId }));
    return dist.DistributionConfig!.ConnectionFunctionAssociation;
  };

  it('a failed trust store: LIVE is verified but the function is not associated, and the run fails naming the Reason', async () => {
    const r = await p.cli('deploy', 'dev');
    expect(r.code).toBe(1);
    expect(`${r.stdout}\n${r.stderr}`).toMatch(new RegExp(`trust store shared-trust-store \\(${trustStoreId}\\) is failed: The CA bundle holds a certificate that does not parse.*the function was not associated with the distribution`));
    expect(await association()).toBeUndefined();
  });

  it('status shows the failed trust store with its reason, in the table and in --json', async () => {
    const table = await p.cli('status');
    expect(table.stdout).toMatch(new RegExp(`^dev trust store shared-trust-store \\(${trustStoreId}\\) is failed: The CA bundle holds a certificate that does not parse`, 'm'));
    const json = JSON.parse((await p.cli('status', '--json')).stdout);
    expect(json.stages.find((s: { stage: string }) => s.stage === 'dev').trustStore).toMatchObject({
      id: trustStoreId, name: 'shared-trust-store', status: 'failed', reason: expect.stringMatching(/does not parse/),
    });
  });

  it('after a usable bundle goes through UpdateTrustStore the store is active and the next deploy associates', async () => {
    const etag = (await p.cf().send(new cf.GetTrustStoreCommand({ Identifier: trustStoreId }))).ETag!;
    await p.cf().send(new cf.UpdateTrustStoreCommand({ Id: trustStoreId, IfMatch: etag, CaCertificatesBundleSource: location('ca-v2.pem') }));
    const r = await p.cli('deploy', 'dev');
    expect(`${r.code} ${r.stdout} ${r.stderr}`).toMatch(/^0 /);
    expect(await association()).toMatchObject({ Id: p.outputs().read('dev')!.functionId });
    const json = JSON.parse((await p.cli('status', '--json')).stdout);
    expect(json.stages[0].trustStore).toMatchObject({ status: 'active', reason: null, numberOfCaCertificates: 1 });
  });
});
