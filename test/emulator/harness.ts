import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as cf from '@aws-sdk/client-cloudfront';
import * as kv from '@aws-sdk/client-cloudfront-keyvaluestore';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator';
import { createCloudFrontClient, createKvsClient } from '../../aws/clients';

export interface Harness {
  emu: RunningEmulator;
  cf: cf.CloudFrontClient;
  kvs: kv.CloudFrontKeyValueStoreClient;
}

/** Starts an emulator and the real SDK clients pointed at it, exactly as conngate builds them. */
export async function startHarness(opts: EmulatorOptions = {}, maxAttempts = 1): Promise<Harness> {
  const emu = await startEmulator({ port: 0, ...opts });
  const target = { endpoint: emu.endpoint, region: 'us-east-1', maxAttempts };
  return { emu, cf: createCloudFrontClient(target), kvs: createKvsClient(target) };
}

export async function stopHarness(h: Harness | undefined): Promise<void> {
  if (!h) return;
  h.cf.destroy();
  h.kvs.destroy();
  await h.emu.close();
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'conngate-emulator-'));
}

export const RUNTIME = 'cloudfront-js-2.0';
export const code = (s: string) => new TextEncoder().encode(s);

/** The error name and HTTP status an SDK call failed with. */
export async function failure(p: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export async function createStore(h: Harness, name: string) {
  const r = await h.cf.send(new cf.CreateKeyValueStoreCommand({ Name: name, Comment: `${name} store` }));
  return r.KeyValueStore!;
}

export async function createFunction(h: Harness, name: string, body: string, kvsArn?: string) {
  return h.cf.send(new cf.CreateConnectionFunctionCommand({
    Name: name,
    ConnectionFunctionCode: code(body),
    ConnectionFunctionConfig: {
      Comment: `${name} function`,
      Runtime: RUNTIME,
      KeyValueStoreAssociations: kvsArn ? { Quantity: 1, Items: [{ KeyValueStoreARN: kvsArn }] } : { Quantity: 0 },
    },
  }));
}

export async function createTrustStore(h: Harness, name: string) {
  const r = await h.cf.send(new cf.CreateTrustStoreCommand({
    Name: name,
    CaCertificatesBundleSource: { CaCertificatesBundleS3Location: { Bucket: 'ca-bucket', Key: 'bundle.pem', Region: 'us-east-1' } },
  }));
  return r;
}

/** A minimal valid distribution config, optionally with viewer mTLS and a connection function association. */
export function distributionConfig(ref: string, opts: { trustStoreId?: string; functionId?: string; enabled?: boolean } = {}):
  cf.DistributionConfig {
  return {
    CallerReference: ref,
    Comment: `distribution ${ref}`,
    Enabled: opts.enabled ?? true,
    Origins: { Quantity: 1, Items: [{ Id: 'origin-1', DomainName: 'origin.example.com',
      CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only' } }] },
    DefaultCacheBehavior: { TargetOriginId: 'origin-1', ViewerProtocolPolicy: 'https-only',
      CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' },
    ...(opts.trustStoreId ? { ViewerMtlsConfig: { Mode: 'required', TrustStoreConfig: { TrustStoreId: opts.trustStoreId } } } : {}),
    ...(opts.functionId ? { ConnectionFunctionAssociation: { Id: opts.functionId } } : {}),
  };
}

/** A documented-shape connection object with the given leaf serial. */
export function connectionWithSerial(serialNumber: string): object {
  return {
    connectionId: 'a'.repeat(56), clientIp: '203.0.113.42', endpoint: 'd111111abcdef8.cloudfront.net',
    distributionId: 'E1NXS4MQZH501R',
    clientCertificate: { certificates: { leaf: {
      subject: 'C=US, O=Example Corp, CN=client.example.com',
      issuer: 'C=US, O=Example Corp, CN=Example Corp Intermediate CA',
      serialNumber,
      validity: { notBefore: '2025-09-10T23:43:10Z', notAfter: '2026-09-10T23:43:10Z' },
      sha256Fingerprint: 'q2sNmCrFOLkw8tMHnqhnYmV5+R3yXqkZyZ3u2v1JbQ0=',
    } } },
  };
}
