/**
 * Emulator throughput and added latency, measured through the real SDK clients over HTTP.
 *  - requests/s for DescribeConnectionFunction and TestConnectionFunction (sequential and 8 in flight);
 *  - the emulator's own added latency per request (p50, p99, no faults): the same SDK client calling a bare
 *    node:http server in this process that returns a fixed, valid DescribeConnectionFunction response is the
 *    baseline; the difference is what the emulator adds (routing, schema binding, handler, XML).
 * Run: npx tsx bench/emulator-throughput.ts   (or npm run bench:emulator)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as cf from '@aws-sdk/client-cloudfront';
import { startEmulator } from '../emulator';
import { createCloudFrontClient } from '../aws/clients';

const WARMUP = 200;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 2000);

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
  const fixedHeaders = { 'Content-Type': 'text/xml', ETag: fixed.headers.get('etag')!, 'Content-Length': String(fixedBody.length) };
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
  client.destroy();
  bareClient.destroy();
  bare.close();
  bare.closeAllConnections();
  await emu.close();
}

main().catch((err) => { console.error(err); process.exit(1); });
