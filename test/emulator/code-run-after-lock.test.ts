/**
 * TestConnectionFunction runs its code after letting go of the state: what that changes for the store version a run
 * sees, injected faults and failed saves on the test itself, clients that go away mid-run, and stopping mid-run.
 */
import * as cf from '@aws-sdk/client-cloudfront';
import * as kv from '@aws-sdk/client-cloudfront-keyvaluestore';
import { join } from 'node:path';
import { startEmulator } from '../../emulator';
import { stopSandboxWorkers } from '../../runtime';
import { MAX_WORKERS } from '../../runtime/limits';
import { code, connectionWithSerial, createFunction, failure, startHarness, stopHarness, tempDir, type Harness } from './harness';
import { rawRequest, xmlErrorCode } from './raw-http';

jest.setTimeout(120_000);

const RUNAWAY = 'async function connectionHandler(connection) { while (true) {} }';
const READS_STORE = `import cf from 'cloudfront';
async function connectionHandler(c) {
  if (await cf.kvs().exists(c.clientCertificate.certificates.leaf.serialNumber)) c.deny(); else c.allow();
}`;
const object = code(JSON.stringify(connectionWithSerial('01')));

afterAll(async () => stopSandboxWorkers());

describe('the store version a run sees', () => {
  let h: Harness | undefined;
  afterAll(async () => stopHarness(h));

  it('is the one current when the run gets its turn: a test queued behind others sees a write answered meanwhile', async () => {
    h = await startHarness();
    const store = (await h.cf.send(new cf.CreateKeyValueStoreCommand({ Name: 'revoked', Comment: 'x' }))).KeyValueStore!;
    const reader = await createFunction(h, 'reader', READS_STORE, store.ARN);
    const runaway = await createFunction(h, 'runaway', RUNAWAY);
    const test = (f: typeof reader) => h!.cf.send(new cf.TestConnectionFunctionCommand({ Id: f.ConnectionFunctionSummary!.Id!,
      IfMatch: f.ETag!, Stage: 'DEVELOPMENT', ConnectionObject: object })).then((r) => r.ConnectionFunctionTestResult!);
    expect((await test(reader)).ConnectionFunctionOutput).toMatch(/"allow"/);
    // Three rounds of runaway runs (each some 300 ms) ahead of it: the write is answered long before its turn.
    const busy = Array.from({ length: 3 * (MAX_WORKERS + 1) }, () => test(runaway));
    let busyDone = 0;
    for (const b of busy) void b.then(() => { busyDone++; });
    await new Promise((r) => setTimeout(r, 100));
    const queued = test(reader);
    await new Promise((r) => setTimeout(r, 50));
    const etag = (await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: store.ARN! }))).ETag!;
    await h.kvs.send(new kv.PutKeyCommand({ KvsARN: store.ARN!, Key: '01', Value: 'revoked', IfMatch: etag }));
    // Still queued: fewer than two rounds are done.
    expect(busyDone).toBeLessThan(2 * (MAX_WORKERS + 1));
    await Promise.all(busy);
    expect((await queued).ConnectionFunctionOutput).toMatch(/"deny"/);
  });
});

describe('faults on the test itself', () => {
  let h: Harness | undefined;
  afterAll(async () => stopHarness(h));

  it('an injected concurrent write is saved; with the save failing it is undone and the answer is a 500', async () => {
    const dir = tempDir();
    const stateFile = join(dir, 'state.json');
    h = await startHarness({ stateFile });
    const f = await createFunction(h, 'f', READS_STORE.replace(/import .*\n/, '').replace(/await cf\.kvs\(\)\.exists\([^)]*\)/, 'false'));
    const id = f.ConnectionFunctionSummary!.Id!;
    const send = () => h!.cf.send(new cf.TestConnectionFunctionCommand({ Id: id, IfMatch: f.ETag!, Stage: 'DEVELOPMENT', ConnectionObject: object }));
    const etagNow = async () => (await h!.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: id }))).ETag;

    h.emu.setFaults({ concurrentWriteRate: 1 });
    h.emu.injectStateSaveFailures(1);
    const failedSave = await failure(send());
    expect([failedSave.name, failedSave.status]).toEqual(['InternalError', 500]);
    h.emu.setFaults({});
    expect(await etagNow()).toBe(f.ETag);

    h.emu.setFaults({ concurrentWriteRate: 1 });
    const stale = await failure(send());
    expect(stale.status).toBe(412);
    h.emu.setFaults({});
    const moved = await etagNow();
    expect(moved).not.toBe(f.ETag);
    await stopHarness(h);
    h = await startHarness({ stateFile });
    expect(await etagNow()).toBe(moved);
  });
});

describe('clients and a stop while code runs', () => {
  it('gives back the bodies of tests whose clients went away mid-run', async () => {
    const KiB = 1024;
    const BUDGET = 512 * KiB;
    const h = await startHarness({ connectionLimits: { maxBodyBytesInFlight: BUDGET } });
    try {
      const f = await createFunction(h, 'runaway', RUNAWAY);
      const pad = code(JSON.stringify({ ...connectionWithSerial('01'), pad: 'x'.repeat(8 * KiB) }));
      const calls = Array.from({ length: 12 }, () => {
        const abort = new AbortController();
        const p = h.cf.send(new cf.TestConnectionFunctionCommand({ Id: f.ConnectionFunctionSummary!.Id!, IfMatch: f.ETag!,
          Stage: 'DEVELOPMENT', ConnectionObject: pad }), { abortSignal: abort.signal }).catch(() => undefined);
        setTimeout(() => abort.abort(), 100);
        return p;
      });
      await Promise.all(calls);
      // The aborted calls' runs finish in the background (each some 300 ms, three at a time).
      await new Promise((r) => setTimeout(r, 3000));
      const r = await rawRequest(h.emu.port, 'PUT', '/s3/no-such-bucket/k', {}, Buffer.alloc(BUDGET - 20 * KiB));
      expect(`${r.status} ${xmlErrorCode(r.body)}`).toBe('404 NoSuchBucket');
    } finally {
      await stopHarness(h);
    }
  });

  it('a stop with runs in flight and queued ends within its grace, answers or closes every call, and frees the state file', async () => {
    const stateFile = join(tempDir(), 'state.json');
    const h = await startHarness({ stateFile });
    const f = await createFunction(h, 'runaway', RUNAWAY);
    const calls = Array.from({ length: 8 }, () => h.cf.send(new cf.TestConnectionFunctionCommand({ Id: f.ConnectionFunctionSummary!.Id!,
      IfMatch: f.ETag!, Stage: 'DEVELOPMENT', ConnectionObject: object })).then(() => 'answered', () => 'failed'));
    await new Promise((r) => setTimeout(r, 150));
    const started = Date.now();
    await h.emu.close(300);
    expect(Date.now() - started).toBeLessThan(2500);
    const outcomes = await Promise.all(calls);
    expect(outcomes).toHaveLength(8);
    h.cf.destroy();
    h.kvs.destroy();
    const again = await startEmulator({ port: 0, stateFile });
    await again.close(0);
  });
});
