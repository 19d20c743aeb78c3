/**
 * Revocation sync cost against the local emulator with 20 ms added latency per request:
 *   1. initial load of 100,000 serials into a store holding only the canary;
 *   2. a 1,000-change delta (600 new revocations, 400 removals) with a current snapshot;
 *   3. the same-size delta without a snapshot (the store is listed).
 * API calls are counted by an SDK middleware (every HTTP attempt) and cross-checked with the emulator's own
 * request counter; each phase is reported against the minimum possible number of calls and, for wall time,
 * against a baseline measured in the same process: bare UpdateKeys calls of 50 keys sent back to back.
 *
 *   npx tsx bench/revocation-sync.ts [--keys 100000] [--delta 1000] [--latency 20]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateKeyValueStoreCommand } from '@aws-sdk/client-cloudfront';
import { DescribeKeyValueStoreCommand, PutKeyCommand, UpdateKeysCommand } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { createCloudFrontClient, createKvsClient } from '../aws/clients';
import { startEmulator } from '../emulator';
import { countApiCalls, formatApiCalls, resetApiCalls } from '../revocation/api-call-counter';
import { REVOKED_VALUE, RevokedSet } from '../revocation/revoked-set';
import { syncRevocations } from '../revocation/sync';
import { DEFAULT_CANARY_SERIAL as CANARY } from '../revocation/canonical-serial';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const KEYS = arg('keys', 100_000);
const DELTA = arg('delta', 1_000);
const LATENCY = arg('latency', 20);

/** 16-byte serials with the high bit set, like most CAs issue (so the DER form carries a leading 00). */
const serial = (i: number): string => `9${(i * 2654435761 % 2 ** 32).toString(16).padStart(8, '0')}${i.toString(16).padStart(23, '0')}`;
const setOf = (keys: Iterable<string>): RevokedSet => ({ entries: new Map([...keys].map((k) => [k, REVOKED_VALUE])), inputs: ['bench'] });

async function main(): Promise<void> {
  const emulator = await startEmulator({ port: 0, faults: { latencyMs: LATENCY } });
  const target = { endpoint: emulator.endpoint, region: 'us-east-1' };
  const cf = createCloudFrontClient(target);
  const client = createKvsClient(target);
  const newStore = async (name: string): Promise<string> => {
    const arn = (await cf.send(new CreateKeyValueStoreCommand({ Name: name }))).KeyValueStore!.ARN!;
    const d = await client.send(new DescribeKeyValueStoreCommand({ KvsARN: arn }));
    await client.send(new PutKeyCommand({ KvsARN: arn, Key: CANARY, Value: '1', IfMatch: d.ETag! }));
    return arn;
  };
  const snapshotDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-bench-'));
  const rows: { phase: string; calls: number; minimum: number; detail: string; ms: number; baselineMs: number }[] = [];
  try {
    // Baseline: bare UpdateKeys round trips, 50 keys each, ETags threaded by hand.
    const baseArn = await newStore('bench-baseline');
    let etag = (await client.send(new DescribeKeyValueStoreCommand({ KvsARN: baseArn }))).ETag!;
    const BASE_CALLS = 40;
    // The first calls pay for connection setup and a cold (not yet optimised) pure-JS SigV4A signer: untimed.
    const WARMUP_CALLS = 40;
    let t0 = performance.now();
    for (let b = 0; b < WARMUP_CALLS + BASE_CALLS; b++) {
      if (b === WARMUP_CALLS) t0 = performance.now();
      const puts = Array.from({ length: 50 }, (_, i) => ({ Key: serial(10_000_000 + b * 50 + i), Value: '1' }));
      etag = (await client.send(new UpdateKeysCommand({ KvsARN: baseArn, IfMatch: etag, Puts: puts }))).ETag!;
    }
    const perCall = (performance.now() - t0) / BASE_CALLS;

    const kvsArn = await newStore('bench-revocations');
    const calls = countApiCalls(client);
    const phase = async (name: string, minimum: number, run: () => Promise<unknown>): Promise<void> => {
      resetApiCalls(calls);
      const before = emulator.requestCount();
      const t = performance.now();
      await run();
      const ms = performance.now() - t;
      const served = emulator.requestCount() - before;
      if (served !== calls.total) throw new Error(`${name}: the client counted ${calls.total} calls, the emulator served ${served}`);
      rows.push({ phase: name, calls: calls.total, minimum, detail: formatApiCalls(calls), ms, baselineMs: perCall * calls.total });
      process.stderr.write(`${name}: ${formatApiCalls(calls)} in ${(ms / 1000).toFixed(1)} s\n`);
    };
    const progress = (l: string): void => { if (/listed|batch \d+\/\d+ written/.test(l)) process.stderr.write(`  ${l}\n`); };

    const initial = Array.from({ length: KEYS }, (_, i) => serial(i));
    // Minimum: one read to learn the ETag, then ceil(n/50) writes.
    await phase(`initial load of ${KEYS} serials`, 1 + Math.ceil(KEYS / 50), () =>
      syncRevocations({ client, kvsArn, source: setOf(initial), protectedKeys: [CANARY], snapshotDir, onProgress: progress }));

    const adds = Math.round(DELTA * 0.6);
    const removes = DELTA - adds;
    const delta1 = [...initial.slice(removes), ...Array.from({ length: adds }, (_, i) => serial(KEYS + i))];
    // Minimum with a snapshot: the writes alone (the snapshot's ETag is the If-Match of the first one).
    await phase(`${DELTA}-change delta, snapshot current`, Math.ceil(DELTA / 50), () =>
      syncRevocations({ client, kvsArn, source: setOf(delta1), protectedKeys: [CANARY], snapshotDir, onProgress: progress }));

    const delta2 = [...delta1.slice(removes), ...Array.from({ length: adds }, (_, i) => serial(2 * KEYS + i))];
    // Minimum without a snapshot: Describe, list every key 50 at a time, then the writes.
    await phase(`${DELTA}-change delta, no snapshot`, 1 + Math.ceil((delta1.length + 1) / 50) + Math.ceil(DELTA / 50), () =>
      syncRevocations({ client, kvsArn, source: setOf(delta2), protectedKeys: [CANARY], onProgress: progress }));
  } finally {
    await emulator.close();
    fs.rmSync(snapshotDir, { recursive: true, force: true });
  }

  const lines = [
    `revocation sync against the emulator, ${LATENCY} ms added latency per request; baseline: bare UpdateKeys round trip`,
    '| phase | API calls | minimum possible | calls / minimum | wall time | wall / (calls x baseline call) | calls by operation |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...rows.map((r) => `| ${r.phase} | ${r.calls} | ${r.minimum} | ${(r.calls / r.minimum).toFixed(3)} | ${(r.ms / 1000).toFixed(2)} s | ${(r.ms / r.baselineMs).toFixed(2)} | ${r.detail} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'results', 'revocation-sync.json'), JSON.stringify({ latencyMs: LATENCY, rows }, null, 2));
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
