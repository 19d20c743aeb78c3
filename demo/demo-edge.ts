import * as fs from 'node:fs';
import { connect } from 'node:tls';
import * as cf from '@aws-sdk/client-cloudfront';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ConnectionLogRecord } from '../connection-logs/connection-log-record';
import type { RunningEdge } from '../edge/edge-server';
import type { StageConfig } from '../stacks/stage-config';

/** One real TLS client of the demo: its certificate and the connection status its handshake should end with. */
export interface EdgeClient { name: string; certFile: string; keyFile: string; expect: string }

/** What the client saw and what the connection log says of the same handshake. */
export interface EdgeClientOutcome { client: EdgeClient; answered: boolean; record?: ConnectionLogRecord }

/**
 * Puts the demo CA into the stage's trust-store bundle location in the emulator's S3 and has the trust store read
 * it again (UpdateTrustStore, as a CA rotation does): CloudFront reads a bundle only when a store is created or
 * updated, and the demo's stage was applied with the placeholder location before the demo CA existed.
 */
export async function loadDemoCaIntoTrustStore(cfc: cf.CloudFrontClient, s3: S3Client, stage: StageConfig, trustStoreId: string, caFile: string): Promise<void> {
  const ts = stage.mtls.trustStore;
  if (ts.type !== 's3') throw new Error(`demo: stage ${stage.name} has no trust store made from an S3 bundle`);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: ts.bucket }));
  } catch (err) {
    if ((err as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw err;
  }
  await s3.send(new PutObjectCommand({ Bucket: ts.bucket, Key: ts.key, Body: fs.readFileSync(caFile) }));
  const current = await cfc.send(new cf.GetTrustStoreCommand({ Identifier: trustStoreId }));
  await cfc.send(new cf.UpdateTrustStoreCommand({ Id: trustStoreId, IfMatch: current.ETag!,
    CaCertificatesBundleSource: { CaCertificatesBundleS3Location: { Bucket: ts.bucket, Key: ts.key, Region: ts.region } } }));
}

/**
 * Connects through the edge as a real TLS client would: a fresh handshake with the client's certificate, SNI the
 * distribution's `*.cloudfront.net` name, the edge's CA trusted, one GET; then finds the log record of that very
 * connection (by the client's port).
 */
export async function connectThroughEdge(edge: RunningEdge, serverName: string, distributionId: string, client: EdgeClient): Promise<EdgeClientOutcome> {
  const { localPort, answer } = await new Promise<{ localPort?: number; answer: string }>((resolve) => {
    let answer = '';
    let localPort: number | undefined;
    const s = connect({ host: '127.0.0.1', port: edge.port, servername: serverName, ca: fs.readFileSync(edge.caFile!),
      cert: fs.readFileSync(client.certFile), key: fs.readFileSync(client.keyFile), timeout: 10_000 }, () => {
      s.end(`GET / HTTP/1.1\r\nHost: ${serverName}\r\nConnection: close\r\n\r\n`);
    });
    s.once('connect', () => { localPort = s.localPort; });
    s.on('data', (d) => { answer += d.toString(); });
    s.on('timeout', () => s.destroy());
    s.on('error', () => undefined);
    s.on('close', () => resolve({ localPort, answer }));
  });
  const file = edge.logFileOf(distributionId);
  const records: ConnectionLogRecord[] = fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  return { client, answered: /^HTTP\/1\.1 200 /.test(answer), record: records.find((r) => r.clientPort === localPort) };
}

/** The demo's four clients: valid, revoked (by the CRL synced into the store), expired, and from a foreign CA. */
export function demoEdgeClients(pki: { goodCertFile: string; goodKeyFile: string; revokedCertFile: string; revokedKeyFile: string;
  expiredCertFile: string; expiredKeyFile: string; foreignCertFile: string; foreignKeyFile: string }): EdgeClient[] {
  return [
    { name: 'api-client (valid)', certFile: pki.goodCertFile, keyFile: pki.goodKeyFile, expect: 'Success' },
    { name: 'laptop-lost (revoked)', certFile: pki.revokedCertFile, keyFile: pki.revokedKeyFile, expect: 'Failed:ConnectionFunctionDenied' },
    { name: 'old-batch-job (expired)', certFile: pki.expiredCertFile, keyFile: pki.expiredKeyFile, expect: 'Failed:ClientCertExpired' },
    { name: 'intruder (foreign CA)', certFile: pki.foreignCertFile, keyFile: pki.foreignKeyFile, expect: 'Failed:ClientCertUntrusted' },
  ];
}
