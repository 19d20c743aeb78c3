import { spawn, execFile, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as cf from '@aws-sdk/client-cloudfront';
import * as kv from '@aws-sdk/client-cloudfront-keyvaluestore';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../aws/clients';
import { canonicalSerial } from '../../revocation/canonical-serial';
import { localEdgeCa } from '../../edge/edge-ca';
import { startEdge, type EdgeLimits, type RunningEdge } from '../../edge/edge-server';
import { stopSandboxWorkers } from '../../runtime/index';
import { code, createFunction, distributionConfig, startHarness, stopHarness, tempDir, type Harness } from '../emulator/harness';
import { makeEdgePki, type EdgePki } from './edge-pki';

const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const REVOCATION_CHECK = fs.readFileSync(path.join(__dirname, '..', '..', 'functions', 'revocation-check.js'), 'utf8');

/** The distributions the edge tests connect to: their `*.cloudfront.net` names and ids. */
export type DistributionKey = 'required' | 'ignoreExpiry' | 'optional' | 'passthrough' | 'ocsp' | 'throws' | 'loops';

export interface EdgeFixture {
  h: Harness;
  edge: RunningEdge;
  pki: EdgePki;
  dir: string;
  names: Record<DistributionKey, string>;
  ids: Record<DistributionKey, string>;
  alias: string;
  /** Requests the loopback origin received, with their headers. */
  originSeen: { url: string; headers: IncomingHttpHeaders }[];
  stop(): Promise<void>;
}

/** A TCP port free on loopback now (for a child that must be told its port before it starts). */
export async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Runs a command with a deadline; never rejects (the exit code and output are what the tests check). */
export function run(cmd: string, args: string[], input?: string, timeoutMs = 15_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

/**
 * An emulator with one distribution per case, set up through the real SDK clients (trust-store bundles uploaded
 * to the emulator's S3), the local edge in front of them, a loopback origin, and `openssl ocsp` as the OCSP responder.
 */
export async function startEdgeFixture(limits: EdgeLimits = {}): Promise<EdgeFixture> {
  const dir = tempDir();
  const ocspPort = await freePort();
  const pki = await makeEdgePki(path.join(dir, 'pki'), `http://127.0.0.1:${ocspPort}`);
  const ocsp: ChildProcess = spawn('openssl', ['ocsp', '-index', pki.ocspIndex, '-port', String(ocspPort), '-CA', pki.caFile,
    '-rsigner', pki.caFile, '-rkey', pki.caKeyFile, '-nmin', '5'], { stdio: ['ignore', 'ignore', 'pipe'] });
  // openssl ocsp serves one connection at a time, so a TCP probe would wedge it: wait for its own word instead.
  const responderUp = new Promise<void>((resolve, reject) => {
    let text = '';
    ocsp.stderr!.on('data', (d: Buffer) => { text += d.toString(); if (text.includes('waiting for OCSP client connections')) resolve(); });
    ocsp.once('exit', (c) => reject(new Error(`openssl ocsp exited (${c}): ${text}`)));
    setTimeout(() => reject(new Error(`openssl ocsp did not start: ${text}`)), 10_000).unref();
  });
  const originSeen: EdgeFixture['originSeen'] = [];
  const origin: Server = createServer((req, res) => {
    originSeen.push({ url: req.url ?? '', headers: req.headers });
    res.end(`origin saw ${req.url}\n`);
  });
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', () => r()));
  const originPort = (origin.address() as AddressInfo).port;

  const h = await startHarness();
  const s3: S3Client = createS3Client({ endpoint: h.emu.endpoint, region: 'us-east-1' });
  await s3.send(new CreateBucketCommand({ Bucket: 'edge-ca' }));
  await s3.send(new PutObjectCommand({ Bucket: 'edge-ca', Key: 'bundle.pem', Body: fs.readFileSync(pki.caFile) }));
  const trustStore = async (name: string, ocspOn: boolean) => (await h.cf.send(new cf.CreateTrustStoreCommand({
    Name: name, UseClientCertificateOCSPEndpoint: ocspOn,
    CaCertificatesBundleSource: { CaCertificatesBundleS3Location: { Bucket: 'edge-ca', Key: 'bundle.pem', Region: 'us-east-1' } },
  }))).TrustStore!.Id!;
  const ts = await trustStore('edge-ts', false);
  const tsOcsp = await trustStore('edge-ts-ocsp', true);

  const store = (await h.cf.send(new cf.CreateKeyValueStoreCommand({ Name: 'edge-revoked' }))).KeyValueStore!;
  const desc = await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: store.ARN! }));
  await h.kvs.send(new kv.PutKeyCommand({ KvsARN: store.ARN!, Key: canonicalSerial(pki.revoked.serialHex)!, Value: 'revoked', IfMatch: desc.ETag! }));
  const published = async (name: string, body: string, kvsArn?: string) => {
    const created = await createFunction(h, name, body, kvsArn);
    const id = created.ConnectionFunctionSummary!.Id!;
    await h.cf.send(new cf.PublishConnectionFunctionCommand({ Id: id, IfMatch: created.ETag! }));
    return id;
  };
  const revocationFn = await published('edge-revocation', REVOCATION_CHECK, store.ARN!);
  // Tells the log what it was given, so a test can hold the connection object against the handshake.
  const passFn = await published('edge-pass', `function connectionHandler(c) {
  var leaf = c.clientCertificate && c.clientCertificate.certificates.leaf;
  c.logCustomData((leaf ? 'cert ' + leaf.serialNumber : 'no cert') + ' ' + c.connectionId + ' ' + c.endpoint + ' ' + c.distributionId
    + ' ' + c.clientIp + (leaf ? ' ' + leaf.sha256Fingerprint + ' ' + leaf.validity.notAfter : ''));
  c.allow();
}`);
  const throwFn = await published('edge-throws', 'function connectionHandler(c) { throw new Error("boom"); }');
  const loopFn = await published('edge-loops', 'function connectionHandler(c) { while (true) {} }');

  const alias = 'api.edge-test.example';
  const base = (ref: string) => {
    const c = distributionConfig(ref);
    return { ...c, Origins: { Quantity: 1, Items: [{ Id: 'origin-1', DomainName: '127.0.0.1',
      CustomOriginConfig: { HTTPPort: originPort, HTTPSPort: 443, OriginProtocolPolicy: 'http-only' } }] } } as cf.DistributionConfig;
  };
  const make = async (ref: string, config: cf.DistributionConfig) => {
    const d = (await h.cf.send(new cf.CreateDistributionCommand({ DistributionConfig: config }))).Distribution!;
    return { name: d.DomainName!, id: d.Id! };
  };
  const mtls = (ref: string, mode: 'required' | 'optional', fnId: string, trustStoreId = ts, ignore = false, extra: Partial<cf.DistributionConfig> = {}) =>
    make(ref, { ...base(ref), ...extra, ViewerMtlsConfig: { Mode: mode, TrustStoreConfig: { TrustStoreId: trustStoreId, IgnoreCertificateExpiry: ignore } },
      ConnectionFunctionAssociation: { Id: fnId } });
  const made: Record<DistributionKey, { name: string; id: string }> = {
    required: await mtls('required', 'required', revocationFn, ts, false, { Aliases: { Quantity: 1, Items: [alias] } }),
    ignoreExpiry: await mtls('ignore', 'required', revocationFn, ts, true),
    optional: await mtls('optional', 'optional', passFn),
    passthrough: await make('passthrough', { ...base('passthrough'), DefaultCacheBehavior: { ...base('passthrough').DefaultCacheBehavior!, CachePolicyId: CACHING_DISABLED },
      ViewerMtlsConfig: { Mode: 'passthrough' }, ConnectionFunctionAssociation: { Id: passFn } }),
    ocsp: await mtls('ocsp', 'required', revocationFn, tsOcsp),
    throws: await mtls('throws', 'required', throwFn),
    loops: await mtls('loops', 'required', loopFn),
  };
  const edge = await startEdge({ readState: h.emu.readState, certificates: await localEdgeCa(path.join(dir, 'edge-ca')),
    connectionLogDir: path.join(dir, 'connection-logs'), limits });
  await responderUp;
  const keys = Object.keys(made) as DistributionKey[];
  return {
    h, edge, pki, dir, alias, originSeen,
    names: Object.fromEntries(keys.map((k) => [k, made[k].name])) as Record<DistributionKey, string>,
    ids: Object.fromEntries(keys.map((k) => [k, made[k].id])) as Record<DistributionKey, string>,
    async stop() {
      ocsp.kill();
      s3.destroy();
      await edge.close();
      await new Promise<void>((r) => origin.close(() => r()));
      await stopHarness(h);
      await stopSandboxWorkers();
    },
  };
}

/** The records of one distribution's connection log. */
export function logRecords(f: EdgeFixture, key: DistributionKey): Record<string, unknown>[] {
  const file = f.edge.logFileOf(f.ids[key]);
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

export { code };
