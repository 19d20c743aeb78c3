import * as cf from '@aws-sdk/client-cloudfront';
import * as kv from '@aws-sdk/client-cloudfront-keyvaluestore';
import { CodeRunAdmission } from '../../emulator/code-run-admission';
import { stopSandboxWorkers } from '../../runtime';
import { code, connectionWithSerial, createFunction, startHarness, stopHarness, type Harness } from './harness';

jest.setTimeout(120_000);

describe('a flood of TestConnectionFunction calls running endless code does not starve writes', () => {
  let h: Harness | undefined;
  afterAll(async () => {
    await stopHarness(h);
    await stopSandboxWorkers();
  });

  test('a write sent behind a queue of runaway tests is served before the queue has drained', async () => {
    h = await startHarness();
    const f = await createFunction(h, 'runaway', 'async function connectionHandler(connection) { while (true) {} }');
    const id = f.ConnectionFunctionSummary!.Id!;
    const object = code(JSON.stringify(connectionWithSerial('01')));
    const N = 16;
    let testsDone = 0;
    const run = () => h!.cf.send(new cf.TestConnectionFunctionCommand({ Id: id, IfMatch: f.ETag!, Stage: 'DEVELOPMENT', ConnectionObject: object }))
      .then((r) => { testsDone++; return r.ConnectionFunctionTestResult!.ConnectionFunctionErrorMessage; });
    const first = run();
    const rest = Array.from({ length: N - 1 }, run);
    // Every call has reached the emulator once the first one is answered (each runs for the runtime's stop time).
    await first;
    await new Promise((r) => setTimeout(r, 100));
    const write = await h.cf.send(new cf.CreateKeyValueStoreCommand({ Name: 'during-flood', Comment: 'x' }))
      .then(() => testsDone);
    const errors = await Promise.all(rest);
    // Before the fix every queued call held the state while it waited for a sandbox worker, so the write came
    // after all N (and, with enough of them, after the 30 s lock deadline: a 503).
    expect(write).toBeLessThan(N - 4);
    expect(testsDone).toBe(N);
    for (const e of errors) expect(e).toMatch(/./);
  });
});

describe('code run admission', () => {
  test('admits at most its slots, first come first served, and every wait has a deadline', async () => {
    const gate = new CodeRunAdmission(2);
    const a = await gate.admit(5000);
    const b = await gate.admit(5000);
    const order: string[] = [];
    const c = gate.admit(5000).then((r) => { order.push('c'); return r; });
    const d = gate.admit(5000).then((r) => { order.push('d'); return r; });
    await expect(gate.admit(30)).rejects.toThrow(/busy .* for 30 ms/);
    expect(order).toEqual([]);
    a();
    a(); // a second release changes nothing
    (await c)();
    expect(order).toEqual(['c']);
    b();
    (await d)();
    expect(order).toEqual(['c', 'd']);
    expect(gate.pending).toBe(0);
    expect(() => new CodeRunAdmission(0)).toThrow(RangeError);
  });
});

describe('a running test does not hold the state', () => {
  let h: Harness | undefined;
  afterAll(async () => {
    await stopHarness(h);
    await stopSandboxWorkers();
  });

  test('a key write and a publish sent while runaway code runs are answered before that run ends', async () => {
    h = await startHarness();
    const store = await h.cf.send(new cf.CreateKeyValueStoreCommand({ Name: 'revoked', Comment: 'x' }));
    const arn = store.KeyValueStore!.ARN!;
    const f = await createFunction(h, 'runaway-reader', 'async function connectionHandler(connection) { while (true) {} }');
    const id = f.ConnectionFunctionSummary!.Id!;
    const order: string[] = [];
    // The runtime stops runaway code after 250 ms (more with its samples): the writes go out 50 ms after the tests.
    const test = h.cf.send(new cf.TestConnectionFunctionCommand({ Id: id, IfMatch: f.ETag!, Stage: 'DEVELOPMENT',
      ConnectionObject: code(JSON.stringify(connectionWithSerial('01'))) })).then((r) => {
      order.push('test');
      return r.ConnectionFunctionTestResult!;
    });
    await new Promise((r) => setTimeout(r, 50));
    const etag = (await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: arn }))).ETag!;
    await h.kvs.send(new kv.PutKeyCommand({ KvsARN: arn, Key: '01', Value: 'revoked', IfMatch: etag }));
    order.push('put');
    await h.cf.send(new cf.PublishConnectionFunctionCommand({ Id: id, IfMatch: f.ETag! }));
    order.push('publish');
    const result = await test;
    // Before, the run held the state (a shared lock) for its whole stop time, and both writes waited behind it.
    expect(order).toEqual(['put', 'publish', 'test']);
    expect(result.ConnectionFunctionErrorMessage).toMatch(/execution time limit/);
    // The answer describes the function as it was when the test was asked for.
    expect(result.ConnectionFunctionSummary!.ConnectionFunctionConfig!.Comment).toBe('runaway-reader function');
  });
});
