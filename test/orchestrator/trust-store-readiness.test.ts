// The association's wait for an active trust store, against the emulator: it returns an active store, refuses a
// failed one in one line with its (escaped) Reason, and gives up on one still pending at its deadline.
import * as cf from '@aws-sdk/client-cloudfront';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createCloudFrontClient, createS3Client } from '../../aws/clients';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { StepError } from '../../orchestrator/stage/step-error';
import { waitForTrustStoreActive } from '../../orchestrator/stage/trust-store-readiness';

let emulator: RunningEmulator;
let client: cf.CloudFrontClient;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, timings: { trustStoreActivationMs: 400 } });
  client = createCloudFrontClient({ endpoint: emulator.endpoint, region: 'us-east-1' });
  const s3 = createS3Client({ endpoint: emulator.endpoint, region: 'us-east-1' });
  await s3.send(new CreateBucketCommand({ Bucket: 'ca-bundles' }));
  await s3.send(new PutObjectCommand({ Bucket: 'ca-bundles', Key: 'empty.pem', Body: 'no certificate here' }));
  s3.destroy();
});
afterAll(async () => {
  client?.destroy();
  await emulator?.close();
});

const create = async (name: string, key: string, bucket = 'ca-bundles') => (await client.send(new cf.CreateTrustStoreCommand({
  Name: name, CaCertificatesBundleSource: { CaCertificatesBundleS3Location: { Bucket: bucket, Key: key, Region: 'us-east-1' } } }))).TrustStore!.Id!;

test('waits through pending and returns the active store', async () => {
  // A bucket the emulator does not hold is taken on trust: active once pending is over.
  const id = await create('fine', 'bundle.pem', 'elsewhere');
  const started = Date.now();
  expect(await waitForTrustStoreActive(client, id, { intervalMs: 50, timeoutMs: 5000 })).toMatchObject({ Id: id, Status: 'active' });
  expect(Date.now() - started).toBeGreaterThanOrEqual(300);
});

test('a failed store is refused in one line with its Reason; a newline in it cannot forge a second line', async () => {
  const id = await create('forged', 'missing\nconngate: dev: verified.pem');
  let err: unknown;
  try { await waitForTrustStoreActive(client, id, { intervalMs: 50, timeoutMs: 5000 }); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(StepError);
  const message = (err as Error).message;
  expect(message).toMatch(new RegExp(`^trust store: trust store forged \\(${id}\\) is failed: The CA bundle s3://ca-bundles/missing\\\\u000aconngate: dev: verified\\.pem does not exist\\.; the function was not associated with the distribution \\(fix: upload a usable CA bundle`));
  expect(message).not.toContain('\n');
});

test('a store still pending at the deadline is a bounded failure, not a hang', async () => {
  const id = await create('slow', 'empty.pem');
  await expect(waitForTrustStoreActive(client, id, { intervalMs: 50, timeoutMs: 100 })).rejects.toThrow(/trust store slow \(\S+\) is still pending after 0 s; the function was not associated/);
});
