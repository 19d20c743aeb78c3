// The local apply stand-in applies what the 2026 stacks add: awscc_cloudfront_trust_store with OCSP checking, a
// new bundle version (rotation), against the emulator; a passthrough stage is refused before it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import * as cf from '@aws-sdk/client-cloudfront';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createCloudFrontClient, createKvsClient, createS3Client } from '../../aws/clients';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { ConnectionFunctionCode } from '../../modules/connection-function-code';
import { LocalApplier } from '../../local-apply/local-applier';
import { resolveStageConfigs } from '../../stacks/stage-config';
import { StageStack } from '../../stacks/stage-stack';
import { stackFilePath } from '../../stacks/synth-output';

const CODE = ConnectionFunctionCode.fromInline("function connectionHandler(connection) {\n  connection.allow();\n}\n");

let emulator: RunningEmulator;
let tmp: string;
let client: cf.CloudFrontClient;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  client = createCloudFrontClient({ endpoint: emulator.endpoint, region: 'us-east-1' });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-local-apply-mtls-'));
});
afterAll(async () => {
  client.destroy();
  await emulator?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Writes the stage's stack as cdktf synth would (first-deploy shape, no association) and applies it. */
async function apply(name: string, mtls: object) {
  const outdir = path.join(tmp, name, 'cdktf.out');
  const config = resolveStageConfigs({ stages: { dev: { namePrefix: name, mtls } } }, tmp)[0];
  const doc = Testing.synth(new StageStack(Testing.app(), config, { code: CODE, unassociated: true }));
  fs.mkdirSync(path.dirname(stackFilePath(outdir, 'dev')), { recursive: true });
  fs.writeFileSync(stackFilePath(outdir, 'dev'), doc);
  const target = { endpoint: emulator.endpoint, region: 'us-east-1' };
  const applier = new LocalApplier({ cf: createCloudFrontClient(target), kvs: createKvsClient(target), outdir,
    stateDir: path.join(tmp, name, '.conngate'), cwd: tmp, resynthesize: 'when-association-changes', wait: { intervalMs: 10, timeoutMs: 10_000 } });
  const outputs = await applier.apply('dev', { associate: false });
  return { outputs, changes: applier.lastChanges };
}

test('an OCSP stage creates the trust store with UseClientCertificateOCSPEndpoint and the stage tags; a new version updates it', async () => {
  const mtls = (version: string) => ({ trustStore: { ocsp: true, caBundle: { bucket: 'ca-bucket', key: 'bundle.pem', version } } });
  const first = await apply('ocsp', mtls('v1'));
  expect(first.changes.find((c) => c.address.startsWith('awscc_cloudfront_trust_store.'))?.action).toBe('create');
  const got = await client.send(new cf.GetTrustStoreCommand({ Identifier: first.outputs.trustStoreId }));
  expect(got.TrustStore!.UseClientCertificateOCSPEndpoint).toBe(true);
  const tags = await client.send(new cf.ListTagsForResourceCommand({ Resource: got.TrustStore!.Arn! }));
  expect(Object.fromEntries(tags.Tags!.Items!.map((t) => [t.Key, t.Value]))).toMatchObject({ project: 'conngate', stage: 'dev' });
  const dist = await client.send(new cf.GetDistributionConfigCommand({ Id: first.outputs.distributionId }));
  expect(dist.DistributionConfig!.ViewerMtlsConfig!.TrustStoreConfig!.TrustStoreId).toBe(first.outputs.trustStoreId);

  const again = await apply('ocsp', mtls('v1'));
  expect(again.changes.find((c) => c.address.startsWith('awscc_cloudfront_trust_store.'))?.action).toBe('no-op');
  const rotated = await apply('ocsp', mtls('v2'));
  expect(rotated.changes.find((c) => c.address.startsWith('awscc_cloudfront_trust_store.'))?.action).toBe('update');
  const after = await client.send(new cf.GetTrustStoreCommand({ Identifier: first.outputs.trustStoreId }));
  expect(after.ETag).not.toBe(got.ETag);
  expect(after.TrustStore!.UseClientCertificateOCSPEndpoint).toBe(true);
}, 60_000);

test('a passthrough stage never reaches the emulator: synth refuses it (no released hashicorp/aws accepts the mode)', async () => {
  await expect(apply('pt', { mode: 'passthrough' })).rejects.toThrow(/mtls\.mode: viewer_mtls_config\.mode = "passthrough" is accepted by no released hashicorp\/aws provider/);
}, 60_000);

test('the revocation store carries the provider default_tags (hashicorp/aws >= 6.66.0 tags key value stores)', async () => {
  const { outputs } = await apply('kvstags', {});
  const stores = await client.send(new cf.ListKeyValueStoresCommand({}));
  const arn = stores.KeyValueStoreList!.Items!.find((s) => s.Name === outputs.kvsName)!.ARN!;
  const tags = await client.send(new cf.ListTagsForResourceCommand({ Resource: arn }));
  expect(Object.fromEntries(tags.Tags!.Items!.map((t) => [t.Key, t.Value]))).toEqual({ project: 'conngate', stage: 'dev' });
}, 60_000);

test('a CA bundle CloudFront cannot use fails the apply with the trust store Reason; a fixed bundle then applies', async () => {
  const s3 = createS3Client({ endpoint: emulator.endpoint, region: 'us-east-1' });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'ca-bundles' }));
    await s3.send(new PutObjectCommand({ Bucket: 'ca-bundles', Key: 'bundle.pem', Body: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' }));
    const mtls = { trustStore: { caBundle: { bucket: 'ca-bundles', key: 'bundle.pem', version: 'v1' } } };
    await expect(apply('badca', mtls)).rejects.toThrow(/aws_cloudfront_trust_store\.\S+: trust store badca-trust-store \(\S+\) is failed: The CA bundle holds a certificate that does not parse.*s3:\/\/ca-bundles\/bundle\.pem \(version v1\); the new trust store was deleted again/);

    // A real self-signed CA (openssl), then the re-run creates the trust store under the same name.
    const dir = fs.mkdtempSync(path.join(tmp, 'ca-'));
    fs.writeFileSync(path.join(dir, 'ca.key'), generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    execFileSync('openssl', ['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=conngate test CA', '-days', '2', '-out', 'ca.pem'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    await s3.send(new PutObjectCommand({ Bucket: 'ca-bundles', Key: 'bundle.pem', Body: fs.readFileSync(path.join(dir, 'ca.pem')) }));
    const { outputs } = await apply('badca', { trustStore: { caBundle: { bucket: 'ca-bundles', key: 'bundle.pem', version: 'v2' } } });
    const got = await client.send(new cf.GetTrustStoreCommand({ Identifier: outputs.trustStoreId }));
    expect(got.TrustStore).toMatchObject({ Status: 'active', NumberOfCaCertificates: 1 });
  } finally {
    s3.destroy();
  }
}, 60_000);

test('a new trust store name (RequiresReplace in the provider) is applied as a replacement, shown as such', async () => {
  const mtls = (name: string) => ({ trustStore: { name, caBundle: { bucket: 'ca-bucket', key: 'bundle.pem', version: 'v1' } } });
  const first = await apply('rename', mtls('rename-ts-a'));
  const renamed = await apply('rename', mtls('rename-ts-b'));
  const address = renamed.changes.find((c) => c.address.startsWith('aws_cloudfront_trust_store.'))!.address;
  expect(renamed.changes).toEqual(expect.arrayContaining([
    { address, action: 'replace' }, { address: `${address} (replaced)`, action: 'delete' }, expect.objectContaining({ action: 'update' }),
  ]));
  expect(renamed.outputs.trustStoreId).not.toBe(first.outputs.trustStoreId);
  const names = (await client.send(new cf.ListTrustStoresCommand({}))).TrustStoreList!.map((t) => t.Name);
  expect(names).toContain('rename-ts-b');
  expect(names).not.toContain('rename-ts-a');
}, 60_000);
