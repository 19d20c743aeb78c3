/**
 * Step c of the pipeline at scale: a 200-case suite through TestConnectionFunction against the emulator with
 * 50 ms of added latency per request. Compares, in the same run and against the same function:
 *   baseline  a sequential loop of the same SDK calls (what a naive script does)
 *   pipeline  the stage identity check (stage-identity.ts: the function and store the outputs name are the stage's,
 *             asked of CloudFront), then runRemoteSuite with its limiter (bounded concurrency under a request-rate
 *             ceiling)
 * and checks that the pipeline never started more requests in any one-second window than the ceiling allows.
 *
 *   npx tsx bench/orchestrator-suite.ts [--cases 200] [--latency 50] [--concurrency 16] [--rate 150]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreateConnectionFunctionCommand, TestConnectionFunctionCommand } from '@aws-sdk/client-cloudfront';
import { CreateKeyValueStoreCommand } from '@aws-sdk/client-cloudfront';
import { DescribeKeyValueStoreCommand, PutKeyCommand } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { createCloudFrontClient, createKvsClient } from '../aws/clients';
import { startEmulator } from '../emulator';
import { RateLimiter } from '../orchestrator/stage/rate-limiter';
import { confirmStageIdentity } from '../orchestrator/pipeline/stage-identity';
import { runRemoteSuite, type RemoteCase } from '../orchestrator/suite/remote-suite';
import { readTestResult } from '../orchestrator/suite/test-output';
import { numberArg } from './bench-args';

const CASES = numberArg('cases', 200);
const LATENCY = numberArg('latency', 50);
const CONCURRENCY = numberArg('concurrency', 16);
const RATE = numberArg('rate', 150);
const CANARY = '0badc0de0badc0de';

function connection(serial: string | undefined): object {
  return {
    connectionId: 'bench', clientIp: '203.0.113.9', endpoint: 'd111111abcdef8.cloudfront.net', distributionId: 'E1BENCH',
    ...(serial ? { clientCertificate: { certificates: { leaf: {
      subject: 'C=US, O=Example Corp, CN=client.example.com', issuer: 'C=US, O=Example Corp, CN=Example Corp Intermediate CA',
      serialNumber: serial, validity: { notBefore: '2026-01-01T00:00:00Z', notAfter: '2027-01-01T00:00:00Z' }, sha256Fingerprint: 'AAAA',
    } } } } : {}),
  };
}

/** A mix like a real suite: allowed serials, the canary in several spellings, no certificate. */
function makeCases(n: number): RemoteCase[] {
  const spellings = ['0b:ad:c0:de:0b:ad:c0:de', '0BADC0DE0BADC0DE', '00:0b:ad:c0:de:0b:ad:c0:de', '0badc0de0badc0de'];
  return Array.from({ length: n }, (_, i) => {
    if (i % 4 === 1) return { name: `canary ${i}`, connection: connection(spellings[i % spellings.length]), expect: { decision: 'deny' as const } };
    if (i % 10 === 3) return { name: `no cert ${i}`, connection: connection(undefined), expect: { decision: 'deny' as const } };
    const serial = (0x1000 + i).toString(16).padStart(8, '0').match(/../g)!.join(':');
    return { name: `allowed ${i}`, connection: connection(serial), expect: { decision: 'allow' as const } };
  });
}

async function main() {
  const emulator = await startEmulator({ port: 0 });
  const target = { endpoint: emulator.endpoint, region: 'us-east-1' };
  const cf = createCloudFrontClient(target);
  const kvs = createKvsClient(target);
  try {
    const store = await cf.send(new CreateKeyValueStoreCommand({ Name: 'bench-store' }));
    const arn = store.KeyValueStore!.ARN!;
    const d = await kvs.send(new DescribeKeyValueStoreCommand({ KvsARN: arn }));
    await kvs.send(new PutKeyCommand({ KvsARN: arn, Key: CANARY, Value: '1', IfMatch: d.ETag! }));
    const code = fs.readFileSync(path.join(__dirname, '..', 'functions', 'revocation-check.js'));
    const fn = await cf.send(new CreateConnectionFunctionCommand({
      Name: 'bench-revocation-check', ConnectionFunctionCode: code,
      ConnectionFunctionConfig: { Comment: 'bench', Runtime: 'cloudfront-js-2.0', KeyValueStoreAssociations: { Quantity: 1, Items: [{ KeyValueStoreARN: arn }] } },
    }));
    const id = fn.ConnectionFunctionSummary!.Id!;
    const etag = fn.ETag!;
    const cases = makeCases(CASES);
    emulator.setFaults({ latencyMs: LATENCY });

    // Baseline: the same SDK calls one after another.
    const t0 = performance.now();
    let baselineOk = 0;
    for (const c of cases) {
      const out = await cf.send(new TestConnectionFunctionCommand({ Id: id, IfMatch: etag, Stage: 'DEVELOPMENT', ConnectionObject: Buffer.from(JSON.stringify(c.connection)) }));
      if (readTestResult(out.ConnectionFunctionTestResult).decision === c.expect.decision) baselineOk++;
    }
    const baselineMs = performance.now() - t0;

    // Pipeline: runRemoteSuite under the limiter; request starts are recorded to check the ceiling.
    const starts: number[] = [];
    cf.middlewareStack.add((next) => async (args) => { starts.push(performance.now()); return next(args); }, { step: 'finalizeRequest', name: 'benchStarts' });
    const t1 = performance.now();
    const beforeIdentity = starts.length;
    await confirmStageIdentity(cf, { name: 'bench', functionName: 'bench-revocation-check', storeName: 'bench-store', functionFile: '', suiteFile: '', canarySerial: CANARY }, {
      stage: 'bench', candidateSha256: '', functionId: id, functionName: 'bench-revocation-check', functionArn: fn.ConnectionFunctionSummary!.ConnectionFunctionArn!,
      functionEtag: etag, kvsName: 'bench-store', kvsArn: arn, functionAssociated: false,
    }, 'bench outputs');
    const identityCalls = starts.length - beforeIdentity;
    const results = await runRemoteSuite({ cf, functionId: id, etag, stage: 'DEVELOPMENT', cases, limiter: new RateLimiter({ concurrency: CONCURRENCY, ratePerSecond: RATE }) });
    const pipelineMs = performance.now() - t1;
    let peak = 0;
    for (let i = 0, j = 0; i < starts.length; i++) {
      while (starts[i] - starts[j] >= 1000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    const passed = results.filter((r) => r.passed).length;
    if (passed !== CASES || baselineOk !== CASES) throw new Error(`cases did not all pass (pipeline ${passed}, baseline ${baselineOk} of ${CASES})`);
    console.log(`suite of ${CASES} cases, emulator latency ${LATENCY} ms per request`);
    console.log(`  baseline  sequential SDK loop        ${(baselineMs / 1000).toFixed(2)} s  (${(CASES / baselineMs * 1000).toFixed(1)} cases/s)`);
    console.log(`  pipeline  concurrency ${CONCURRENCY}, ceiling ${RATE} req/s  ${(pipelineMs / 1000).toFixed(2)} s  (${(CASES / pipelineMs * 1000).toFixed(1)} cases/s)`);
    console.log(`  speed-up  ${(baselineMs / pipelineMs).toFixed(2)}x   (aim: >= 6x; the pipeline includes the stage identity check)`);
    console.log(`  identity check: ${identityCalls} API calls per run, whatever the number of cases (one more with a distribution)`);
    console.log(`  peak request starts in any 1 s window: ${peak} (ceiling ${RATE}) -> ${peak <= RATE ? 'within the ceiling' : 'OVER THE CEILING'}`);
    if (peak > RATE) process.exitCode = 1;
  } finally {
    await emulator.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
