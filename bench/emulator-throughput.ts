/**
 * Emulator throughput and added latency, measured through the real SDK clients over HTTP.
 *  - requests/s for DescribeConnectionFunction and TestConnectionFunction (sequential and 8 in flight);
 *  - the emulator's own added latency per request (p50, p99, no faults): the same SDK client calling a bare
 *    node:http server in this process that returns a fixed, valid DescribeConnectionFunction response is the
 *    baseline; the difference is what the emulator adds (routing, schema binding, handler, XML);
 *  - the request front end's own cost (Host/Origin/content-type guard, strict target parsing, the state lock),
 *    timed alone per request and set against the emulator's p50 round trip measured in the same run;
 *  - KeyValueStore scaling: UpdateKeys (25 new keys + 25 deletes, so the size holds) and a full ListKeys, on a
 *    store of 100,000 keys against one of 1,000 keys in the same emulator; a write or a page whose cost does not
 *    grow with the store shows a ratio near 1.
 * Run: npx tsx bench/emulator-throughput.ts   (or npm run bench:emulator)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as cf from '@aws-sdk/client-cloudfront';
import * as kv from '@aws-sdk/client-cloudfront-keyvaluestore';
import { startEmulator, type RunningEmulator } from '../emulator';
import { RequestGuard } from '../emulator/request-guard';
import { RequestLock } from '../emulator/request-lock';
import { parseRequestTarget } from '../emulator/request-url';
import { createCloudFrontClient, createKvsClient } from '../aws/clients';

const WARMUP = 200;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 2000);
const KVS_SMALL = 1_000;
const KVS_LARGE = Number(process.env.BENCH_KVS_KEYS ?? 100_000);
const KVS_WRITES = Number(process.env.BENCH_KVS_WRITES ?? 200);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timeEach(n: number, call: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await call();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out.sort((a, b) => a - b);
}

async function throughput(total: number, concurrency: number, call: () => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < total) await call();
  }));
  return total / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function main() {
  const emu = await startEmulator({ port: 0 });
  const client = createCloudFrontClient({ endpoint: emu.endpoint, region: 'us-east-1', maxAttempts: 1 });
  const code = new TextEncoder().encode(
    'function connectionHandler(connection) { const s = connection.clientCertificate.certificates.leaf.serialNumber;'
    + ' if (s === "01") connection.deny(); else connection.allow(); }');
  const created = await client.send(new cf.CreateConnectionFunctionCommand({ Name: 'bench', ConnectionFunctionCode: code,
    ConnectionFunctionConfig: { Comment: 'bench', Runtime: 'cloudfront-js-2.0' } }));
  const id = created.ConnectionFunctionSummary!.Id!;
  const etag = created.ETag!;
  const connection = new TextEncoder().encode(JSON.stringify({ clientIp: '203.0.113.42',
    clientCertificate: { certificates: { leaf: { serialNumber: '02', subject: 'CN=x', issuer: 'CN=ca' } } } }));
  const describe = () => client.send(new cf.DescribeConnectionFunctionCommand({ Identifier: id }));
  const test = () => client.send(new cf.TestConnectionFunctionCommand({ Id: id, IfMatch: etag, Stage: 'DEVELOPMENT', ConnectionObject: connection }));

  // Baseline: a bare node:http server replaying the emulator's exact Describe response bytes.
  const fixed = await fetch(`${emu.endpoint}/2020-05-31/connection-function/${id}/describe`);
  const fixedBody = Buffer.from(await fixed.arrayBuffer());
  // With the request id header, as the emulator and AWS send it (the client refuses an answer without one).
  const fixedHeaders = { 'Content-Type': 'text/xml', ETag: fixed.headers.get('etag')!, 'Content-Length': String(fixedBody.length),
    'x-amzn-RequestId': fixed.headers.get('x-amzn-requestid')! };
  const bare = createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, fixedHeaders); res.end(fixedBody); }); });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bareClient = createCloudFrontClient({ endpoint: `http://127.0.0.1:${(bare.address() as AddressInfo).port}`, region: 'us-east-1', maxAttempts: 1 });
  const bareDescribe = () => bareClient.send(new cf.DescribeConnectionFunctionCommand({ Identifier: id }));

  await timeEach(WARMUP, describe);
  await timeEach(WARMUP, bareDescribe);
  await timeEach(WARMUP, test);
  // Interleave the baseline and the emulator in rounds so that drift (GC, CPU frequency) hits both alike.
  const base: number[] = [];
  const emuLat: number[] = [];
  for (let round = 0; round < 10; round++) {
    base.push(...await timeEach(SAMPLES / 10, bareDescribe));
    emuLat.push(...await timeEach(SAMPLES / 10, describe));
  }
  base.sort((a, b) => a - b);
  emuLat.sort((a, b) => a - b);
  const testLat = await timeEach(SAMPLES / 2, test);

  const rows = [
    ['DescribeConnectionFunction, 1 in flight', await throughput(SAMPLES, 1, describe)],
    ['DescribeConnectionFunction, 8 in flight', await throughput(SAMPLES, 8, describe)],
    ['TestConnectionFunction, 1 in flight', await throughput(SAMPLES / 2, 1, test)],
    ['TestConnectionFunction, 8 in flight', await throughput(SAMPLES / 2, 8, test)],
    ['baseline bare node:http, 1 in flight', await throughput(SAMPLES, 1, bareDescribe)],
  ] as const;
  console.log(`emulator throughput (real SDK client over HTTP, same process, ${SAMPLES} requests per row)`);
  for (const [name, rps] of rows) console.log(`  ${name.padEnd(40)} ${rps.toFixed(0).padStart(6)} req/s`);
  const p = (a: number[], q: number) => percentile(a, q).toFixed(3);
  console.log('round-trip latency per request, ms (p50 / p99)');
  console.log(`  baseline (bare node:http, fixed body)   ${p(base, 50)} / ${p(base, 99)}`);
  console.log(`  emulator DescribeConnectionFunction     ${p(emuLat, 50)} / ${p(emuLat, 99)}`);
  console.log(`  emulator TestConnectionFunction         ${p(testLat, 50)} / ${p(testLat, 99)}`);
  console.log('emulator added latency (emulator minus baseline), ms');
  console.log(`  Describe p50 ${(percentile(emuLat, 50) - percentile(base, 50)).toFixed(3)}   p99 ${(percentile(emuLat, 99) - percentile(base, 99)).toFixed(3)}`);
  console.log(`  ratio emulator/baseline p50 ${(percentile(emuLat, 50) / percentile(base, 50)).toFixed(2)}x`);
  const frontEnd = await frontEndCost(emu.port, id);
  console.log('request front end per request (guard + target parsing + state lock), alone, same process');
  console.log(`  ${(frontEnd * 1000).toFixed(2)} us per request = ${((frontEnd / percentile(emuLat, 50)) * 100).toFixed(2)}% of the emulator's Describe p50 round trip`);
  client.destroy();
  bareClient.destroy();
  bare.close();
  bare.closeAllConnections();
  await kvsScaling(emu);
  await emu.close();
}

/** Mean ms per request of what the front end does before an operation runs, with the headers the SDK sends. */
async function frontEndCost(port: number, id: string): Promise<number> {
  const guard = new RequestGuard({ allowedHosts: ['emulator.internal'] });
  const lock = new RequestLock();
  const headers = {
    host: `127.0.0.1:${port}`, 'content-type': 'application/xml', 'user-agent': 'aws-sdk-js/3 ua/2.1 os/linux lang/js',
    'x-amz-date': '20260101T000000Z', authorization: 'AWS4-HMAC-SHA256 Credential=x', 'amz-sdk-request': 'attempt=1; max=1',
  };
  const url = `/2020-05-31/connection-function/${id}/describe?Stage=DEVELOPMENT`;
  const once = async () => {
    if (guard.check('GET', headers)) throw new Error('refused');
    if ('malformed' in parseRequestTarget(url)) throw new Error('malformed');
    (await lock.acquire(false, 1000))();
  };
  for (let i = 0; i < 20_000; i++) await once();
  const n = 200_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await once();
  return Number(process.hrtime.bigint() - t0) / 1e6 / n;
}

/** One KeyValueStore filled with `keys` keys (50 per UpdateKeys), and the writes and listing measured on it. */
class BenchStore {
  private etag = '';
  private nextKey = 0;
  private oldestKey = 0;

  private constructor(private readonly client: kv.CloudFrontKeyValueStoreClient, readonly arn: string, readonly keys: number) {}

  static async create(emu: RunningEmulator, client: kv.CloudFrontKeyValueStoreClient, name: string, keys: number): Promise<BenchStore> {
    const control = createCloudFrontClient({ endpoint: emu.endpoint, region: 'us-east-1', maxAttempts: 1 });
    const arn = (await control.send(new cf.CreateKeyValueStoreCommand({ Name: name }))).KeyValueStore!.ARN!;
    control.destroy();
    const store = new BenchStore(client, arn, keys);
    store.etag = (await client.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: arn }))).ETag!;
    while (store.nextKey < keys) {
      const n = Math.min(50, keys - store.nextKey);
      await store.update(Array.from({ length: n }, () => store.newKey()), []);
    }
    return store;
  }

  /** Serial-like keys in scrambled order, so writes land all over the key order rather than at its end. */
  private newKey(): string {
    return this.keyAt(this.nextKey++);
  }

  private keyAt(i: number): string {
    return `${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}${i.toString(16).padStart(24, '0')}`;
  }

  private async update(puts: string[], deletes: string[]): Promise<void> {
    const r = await this.client.send(new kv.UpdateKeysCommand({ KvsARN: this.arn, IfMatch: this.etag,
      Puts: puts.map((Key) => ({ Key, Value: '1' })), Deletes: deletes.map((Key) => ({ Key })) }));
    this.etag = r.ETag!;
  }

  /** One UpdateKeys of 25 new keys and 25 deletes of the oldest ones, so the store keeps its size; ms. */
  async timedWrite(): Promise<number> {
    const puts = Array.from({ length: 25 }, () => this.newKey());
    const deletes = Array.from({ length: 25 }, () => this.keyAt(this.oldestKey++));
    const t0 = process.hrtime.bigint();
    await this.update(puts, deletes);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  }

  /** Lists every key, 50 per page; ms for the whole listing and the number of pages. */
  async timedFullList(): Promise<{ ms: number; pages: number }> {
    let token: string | undefined;
    let pages = 0;
    let seen = 0;
    const t0 = process.hrtime.bigint();
    do {
      const page = await this.client.send(new kv.ListKeysCommand({ KvsARN: this.arn, MaxResults: 50, NextToken: token }));
      seen += page.Items!.length;
      token = page.NextToken;
      pages++;
    } while (token);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (seen !== this.keys) throw new Error(`listed ${seen} keys of ${this.keys}`);
    return { ms, pages };
  }
}

async function kvsScaling(emu: RunningEmulator): Promise<void> {
  const client = createKvsClient({ endpoint: emu.endpoint, region: 'us-east-1', maxAttempts: 1 });
  const t0 = Date.now();
  const small = await BenchStore.create(emu, client, 'bench-small', KVS_SMALL);
  const large = await BenchStore.create(emu, client, 'bench-large', KVS_LARGE);
  process.stderr.write(`filled stores of ${KVS_SMALL} and ${KVS_LARGE} keys in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  for (let i = 0; i < 20; i++) { await small.timedWrite(); await large.timedWrite(); }
  // Interleaved in rounds so that drift (GC, CPU frequency) hits both stores alike.
  const writes = { small: [] as number[], large: [] as number[] };
  for (let round = 0; round < 10; round++) {
    for (let i = 0; i < KVS_WRITES / 10; i++) writes.small.push(await small.timedWrite());
    for (let i = 0; i < KVS_WRITES / 10; i++) writes.large.push(await large.timedWrite());
  }
  writes.small.sort((a, b) => a - b);
  writes.large.sort((a, b) => a - b);
  // Several full listings of the small store (one is only 20 pages), one of the large store.
  const smallLists = [];
  for (let i = 0; i < 5; i++) smallLists.push(await small.timedFullList());
  const largeList = await large.timedFullList();
  const smallPage = smallLists.reduce((n, l) => n + l.ms, 0) / smallLists.reduce((n, l) => n + l.pages, 0);
  const smallList = smallLists.reduce((n, l) => n + l.ms, 0) / smallLists.length;
  const largePage = largeList.ms / largeList.pages;
  const mean = (a: number[]) => a.reduce((n, x) => n + x, 0) / a.length;
  const f = (ms: number) => ms.toFixed(3);
  const n = (keys: number) => `${keys} keys`.padEnd(12);
  console.log(`KeyValueStore scaling (real SDK client over HTTP, ${KVS_LARGE} keys vs ${KVS_SMALL} keys, same process)`);
  console.log(`  UpdateKeys 25 puts + 25 deletes, ms (p50 / mean, ${KVS_WRITES} calls each)`);
  console.log(`    ${n(KVS_SMALL)} ${f(percentile(writes.small, 50))} / ${f(mean(writes.small))}`);
  console.log(`    ${n(KVS_LARGE)} ${f(percentile(writes.large, 50))} / ${f(mean(writes.large))}`);
  console.log(`    ratio large/small p50 ${(percentile(writes.large, 50) / percentile(writes.small, 50)).toFixed(2)}x   mean ${(mean(writes.large) / mean(writes.small)).toFixed(2)}x`);
  console.log('  full ListKeys, 50 per page');
  console.log(`    ${n(KVS_SMALL)} ${smallLists[0].pages} pages, ${f(smallList)} ms (mean of ${smallLists.length}), ${f(smallPage)} ms per page`);
  console.log(`    ${n(KVS_LARGE)} ${largeList.pages} pages, ${f(largeList.ms)} ms, ${f(largePage)} ms per page`);
  console.log(`    ratio large/small per page ${(largePage / smallPage).toFixed(2)}x   whole listing ${(largeList.ms / smallList).toFixed(1)}x`
    + ` (keys ${(KVS_LARGE / KVS_SMALL).toFixed(0)}x: linear listing = ${(KVS_LARGE / KVS_SMALL).toFixed(0)}x)`);
  client.destroy();
}

main().catch((err) => { console.error(err); process.exit(1); });
