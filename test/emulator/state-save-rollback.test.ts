import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as cf from '@aws-sdk/client-cloudfront';
import * as kv from '@aws-sdk/client-cloudfront-keyvaluestore';
import { code, connectionWithSerial, createFunction, createStore, failure, RUNTIME, startHarness, stopHarness, tempDir, type Harness } from './harness';

const ALLOW = 'function connectionHandler(c) { c.allow(); }';
const DENY = 'function connectionHandler(c) { c.deny(); }';

function persisted(file: string): { connectionFunctions: { name: string; development: { codeBase64: string } }[]; keyValueStores: { name: string; items: [string, string][]; dataEtag: string }[] } {
  return JSON.parse(readFileSync(file, 'utf8'));
}

describe('a failed save changes nothing, so the retry succeeds', () => {
  let h: Harness;
  let file: string;
  beforeEach(async () => {
    file = join(tempDir(), 'state.json');
    h = await startHarness({ stateFile: file }, 3);
  });
  afterEach(() => stopHarness(h));

  test('CreateConnectionFunction: the SDK retry after a failed save creates the function once (no EntityAlreadyExists)', async () => {
    h.emu.injectStateSaveFailures(1);
    const before = h.emu.requestCount();
    const r = await createFunction(h, 'retried', ALLOW);
    expect(r.$metadata.attempts).toBe(2);
    expect(h.emu.requestCount() - before).toBe(2);
    expect(persisted(file).connectionFunctions.map((f) => f.name)).toEqual(['retried']);
    expect((await h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: 'retried' }))).ETag).toBe(r.ETag);
  });

  test('without a retry: 500 InternalError, and neither memory nor file holds the change', async () => {
    await createFunction(h, 'existing', ALLOW);
    const saved = readFileSync(file, 'utf8');
    h.emu.injectStateSaveFailures(3);
    const e = await failure(h.cf.send(new cf.CreateConnectionFunctionCommand({
      Name: 'never-saved', ConnectionFunctionCode: code(ALLOW), ConnectionFunctionConfig: { Comment: '', Runtime: RUNTIME },
    })));
    expect(e).toMatchObject({ name: 'InternalError', status: 500 });
    expect(e.message).toMatch(/could not save its state file .*ENOSPC.*changed nothing and can be retried/);
    expect(readFileSync(file, 'utf8')).toBe(saved);
    expect((await failure(h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: 'never-saved' })))).name).toBe('EntityNotFound');
    const names = (await h.cf.send(new cf.ListConnectionFunctionsCommand({}))).ConnectionFunctions!.map((f) => f.Name);
    expect(names).toEqual(['existing']);
  });

  test('Update and Publish: a failed save leaves DEVELOPMENT, LIVE and their ETags as they were', async () => {
    const f = await createFunction(h, 'staged', ALLOW);
    const id = f.ConnectionFunctionSummary!.Id!;
    await h.cf.send(new cf.PublishConnectionFunctionCommand({ Id: id, IfMatch: f.ETag! }));
    const dev = await h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: id }));
    const live = await h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: id, Stage: 'LIVE' }));
    const update = () => h.cf.send(new cf.UpdateConnectionFunctionCommand({ Id: id, IfMatch: dev.ETag!, ConnectionFunctionCode: code(DENY),
      ConnectionFunctionConfig: { Comment: 'deny', Runtime: RUNTIME } }), { requestTimeout: 20000 });

    h.emu.injectStateSaveFailures(3);
    expect((await failure(update())).status).toBe(500);
    expect((await h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: id }))).ETag).toBe(dev.ETag);
    expect(Buffer.from((await h.cf.send(new cf.GetConnectionFunctionCommand({ Identifier: id }))).ConnectionFunctionCode!).toString()).toBe(ALLOW);

    // One failure: the SDK's retry carries the same If-Match and succeeds, because the ETag did not move.
    h.emu.injectStateSaveFailures(1);
    const updated = await update();
    expect(updated.$metadata.attempts).toBe(2);
    h.emu.injectStateSaveFailures(3);
    expect((await failure(h.cf.send(new cf.PublishConnectionFunctionCommand({ Id: id, IfMatch: updated.ETag! })))).status).toBe(500);
    const liveAfter = await h.cf.send(new cf.GetConnectionFunctionCommand({ Identifier: id, Stage: 'LIVE' }));
    expect(liveAfter.ETag).toBe(live.ETag);
    expect(Buffer.from(liveAfter.ConnectionFunctionCode!).toString()).toBe(ALLOW);
    expect(persisted(file).connectionFunctions[0].development.codeBase64).toBe(Buffer.from(DENY).toString('base64'));
  });

  test('KeyValueStore writes: the retry with the same If-Match succeeds; a failed UpdateKeys leaves every key', async () => {
    const store = await createStore(h, 'serials');
    const etag0 = (await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: store.ARN! }))).ETag!;
    h.emu.injectStateSaveFailures(1);
    const put = await h.kvs.send(new kv.PutKeyCommand({ KvsARN: store.ARN!, Key: '01', Value: 'revoked', IfMatch: etag0 }));
    expect(put.$metadata.attempts).toBe(2);

    h.emu.injectStateSaveFailures(3);
    const e = await failure(h.kvs.send(new kv.UpdateKeysCommand({ KvsARN: store.ARN!, IfMatch: put.ETag!,
      Puts: [{ Key: '02', Value: 'revoked' }, { Key: '03', Value: 'revoked' }], Deletes: [{ Key: '01' }] })));
    expect(e).toMatchObject({ name: 'InternalServerException', status: 500 });
    const d = await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: store.ARN! }));
    expect({ etag: d.ETag, count: d.ItemCount }).toEqual({ etag: put.ETag, count: 1 });
    const keys = await h.kvs.send(new kv.ListKeysCommand({ KvsARN: store.ARN! }));
    expect(keys.Items!.map((i) => i.Key)).toEqual(['01']);
    expect(persisted(file).keyValueStores[0].items).toEqual([['01', 'revoked']]);
  });

  test('a failed save among concurrent tests and writes: the others complete, the failed create succeeds on its retry, each once', async () => {
    const f = await createFunction(h, 'under-test', ALLOW);
    const id = f.ConnectionFunctionSummary!.Id!;
    const connection = new TextEncoder().encode(JSON.stringify(connectionWithSerial('0A')));
    h.emu.injectStateSaveFailures(1);
    const tests = Array.from({ length: 6 }, () => h.cf.send(new cf.TestConnectionFunctionCommand({
      Id: id, IfMatch: f.ETag!, Stage: 'DEVELOPMENT', ConnectionObject: connection })));
    const writes = Array.from({ length: 4 }, (_, i) => h.cf.send(new cf.CreateConnectionFunctionCommand({
      Name: `concurrent-${i}`, ConnectionFunctionCode: code(ALLOW), ConnectionFunctionConfig: { Comment: '', Runtime: RUNTIME } })));
    const results = await Promise.allSettled([...tests, ...writes]);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    for (const t of await Promise.all(tests)) {
      expect(JSON.parse(t.ConnectionFunctionTestResult!.ConnectionFunctionOutput!)).toMatchObject({ decision: 'allow' });
    }
    // Every create succeeded (one of them on its retry), each exactly once, in memory and in the file.
    const created = await Promise.all(writes);
    expect(created.map((c) => c.$metadata.attempts).sort()).toEqual([1, 1, 1, 2]);
    expect(persisted(file).connectionFunctions.map((x) => x.name).sort())
      .toEqual(['concurrent-0', 'concurrent-1', 'concurrent-2', 'concurrent-3', 'under-test']);
  });
});
