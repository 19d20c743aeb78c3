// Registers the pure-JS SigV4A signer with the SDK (signatureV4aContainer): the KeyValueStore data plane only
// accepts SigV4A, and without a registered signer its client fails at the first call.
import '@aws-sdk/signature-v4a';
import { existsSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { LookupFunction } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { CloudFrontKeyValueStoreClient, type CloudFrontKeyValueStoreClientConfig } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { ASSUMED_ROLE, NotCloudFrontError, SDK_CALL_INFO, type SdkCallInfo } from '../diagnostics/operational-error';
import { noteAccount, noteEndpoint, noteWaitingFor } from '../diagnostics/operation-context';
import { UserError } from '../diagnostics/user-error';

/** Where conngate sends its CloudFront calls: the real AWS (no endpoint) or an emulator (an endpoint URL). */
export interface Target {
  /** Base URL of a CloudFront-compatible endpoint (the emulator); undefined means the real AWS. */
  endpoint?: string;
  region: string;
  /** A named AWS profile for the credentials (a stage in another account); default: the SDK's default chain. */
  profile?: string;
  /**
   * A role to assume with those credentials (STS AssumeRole; with an endpoint, the emulator's STS subset at
   * `<endpoint>/sts`), as the stage stack's aws provider does with `assume_role`.
   */
  roleArn?: string;
  /** The assumed role's session name (CloudTrail shows it). @default conngate */
  roleSessionName?: string;
  /** Attempts per call including retries. @default $CONNGATE_MAX_ATTEMPTS, else 3 */
  maxAttempts?: number;
  /** Milliseconds a request may wait for its answer (per attempt). @default $CONNGATE_REQUEST_TIMEOUT_MS, else 30000 */
  requestTimeoutMs?: number;
  /** Milliseconds to open the connection (per attempt). @default $CONNGATE_CONNECT_TIMEOUT_MS, else 5000 */
  connectTimeoutMs?: number;
}

/** Per-attempt limits; a silent endpoint costs at most attempts x (connect + request timeout) plus back-off. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_ATTEMPTS = 3;

function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UserError(name, `"${raw}" is not a whole number from ${min} to ${max}`, `unset it or set e.g. ${name}=${fallback}`);
  }
  return n;
}

/** How the target is named in messages: the URL asked, or the real AWS endpoint. */
export function describeTarget(t: Target): string {
  return t.endpoint ?? 'AWS (cloudfront.amazonaws.com)';
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

/** Region, retries, timeouts and credentials every client of the target shares. */
export function commonConfig(t: Target) {
  return {
    region: t.region,
    maxAttempts: t.maxAttempts ?? envNumber('CONNGATE_MAX_ATTEMPTS', DEFAULT_MAX_ATTEMPTS, 1, 20),
    requestHandler: {
      connectionTimeout: t.connectTimeoutMs ?? envNumber('CONNGATE_CONNECT_TIMEOUT_MS', DEFAULT_CONNECT_TIMEOUT_MS, 1, 600_000),
      requestTimeout: t.requestTimeoutMs ?? envNumber('CONNGATE_REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_TIMEOUT_MS, 1, 3_600_000),
      // Without it the handler only logs a warning and keeps waiting on a silent endpoint.
      throwOnRequestTimeout: true,
    },
    ...credentialsConfig(t),
  };
}

/** One assumed-role provider per target, so a stage's clients share one session (one AssumeRole for both). */
const assumedRoles = new WeakMap<Target, ReturnType<typeof fromTemporaryCredentials>>();

/** The credentials: the profile's or the default chain's, or a role assumed with them. */
function credentialsConfig(t: Target) {
  // With an emulator and no AWS setup at all, fixed credentials let a laptop without an AWS account work
  // (the SDK would otherwise stop at "Could not load credentials").
  const emulatorOnly = t.endpoint !== undefined && !awsCredentialsConfigured();
  if (!t.roleArn) return { ...(emulatorOnly ? { credentials: EMULATOR_CREDENTIALS } : {}), ...(t.profile ? { profile: t.profile } : {}) };
  const known = assumedRoles.get(t);
  if (known) return { credentials: known };
  const master = emulatorOnly ? EMULATOR_CREDENTIALS : t.profile ? fromIni({ profile: t.profile }) : undefined;
  const roleArn = t.roleArn;
  const assume = fromTemporaryCredentials({
    params: { RoleArn: roleArn, RoleSessionName: t.roleSessionName ?? 'conngate' },
    ...(master ? { masterCredentials: master } : {}),
    clientConfig: { region: t.region, ...(t.endpoint ? { endpoint: `${t.endpoint}/sts` } : {}) },
  });
  // A failure to assume the role says so (which role, and that its trust is the fix), not "access denied" to CloudFront.
  const credentials: typeof assume = async (props) => {
    try {
      return await assume(props);
    } catch (e) {
      if (e && typeof e === 'object') Object.assign(e, { [ASSUMED_ROLE]: roleArn });
      throw e;
    }
  };
  assumedRoles.set(t, credentials);
  return { credentials };
}

type AnyInput = Record<string, unknown>;
type AnyOutput = Record<string, unknown> & { ConnectionFunctionSummary?: { ConnectionFunctionArn?: string } };

function identifierOf(input: AnyInput): string | undefined {
  for (const k of ['Identifier', 'Id', 'Name', 'KvsARN', 'Resource', 'ARN']) {
    if (typeof input?.[k] === 'string') return input[k] as string;
  }
  return undefined;
}

function accountOf(output: AnyOutput | undefined): string | undefined {
  const arn = output?.ConnectionFunctionSummary?.ConnectionFunctionArn ?? (output?.KvsARN as string | undefined);
  return typeof arn === 'string' ? arn.split(':')[4] || undefined : undefined;
}

const hasRequestId = (h: Record<string, string>) => ['x-amzn-requestid', 'x-amz-request-id', 'x-amzn-request-id']
  .some((k) => Object.keys(h).some((hk) => hk.toLowerCase() === k));

/**
 * Middleware every client gets: it records what the command is waiting for, the account an ARN reveals, and tags
 * a failing call's error with the operation, endpoint and resource, so the CLI's one-line message can name them.
 * With a custom endpoint it also checks that the answer comes from the CloudFront API (every AWS answer carries a
 * request id; a web server's HTML 404 does not), so a wrong endpoint is an error, never "nothing deployed".
 */
function instrument<C extends { middlewareStack: { add: (...a: never[]) => void } }>(client: C, t: Target): C {
  const endpoint = describeTarget(t);
  const stack = client.middlewareStack as unknown as {
    add(mw: unknown, opts: { step: string; name: string; priority?: string }): void;
  };
  stack.add((next: (a: { input: AnyInput }) => Promise<{ output: AnyOutput }>, context: { commandName?: string }) =>
    async (args: { input: AnyInput }) => {
      const info: SdkCallInfo = { operation: (context.commandName ?? 'request').replace(/Command$/, ''), endpoint, identifier: identifierOf(args.input) };
      const waiting = `${info.operation} at ${endpoint}`;
      noteWaitingFor(waiting);
      try {
        const result = await next(args);
        const account = accountOf(result.output);
        if (account) noteAccount(account);
        return result;
      } catch (e) {
        if (e && typeof e === 'object') Object.assign(e, { [SDK_CALL_INFO]: info });
        throw e;
      } finally {
        noteWaitingFor(undefined);
      }
    }, { step: 'initialize', name: 'conngateCallInfo', priority: 'high' });
  if (t.endpoint) {
    stack.add((next: (a: unknown) => Promise<{ response: { statusCode: number; headers: Record<string, string> } }>) => async (args: unknown) => {
      const result = await next(args);
      const { statusCode, headers } = result.response;
      // 5xx answers go on to the SDK, which retries them (a proxy's 502 page is a passing outage, not a wrong endpoint).
      if (statusCode < 500 && !hasRequestId(headers ?? {})) {
        const type = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
        throw new NotCloudFrontError(endpoint, `HTTP ${statusCode}${type ? ` ${type}` : ''} without an AWS request id`);
      }
      return result;
    }, { step: 'deserialize', name: 'conngateCloudFrontCheck', priority: 'low' });
  }
  return client;
}

/**
 * The target alone decides where CloudFront and KeyValueStore calls go: an endpoint from the SDK's own settings
 * (AWS_ENDPOINT_URL, `endpoint_url` in a profile) would send a run aimed at AWS elsewhere, and records made there
 * would name AWS (the SDK marks such a client as one with a custom endpoint only after its first call).
 */
export const TARGET_ONLY = { ignoreConfiguredEndpointUrls: true } as const;

/** A CloudFront control-plane client for the target. */
export function createCloudFrontClient(t: Target): CloudFrontClient {
  noteEndpoint({ endpoint: describeTarget(t) });
  return instrument(new CloudFrontClient({ ...commonConfig(t), ...(t.endpoint ? { endpoint: t.endpoint } : {}), ...TARGET_ONLY }), t);
}

/**
 * A KeyValueStore data-plane client for the target. Its endpoint rules put the account id of the store's ARN in
 * front of the host (`{accountId}.cloudfront-kvs.global.api.aws`, and likewise `{accountId}.127.0.0.1` for a custom
 * endpoint, which does not resolve), so with an endpoint the client gets an endpoint provider that returns the
 * endpoint as given, with the same SigV4A signing properties the rules would have returned.
 */
export function createKvsClient(t: Target): CloudFrontKeyValueStoreClient {
  noteEndpoint({ endpoint: describeTarget(t) });
  if (!t.endpoint) return instrument(new CloudFrontKeyValueStoreClient({ ...commonConfig(t), ...TARGET_ONLY }), t);
  const url = new URL(t.endpoint);
  // The shape the endpoint rules return (their auth scheme entries carry no signingRegion, unlike the SDK's type).
  const endpointProvider = (() => ({
    url,
    properties: { authSchemes: [{ name: 'sigv4a', signingName: 'cloudfront-keyvaluestore', signingRegionSet: ['*'] }] },
  })) as unknown as CloudFrontKeyValueStoreClientConfig['endpointProvider'];
  const client = new CloudFrontKeyValueStoreClient({ ...commonConfig(t), endpointProvider, ...TARGET_ONLY });
  // The endpoint provider stands for an endpoint: the client says so as one given an endpoint does, which is what
  // tells records (approvals) made against an emulator from records made on AWS (evidence-signing.ts).
  client.config.isCustomEndpoint = true;
  return instrument(client, t);
}

/** Asked before a connection with the host and port it names: throws to refuse, or names the lookup to connect with. */
export type ConnectGuard = (host: string, port: number | undefined, secure: boolean) => LookupFunction | undefined;

/**
 * An S3 client for the target (CRLs that AWS Private CA writes to S3). With an endpoint it talks to the
 * emulator's S3 subset under `<endpoint>/s3`, path-style (`/s3/<bucket>/<key>`).
 *
 * `guard`, when given, is asked before every connection the client makes, with the host and port it names
 * (revocation's address policy for CRL downloads): it refuses, or names the `lookup` to connect with, so the
 * address it checks is the address connected to. Per connection rather than per configured endpoint: the SDK
 * also takes endpoints from AWS_ENDPOINT_URL(_S3) and the profile, and follows region redirects.
 */
export function createS3Client(t: Target, connect: { guard?: ConnectGuard } = {}): S3Client {
  const common = commonConfig(t);
  const { guard } = connect;
  return new S3Client({
    ...common, followRegionRedirects: true,
    ...(t.endpoint ? { endpoint: `${t.endpoint}/s3`, forcePathStyle: true } : {}),
    ...(guard ? {
      requestHandler: {
        ...common.requestHandler,
        httpAgent: guardedAgent(new HttpAgent({ keepAlive: true }), guard, false),
        httpsAgent: guardedAgent(new HttpsAgent({ keepAlive: true }), guard, true),
      },
    } : {}),
  });
}

/** `agent`, asking `guard` before each connection; a refusal reaches the request as its error. */
function guardedAgent<A extends HttpAgent>(agent: A, guard: ConnectGuard, secure: boolean): A {
  const create = agent.createConnection.bind(agent);
  agent.createConnection = (options, callback) => {
    let lookup: LookupFunction | undefined;
    try {
      lookup = guard(String(options.host ?? options.hostname ?? 'localhost'), Number(options.port) || undefined, secure);
    } catch (e) {
      callback?.(e as Error, undefined as never);
      return undefined;
    }
    return create(lookup ? { ...options, lookup } : options, callback);
  };
  return agent;
}
