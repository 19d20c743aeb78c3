// Registers the pure-JS SigV4A signer with the SDK (signatureV4aContainer): the KeyValueStore data plane only
// accepts SigV4A, and without a registered signer its client fails at the first call.
import '@aws-sdk/signature-v4a';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import { CloudFrontKeyValueStoreClient, type CloudFrontKeyValueStoreClientConfig } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { UserError } from '../diagnostics/user-error';

/** Where conngate sends its CloudFront calls: the real AWS (no endpoint) or an emulator (an endpoint URL). */
export interface Target {
  /** Base URL of a CloudFront-compatible endpoint (the emulator); undefined means the real AWS. */
  endpoint?: string;
  region: string;
  /** Attempts per call including retries. @default the SDK default (3) */
  maxAttempts?: number;
}

/** Credentials an emulator accepts; it does not verify signatures. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'conngate-emulator', secretAccessKey: 'conngate-emulator' };

/**
 * Picks the target: the `--endpoint` flag, else the CONNGATE_ENDPOINT environment variable, else the real AWS.
 * Region: AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1 (CloudFront is a global service).
 */
export function resolveTarget(flags: { endpoint?: string } = {}): Target {
  const fromFlag = flags.endpoint !== undefined;
  const raw = flags.endpoint ?? process.env.CONNGATE_ENDPOINT;
  const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1';
  if (raw === undefined || raw === '') return { region };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError(fromFlag ? '--endpoint' : 'CONNGATE_ENDPOINT', `"${raw}" is not a URL`,
      'give the emulator base URL, e.g. http://127.0.0.1:4566');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(fromFlag ? '--endpoint' : 'CONNGATE_ENDPOINT', `"${raw}" must be an http:// or https:// URL`,
      'give the emulator base URL, e.g. http://127.0.0.1:4566');
  }
  return { endpoint: url.toString().replace(/\/$/, ''), region };
}

/** True when the SDK's default chain has something to find (environment keys, a profile, web identity, containers). */
function awsCredentialsConfigured(): boolean {
  const env = process.env;
  if (env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE
    || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return true;
  const files = [env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials'),
    env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config')];
  return files.some((f) => existsSync(f));
}

function commonConfig(t: Target) {
  return {
    region: t.region,
    ...(t.maxAttempts !== undefined ? { maxAttempts: t.maxAttempts } : {}),
    // With an emulator and no AWS setup at all, fixed credentials let a laptop without an AWS account work
    // (the SDK would otherwise stop at "Could not load credentials").
    ...(t.endpoint && !awsCredentialsConfigured() ? { credentials: EMULATOR_CREDENTIALS } : {}),
  };
}

/** A CloudFront control-plane client for the target. */
export function createCloudFrontClient(t: Target): CloudFrontClient {
  return new CloudFrontClient({ ...commonConfig(t), ...(t.endpoint ? { endpoint: t.endpoint } : {}) });
}

/**
 * A KeyValueStore data-plane client for the target. Its endpoint rules put the account id of the store's ARN in
 * front of the host (`{accountId}.cloudfront-kvs.global.api.aws`, and likewise `{accountId}.127.0.0.1` for a custom
 * endpoint, which does not resolve), so with an endpoint the client gets an endpoint provider that returns the
 * endpoint as given, with the same SigV4A signing properties the rules would have returned.
 */
export function createKvsClient(t: Target): CloudFrontKeyValueStoreClient {
  if (!t.endpoint) return new CloudFrontKeyValueStoreClient(commonConfig(t));
  const url = new URL(t.endpoint);
  // The shape the endpoint rules return (their auth scheme entries carry no signingRegion, unlike the SDK's type).
  const endpointProvider = (() => ({
    url,
    properties: { authSchemes: [{ name: 'sigv4a', signingName: 'cloudfront-keyvaluestore', signingRegionSet: ['*'] }] },
  })) as unknown as CloudFrontKeyValueStoreClientConfig['endpointProvider'];
  return new CloudFrontKeyValueStoreClient({ ...commonConfig(t), endpointProvider });
}

/**
 * An S3 client for the target (CRLs that AWS Private CA writes to S3). With an endpoint it talks to the
 * emulator's S3 subset under `<endpoint>/s3`, path-style (`/s3/<bucket>/<key>`).
 */
export function createS3Client(t: Target): S3Client {
  return new S3Client({
    ...commonConfig(t), followRegionRedirects: true,
    ...(t.endpoint ? { endpoint: `${t.endpoint}/s3`, forcePathStyle: true } : {}),
  });
}
