// What the edge trusts survives the emulator's restart (the S3 subset does not), and the edge, like the emulator,
// listens on loopback only unless told otherwise.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cf from '@aws-sdk/client-cloudfront';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../aws/clients';
import { localEdgeCa } from '../../edge/edge-ca';
import { startEdge } from '../../edge/edge-server';
import { startHarness, stopHarness, tempDir } from '../emulator/harness';
import { makeEdgePki } from './edge-pki';

test('a trust store keeps the CA certificates it read across an emulator restart', async () => {
  const dir = tempDir();
  const pki = await makeEdgePki(path.join(dir, 'pki'), 'http://127.0.0.1:9/');
  const stateFile = path.join(dir, 'emulator.json');
  let h = await startHarness({ stateFile });
  let id: string;
  try {
    const s3 = createS3Client({ endpoint: h.emu.endpoint, region: 'us-east-1' });
    await s3.send(new CreateBucketCommand({ Bucket: 'kept-ca' }));
    await s3.send(new PutObjectCommand({ Bucket: 'kept-ca', Key: 'bundle.pem', Body: fs.readFileSync(pki.caFile) }));
    s3.destroy();
    id = (await h.cf.send(new cf.CreateTrustStoreCommand({ Name: 'kept',
      CaCertificatesBundleSource: { CaCertificatesBundleS3Location: { Bucket: 'kept-ca', Key: 'bundle.pem', Region: 'us-east-1' } } }))).TrustStore!.Id!;
  } finally {
    await stopHarness(h);
  }
  h = await startHarness({ stateFile });
  try {
    const kept = await h.emu.readState((s) => s.trustStores.get(id)?.caCertificates);
    expect(kept).toEqual([fs.readFileSync(pki.caFile, 'utf8').trim()]);
  } finally {
    await stopHarness(h);
  }
});

test('the edge refuses a non-loopback address without allowNonLoopback, and binds nothing', async () => {
  const h = await startHarness();
  try {
    const certificates = await localEdgeCa(path.join(tempDir(), 'edge-ca'));
    await expect(startEdge({ readState: h.emu.readState, certificates, connectionLogDir: path.join(tempDir(), 'logs'), host: '0.0.0.0' }))
      .rejects.toThrow(/non-loopback address exposes/);
  } finally {
    await stopHarness(h);
  }
});
