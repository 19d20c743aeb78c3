import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as cf from '@aws-sdk/client-cloudfront';
import * as kv from '@aws-sdk/client-cloudfront-keyvaluestore';
import { startEmulator } from '../../emulator';
import { UserError } from '../../diagnostics/user-error';
import { main } from '../../cli/program';
import { connectionWithSerial, createFunction, createStore, failure, startHarness, stopHarness, tempDir, type Harness } from './harness';

const ALLOW = 'function connectionHandler(c) { c.allow(); }';

describe('state file', () => {
  test('a restart keeps functions (both stages), stores and their keys, with the same ETags', async () => {
    const file = join(tempDir(), 'state.json');
    let h: Harness | undefined = await startHarness({ stateFile: file });
    const store = await createStore(h, 'persisted');
    const d = await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: store.ARN! }));
    const put = await h.kvs.send(new kv.PutKeyCommand({ KvsARN: store.ARN!, Key: '__proto__', Value: 'plain data', IfMatch: d.ETag! }));
    const f = await createFunction(h, 'persisted-fn', ALLOW, store.ARN!);
    await h.cf.send(new cf.PublishConnectionFunctionCommand({ Id: f.ConnectionFunctionSummary!.Id!, IfMatch: f.ETag! }));
    await stopHarness(h);
    expect(readdirNoTmp(file)).toBe(true);

    h = await startHarness({ stateFile: file });
    try {
      const dev = await h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: 'persisted-fn' }));
      expect(dev.ETag).toBe(f.ETag);
      const live = await h.cf.send(new cf.GetConnectionFunctionCommand({ Identifier: 'persisted-fn', Stage: 'LIVE' }));
      expect(Buffer.from(live.ConnectionFunctionCode!).toString()).toBe(ALLOW);
      expect((await h.kvs.send(new kv.GetKeyCommand({ KvsARN: store.ARN!, Key: '__proto__' }))).Value).toBe('plain data');
      expect((await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: store.ARN! }))).ETag).toBe(put.ETag);
    } finally {
      await stopHarness(h);
    }
  });

  function readdirNoTmp(file: string): boolean {
    return existsSync(file) && !readdirSync(dirname(file)).some((n) => n.endsWith('.tmp'));
  }

  test('a corrupt or foreign state file is refused with a UserError and left untouched', async () => {
    const dir = tempDir();
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{"format": "conngate-emulator-state", "version": 1, "accountId": "1234');
    await expect(startEmulator({ stateFile: corrupt })).rejects.toThrow(UserError);
    await expect(startEmulator({ stateFile: corrupt })).rejects.toThrow(/not valid JSON.*fix: /);
    expect(readFileSync(corrupt, 'utf8')).toContain('"accountId": "1234');
    const foreign = join(dir, 'foreign.json');
    writeFileSync(foreign, JSON.stringify({ hello: 'world' }));
    await expect(startEmulator({ stateFile: foreign })).rejects.toThrow(/not a conngate emulator state/);
  });

  test('the CLI refuses a corrupt state file and bad flags with one line and exit 2', async () => {
    const corrupt = join(tempDir(), 'bad.json');
    writeFileSync(corrupt, 'not json');
    const errors: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { errors.push(String(s)); return true; });
    try {
      expect(await main(['node', 'conngate', 'emulator', '--port', '0', '--state', corrupt])).toBe(2);
      expect(await main(['node', 'conngate', 'emulator', '--throttle-rate', '1.5'])).toBe(2);
      expect(await main(['node', 'conngate', 'emulator', '--port', 'abc'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join('')).toMatch(/conngate: emulator state file .*bad\.json: is not valid JSON/);
    expect(errors.join('')).toMatch(/conngate: emulator --throttle-rate: "1.5" is not a number from 0 to 1/);
    expect(errors.join('')).toMatch(/conngate: emulator --port: "abc"/);
  });
});

describe('faults', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness({}, 3); });
  afterAll(() => stopHarness(h));
  afterEach(() => h.emu.setFaults({}));

  test('latency is added to every request', async () => {
    h.emu.setFaults({ latencyMs: 120 });
    const t0 = Date.now();
    await h.cf.send(new cf.ListConnectionFunctionsCommand({}));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(115);
  });

  test('throttling uses the real error shape, so the SDK retries it (control and data plane)', async () => {
    h.emu.setFaults({ throttleRate: 1 });
    const e = await failure(h.cf.send(new cf.ListConnectionFunctionsCommand({})));
    expect(e).toMatchObject({ name: 'Throttling', status: 400 });
    const before = h.emu.requestCount();
    await failure(h.cf.send(new cf.ListConnectionFunctionsCommand({})));
    expect(h.emu.requestCount() - before).toBe(3);
    h.emu.setFaults({});
    const store = await createStore(h, 'throttled');
    h.emu.setFaults({ throttleRate: 1 });
    expect(await failure(h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: store.ARN! }))))
      .toMatchObject({ name: 'ThrottlingException', status: 429 });
    // With this seed the first attempt is throttled and the SDK's retry succeeds.
    h.emu.setFaults({ throttleRate: 0.5, seed: 8 });
    const r = await h.cf.send(new cf.ListConnectionFunctionsCommand({}));
    expect(r.$metadata.attempts).toBeGreaterThan(1);
  }, 30000);

  test('5xx errors are retried by the SDK; deterministic with a seed', async () => {
    h.emu.setFaults({ serverErrorRate: 1 });
    expect(await failure(h.cf.send(new cf.ListConnectionFunctionsCommand({})))).toMatchObject({ name: 'ServiceUnavailable', status: 503 });
    const attemptsWith = async (seed: number) => {
      h.emu.setFaults({ serverErrorRate: 0.5, seed });
      const out: number[] = [];
      for (let i = 0; i < 4; i++) {
        try { out.push((await h.cf.send(new cf.ListConnectionFunctionsCommand({}))).$metadata.attempts!); } catch { out.push(-1); }
      }
      return out;
    };
    const a = await attemptsWith(42);
    expect(await attemptsWith(42)).toEqual(a);
    expect(a.some((n) => n > 1)).toBe(true);
  }, 30000);

  test('failOperations fails every call of the named operations only, changing nothing; a name that is no operation is refused', async () => {
    const store = await createStore(h, 'failing-writes');
    const etag = (await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: store.ARN! }))).ETag!;
    h.emu.setFaults({ failOperations: ['UpdateKeys'] });
    expect((await failure(h.kvs.send(new kv.UpdateKeysCommand({ KvsARN: store.ARN!, IfMatch: etag, Puts: [{ Key: 'k', Value: 'v' }] })))).status)
      .toBeGreaterThanOrEqual(500);
    // Reads and other writes still answer.
    expect((await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: store.ARN! }))).ETag).toBe(etag);
    await h.kvs.send(new kv.PutKeyCommand({ KvsARN: store.ARN!, Key: 'other', Value: 'v', IfMatch: etag }));
    expect(() => h.emu.setFaults({ failOperations: ['update keys'] })).toThrow(/failOperations must name API operations/);
    h.emu.setFaults({});
    const now = (await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: store.ARN! }))).ETag!;
    await h.kvs.send(new kv.UpdateKeysCommand({ KvsARN: store.ARN!, IfMatch: now, Puts: [{ Key: 'k', Value: 'v' }] }));
    expect((await h.kvs.send(new kv.GetKeyCommand({ KvsARN: store.ARN!, Key: 'k' }))).Value).toBe('v');
  }, 30000);

  test('injected concurrent writes move the function and store ETags under the caller', async () => {
    const f = await createFunction(h, 'contended', ALLOW);
    const store = await createStore(h, 'contended-store');
    const etag = (await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: store.ARN! }))).ETag!;
    h.emu.setFaults({ concurrentWriteRate: 1 });
    expect((await failure(h.cf.send(new cf.PublishConnectionFunctionCommand({ Id: f.ConnectionFunctionSummary!.Id!, IfMatch: f.ETag! })))).name)
      .toBe('PreconditionFailed');
    expect((await failure(h.kvs.send(new kv.PutKeyCommand({ KvsARN: store.ARN!, Key: 'k', Value: 'v', IfMatch: etag })))).name)
      .toBe('ConflictException');
    h.emu.setFaults({});
    const fresh = await h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: f.ConnectionFunctionSummary!.Id! }));
    expect(fresh.ETag).not.toBe(f.ETag);
    await h.cf.send(new cf.PublishConnectionFunctionCommand({ Id: f.ConnectionFunctionSummary!.Id!, IfMatch: fresh.ETag! }));
    const freshStore = (await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: store.ARN! }))).ETag!;
    expect(freshStore).not.toBe(etag);
    await h.kvs.send(new kv.PutKeyCommand({ KvsARN: store.ARN!, Key: 'k', Value: 'v', IfMatch: freshStore }));
  });

  test('failLiveTestRate makes LIVE tests report a function error; DEVELOPMENT tests and the function are untouched', async () => {
    const f = await createFunction(h, 'flaky-live', ALLOW);
    const id = f.ConnectionFunctionSummary!.Id!;
    await h.cf.send(new cf.PublishConnectionFunctionCommand({ Id: id, IfMatch: f.ETag! }));
    const liveEtag = (await h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: id, Stage: 'LIVE' }))).ETag!;
    const connection = new TextEncoder().encode(JSON.stringify(connectionWithSerial('01')));
    const testStage = async (stage: 'LIVE' | 'DEVELOPMENT') => (await h.cf.send(new cf.TestConnectionFunctionCommand({
      Id: id, IfMatch: stage === 'LIVE' ? liveEtag : f.ETag!, Stage: stage, ConnectionObject: connection,
    }))).ConnectionFunctionTestResult!;

    h.emu.setFaults({ failLiveTestRate: 1 });
    const live = await testStage('LIVE');
    expect(live.ConnectionFunctionErrorMessage).toMatch(/^InjectedFault: /);
    expect(live.ConnectionFunctionOutput ?? '').toBe('');
    expect(live.ConnectionFunctionSummary).toMatchObject({ Stage: 'LIVE', Id: id });
    // The same code in DEVELOPMENT runs normally while the fault is on, and the request itself succeeds.
    const dev = await testStage('DEVELOPMENT');
    expect(dev.ConnectionFunctionErrorMessage).toBeFalsy();
    expect(JSON.parse(dev.ConnectionFunctionOutput!)).toMatchObject({ decision: 'allow' });
    // Nothing about the function changed: the LIVE ETag is the same.
    expect((await h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: id, Stage: 'LIVE' }))).ETag).toBe(liveEtag);

    // A partial rate fails some LIVE tests, the same ones again for the same seed.
    const pattern = async () => {
      h.emu.setFaults({ failLiveTestRate: 0.5, seed: 11 });
      const out: boolean[] = [];
      for (let i = 0; i < 12; i++) out.push(Boolean((await testStage('LIVE')).ConnectionFunctionErrorMessage));
      return out;
    };
    const first = await pattern();
    expect(await pattern()).toEqual(first);
    expect(first).toContain(true);
    expect(first).toContain(false);

    h.emu.setFaults({});
    const healthy = await testStage('LIVE');
    expect(healthy.ConnectionFunctionErrorMessage).toBeFalsy();
    expect(JSON.parse(healthy.ConnectionFunctionOutput!)).toMatchObject({ decision: 'allow' });
  });
});
