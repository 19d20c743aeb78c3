/**
 * Full mTLS handshakes through the local edge, with the LIVE revocation-check function deciding each one (trust
 * store validation, connection object, sandbox run with the store, connection-log record), against a plain Node
 * HTTPS server that requests and verifies client certificates, in the same run, on the same machine, with the same
 * certificates and the same client. Each connection: a fresh full handshake (no session resumption), one GET, the
 * answer, close.
 * Reports handshakes/s (sequential and 8 in flight) and p50/p99 latency for both, and the ratios (aim: p50 <= 2x).
 * Run: npx tsx bench/edge-handshakes.ts   (or npm run bench:edge)   [--samples 400] [--total 1200]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { webcrypto } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import * as cf from '@aws-sdk/client-cloudfront';
import * as kv from '@aws-sdk/client-cloudfront-keyvaluestore';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createCloudFrontClient, createKvsClient, createS3Client } from '../aws/clients';
import { startEmulator } from '../emulator';
import { localEdgeCa } from '../edge/edge-ca';
import { startEdge } from '../edge/edge-server';
import { x509 } from '../revocation/x509-library';
import { backendOver, storeVersion } from '../emulator/connection-test';
import { buildConnectionObject } from '../runtime/payload';
import { compileConnectionFunction, stopSandboxWorkers } from '../runtime/index';
import { numberArg } from './bench-args';

const SAMPLES = numberArg('samples', 400);
const TOTAL = numberArg('total', 1200);
const CONCURRENCY = 8;
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

async function pki(dir: string) {
  const now = Date.now();
  const caKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name: 'CN=Bench Client CA', notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 86_400_000), keys: caKeys, signingAlgorithm: ALG, extensions: [new x509.BasicConstraintsExtension(true, 0, true)] });
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const leaf = await x509.X509CertificateGenerator.create({ serialNumber: '5eed01', subject: 'CN=bench-client', issuer: ca.subject,
    notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 86_400_000), publicKey: keys.publicKey, signingKey: caKeys.privateKey, signingAlgorithm: ALG });
  const key = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  fs.writeFileSync(path.join(dir, 'client-key.pem'), key);
  return { caPem: ca.toString('pem'), certPem: leaf.toString('pem'), keyPem: key };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-bench-edge-'));
  const { caPem, certPem, keyPem } = await pki(dir);
  const emu = await startEmulator({ port: 0 });
  const target = { endpoint: emu.endpoint, region: 'us-east-1' };
  const cfc = createCloudFrontClient(target);
  const kvs = createKvsClient(target);
  const s3 = createS3Client(target);
  await s3.send(new CreateBucketCommand({ Bucket: 'bench-ca' }));
  await s3.send(new PutObjectCommand({ Bucket: 'bench-ca', Key: 'bundle.pem', Body: caPem }));
  const ts = (await cfc.send(new cf.CreateTrustStoreCommand({ Name: 'bench-ts',
    CaCertificatesBundleSource: { CaCertificatesBundleS3Location: { Bucket: 'bench-ca', Key: 'bundle.pem', Region: 'us-east-1' } } }))).TrustStore!.Id!;
  const store = (await cfc.send(new cf.CreateKeyValueStoreCommand({ Name: 'bench-revoked' }))).KeyValueStore!;
  let etag = (await kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: store.ARN! }))).ETag!;
  const puts = Array.from({ length: 50 }, (_, i) => ({ Key: (0xa000 + i).toString(16), Value: 'revoked' }));
  etag = (await kvs.send(new kv.UpdateKeysCommand({ KvsARN: store.ARN!, IfMatch: etag, Puts: puts }))).ETag!;
  const code = fs.readFileSync(path.join(__dirname, '..', 'functions', 'revocation-check.js'));
  const created = await cfc.send(new cf.CreateConnectionFunctionCommand({ Name: 'bench-fn', ConnectionFunctionCode: code,
    ConnectionFunctionConfig: { Comment: 'bench', Runtime: 'cloudfront-js-2.0', KeyValueStoreAssociations: { Quantity: 1, Items: [{ KeyValueStoreARN: store.ARN! }] } } }));
  const fnId = created.ConnectionFunctionSummary!.Id!;
  await cfc.send(new cf.PublishConnectionFunctionCommand({ Id: fnId, IfMatch: created.ETag! }));
  const dist = (await cfc.send(new cf.CreateDistributionCommand({ DistributionConfig: {
    CallerReference: 'bench', Comment: 'bench', Enabled: true,
    Origins: { Quantity: 1, Items: [{ Id: 'o', DomainName: 'origin.example.com', CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only' } }] },
    DefaultCacheBehavior: { TargetOriginId: 'o', ViewerProtocolPolicy: 'https-only', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' },
    ViewerMtlsConfig: { Mode: 'required', TrustStoreConfig: { TrustStoreId: ts } }, ConnectionFunctionAssociation: { Id: fnId },
  } }))).Distribution!;
  const certificates = await localEdgeCa(path.join(dir, 'edge-ca'));
  const edge = await startEdge({ readState: emu.readState, certificates, connectionLogDir: path.join(dir, 'connection-logs') });
  const name = dist.DomainName!;
  const serverPair = await certificates.certFor(name);
  // The baseline: Node's own HTTPS server verifying client certificates against the same CA, answering at once.
  const plain = createHttpsServer({ ...serverPair, requestCert: true, rejectUnauthorized: true, ca: caPem, minVersion: 'TLSv1.2' }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
    res.end('plain\n');
  });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', () => r()));
  const plainPort = (plain.address() as AddressInfo).port;
  const edgeCa = fs.readFileSync(edge.caFile!);

  /** One fresh mTLS connection: handshake, GET, the whole answer; resolves with the status line's code. */
  const once = (port: number) => new Promise<string>((resolve, reject) => {
    let answer = '';
    const s = connect({ host: '127.0.0.1', port, servername: name, ca: edgeCa, cert: certPem, key: keyPem, timeout: 10_000 }, () => {
      s.end(`GET / HTTP/1.1\r\nHost: ${name}\r\nConnection: close\r\n\r\n`);
    });
    s.on('data', (d) => { answer += d.toString(); });
    s.on('timeout', () => s.destroy(new Error('timeout')));
    s.on('error', reject);
    s.on('close', () => resolve(answer.slice(9, 12)));
  });
  const latencies = async (port: number) => {
    const out: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t0 = process.hrtime.bigint();
      const status = await once(port);
      if (status !== '200') throw new Error(`connection ${i} to port ${port} answered "${status}"`);
      out.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return out.sort((a, b) => a - b);
  };
  const rate = async (port: number) => {
    let next = 0;
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (next++ < TOTAL) await once(port); }));
    return TOTAL / (Number(process.hrtime.bigint() - t0) / 1e9);
  };

  for (let i = 0; i < 50; i++) { await once(edge.port); await once(plainPort); }
  // Interleaved halves, so a slow patch of a shared machine does not land on one side only.
  const [e1, p1] = [await latencies(edge.port), await latencies(plainPort)];
  const [p2, e2] = [await latencies(plainPort), await latencies(edge.port)];
  const edgeLat = [...e1, ...e2].sort((a, b) => a - b);
  const plainLat = [...p1, ...p2].sort((a, b) => a - b);
  const seqEdge = SAMPLES * 2 / (edgeLat.reduce((a, b) => a + b, 0) / 1000);
  const seqPlain = SAMPLES * 2 / (plainLat.reduce((a, b) => a + b, 0) / 1000);
  // The sandbox's share: the same LIVE code and store run alone through the runtime, one connection per message.
  const version = await emu.readState((st) => storeVersion([...st.keyValueStores.values()][0]));
  const compiled = compileConnectionFunction(code.toString('utf8'));
  const connection = buildConnectionObject(certPem, { distributionId: dist.Id!, endpoint: name });
  const sandbox: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = process.hrtime.bigint();
    await compiled.run(connection, { kvs: backendOver(version) });
    sandbox.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  sandbox.sort((a, b) => a - b);
  const parEdge = await rate(edge.port);
  const parPlain = await rate(plainPort);

  const f = (n: number) => n.toFixed(2);
  console.log(`edge mTLS handshakes (revocation-check.js deciding, ${CONCURRENCY} in flight for the rate; ${os.cpus().length} cores, Node ${process.version})`);
  console.log(`                      handshakes/s seq   handshakes/s x${CONCURRENCY}   p50 ms   p99 ms`);
  console.log(`  local edge          ${f(seqEdge).padStart(16)}   ${f(parEdge).padStart(14)}   ${f(percentile(edgeLat, 50)).padStart(6)}   ${f(percentile(edgeLat, 99)).padStart(6)}`);
  console.log(`  plain Node TLS      ${f(seqPlain).padStart(16)}   ${f(parPlain).padStart(14)}   ${f(percentile(plainLat, 50)).padStart(6)}   ${f(percentile(plainLat, 99)).padStart(6)}`);
  console.log(`  ratio plain/edge    throughput seq ${f(seqPlain / seqEdge)}x, x${CONCURRENCY} ${f(parPlain / parEdge)}x;  p50 latency edge/plain ${f(percentile(edgeLat, 50) / percentile(plainLat, 50))}x (aim <= 2x)`);
  console.log(`  for scale: one sandbox run of the function alone, back to back (its own worker process, a message each way): ${f(percentile(sandbox, 50))} ms p50`);
  console.log(`  connection-log records written: ${edge.handshakes()}`);

  await edge.close();
  await new Promise<void>((r) => plain.close(() => r()));
  cfc.destroy(); kvs.destroy(); s3.destroy();
  await emu.close();
  await stopSandboxWorkers();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
