/**
 * A KeyValueStore in the local emulator, reached through the real SDK clients: created over the control plane,
 * seeded with the stage canary, read back key by key through ListKeys.
 */
import * as fs from 'node:fs';
import { CreateKeyValueStoreCommand, DescribeKeyValueStoreCommand as DescribeStoreControl } from '@aws-sdk/client-cloudfront';
import {
  CloudFrontKeyValueStoreClient, DescribeKeyValueStoreCommand, ListKeysCommand, PutKeyCommand, UpdateKeysCommand,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
import { createCloudFrontClient, createKvsClient } from '../../aws/clients';
import { FaultConfig, RunningEmulator, startEmulator } from '../../emulator';
import { ApiCallCount, countApiCalls } from '../../revocation/api-call-counter';
import { DEFAULT_CANARY_SERIAL } from '../../revocation/canonical-serial';
import { makeCa, tempDir, TestCa } from './openssl-pki';

/** The canary a stage keeps when its config names none. */
export const CANARY = DEFAULT_CANARY_SERIAL;

export interface EmulatorStore {
  emulator: RunningEmulator;
  client: CloudFrontKeyValueStoreClient;
  calls: ApiCallCount;
  kvsArn: string;
}

let counter = 0;

/**
 * Starts an emulator (or reuses one) and creates a fresh store holding only the canary. `name`: the store's name, e.g.
 * a stage's declared `conngate-dev-revoked-serials`, which commands that take the store from an outputs file confirm.
 */
export async function emulatorStore(opts: { emulator?: RunningEmulator; faults?: FaultConfig; canary?: boolean; name?: string } = {}): Promise<EmulatorStore> {
  const emulator = opts.emulator ?? await startEmulator({ port: 0, faults: opts.faults });
  const target = { endpoint: emulator.endpoint, region: 'us-east-1', maxAttempts: 5 };
  const cf = createCloudFrontClient(target);
  const created = await cf.send(new CreateKeyValueStoreCommand({ Name: opts.name ?? `revocations-${process.pid}-${++counter}` }));
  const kvsArn = created.KeyValueStore!.ARN!;
  for (let i = 0; i < 100; i++) {
    const d = await cf.send(new DescribeStoreControl({ Name: created.KeyValueStore!.Name! }));
    if (d.KeyValueStore?.Status === 'READY') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const client = createKvsClient(target);
  if (opts.canary !== false) {
    const d = await client.send(new DescribeKeyValueStoreCommand({ KvsARN: kvsArn }));
    await client.send(new PutKeyCommand({ KvsARN: kvsArn, Key: CANARY, Value: '1', IfMatch: d.ETag! }));
  }
  const calls = countApiCalls(client);
  return { emulator, client, calls, kvsArn };
}

/** The store's whole content, read back through ListKeys. */
export async function readAll(client: CloudFrontKeyValueStoreClient, kvsArn: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let next: string | undefined;
  do {
    const page = await client.send(new ListKeysCommand({ KvsARN: kvsArn, MaxResults: 50, NextToken: next }));
    for (const i of page.Items ?? []) out.set(i.Key!, i.Value!);
    next = page.NextToken;
  } while (next);
  return out;
}

/** The store's current data-plane ETag. */
export async function storeEtag(client: CloudFrontKeyValueStoreClient, kvsArn: string): Promise<string> {
  return (await client.send(new DescribeKeyValueStoreCommand({ KvsARN: kvsArn }))).ETag!;
}

/** Writes keys directly (as another writer would), 50 per request. */
export async function putDirect(client: CloudFrontKeyValueStoreClient, kvsArn: string, keys: string[], value = '1'): Promise<void> {
  for (let i = 0; i < keys.length; i += 50) {
    await client.send(new UpdateKeysCommand({
      KvsARN: kvsArn, IfMatch: await storeEtag(client, kvsArn), Puts: keys.slice(i, i + 50).map((Key) => ({ Key, Value: value })),
    }));
  }
}

/** What emulatorFixture sets up: read its fields inside tests and hooks, not at describe time. */
export interface EmulatorFixture {
  emu: RunningEmulator;
  /** a temporary folder, removed after the block */
  dir: string;
  /** a CA made in `dir` (only when a name was given) */
  ca: TestCa;
}

/**
 * One emulator and one temporary folder for the enclosing describe block: started in beforeAll, closed and removed
 * in afterAll. With `caName`, a CA of that name is made in the folder too.
 */
export function emulatorFixture(caName?: string): EmulatorFixture {
  const fx = {} as EmulatorFixture;
  beforeAll(async () => {
    fx.emu = await startEmulator({ port: 0 });
    fx.dir = tempDir();
    if (caName) fx.ca = makeCa(fx.dir, caName);
  });
  afterAll(async () => {
    await fx.emu?.close();
    if (fx.dir) fs.rmSync(fx.dir, { recursive: true, force: true });
  });
  return fx;
}
