import * as cf from '@aws-sdk/client-cloudfront';
import * as kv from '@aws-sdk/client-cloudfront-keyvaluestore';
import { createFunction, createStore, failure, startHarness, stopHarness, type Harness } from './harness';

/** The harness of the running describe block. */
let h: Harness;

const describeStore = (arn: string) => h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: arn }));

/** Describes the store by name until it is READY (at most `ms`). */
async function untilReady(name: string, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const d = await h.cf.send(new cf.DescribeKeyValueStoreCommand({ Name: name }));
    if (d.KeyValueStore!.Status === 'READY' || Date.now() > deadline) return d;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('key value store control plane', () => {
  // PROVISIONING long enough that the checks right after Create still see it on a loaded machine.
  const PROVISIONING_MS = 1000;
  beforeAll(async () => { h = await startHarness({ timings: { kvsProvisioningMs: PROVISIONING_MS } }); });
  afterAll(() => stopHarness(h));

  test('create PROVISIONING -> READY, describe, update with If-Match, list, delete; in-use and duplicate errors', async () => {
    const created = await h.cf.send(new cf.CreateKeyValueStoreCommand({ Name: 'lifecycle', Comment: 'first' }));
    const s = created.KeyValueStore!;
    expect(s.Status).toBe('PROVISIONING');
    expect(s.ARN).toBe(`arn:aws:cloudfront::123456789012:key-value-store/${s.Id}`);
    expect(created.ETag).toMatch(/^E[A-Z0-9]{13}$/);
    expect((await h.cf.send(new cf.DescribeKeyValueStoreCommand({ Name: 'lifecycle' }))).KeyValueStore!.Status).toBe('PROVISIONING');
    expect((await failure(h.kvs.send(new kv.PutKeyCommand({ KvsARN: s.ARN!, Key: 'a', Value: '1', IfMatch: 'x' })))).name)
      .toBe('ConflictException');
    const ready = await untilReady('lifecycle', PROVISIONING_MS * 5);
    expect(ready.KeyValueStore!.Status).toBe('READY');

    expect(await failure(h.cf.send(new cf.CreateKeyValueStoreCommand({ Name: 'lifecycle' }))))
      .toMatchObject({ name: 'EntityAlreadyExists', status: 409 });
    expect((await failure(h.cf.send(new cf.CreateKeyValueStoreCommand({ Name: 'bad/name' })))).name).toBe('InvalidArgument');

    expect((await failure(h.cf.send(new cf.UpdateKeyValueStoreCommand({ Name: 'lifecycle', Comment: 'x', IfMatch: 'EOLD' })))).name)
      .toBe('PreconditionFailed');
    const upd = await h.cf.send(new cf.UpdateKeyValueStoreCommand({ Name: 'lifecycle', Comment: 'second', IfMatch: ready.ETag! }));
    expect(upd.KeyValueStore!.Comment).toBe('second');
    expect(upd.ETag).not.toBe(ready.ETag);

    const f = await createFunction(h, 'uses-store', 'function connectionHandler(c) { c.allow(); }', s.ARN!);
    expect(await failure(h.cf.send(new cf.DeleteKeyValueStoreCommand({ Name: 'lifecycle', IfMatch: upd.ETag! }))))
      .toMatchObject({ name: 'CannotDeleteEntityWhileInUse', status: 409 });
    await h.cf.send(new cf.DeleteConnectionFunctionCommand({ Id: f.ConnectionFunctionSummary!.Id!, IfMatch: f.ETag! }));

    await createStore(h, 'second-store');
    const page1 = await h.cf.send(new cf.ListKeyValueStoresCommand({ MaxItems: 1 }));
    expect(page1.KeyValueStoreList!.Items!.map((x) => x.Name)).toEqual(['lifecycle']);
    const page2 = await h.cf.send(new cf.ListKeyValueStoresCommand({ MaxItems: 1, Marker: page1.KeyValueStoreList!.NextMarker }));
    expect(page2.KeyValueStoreList!.Items!.map((x) => x.Name)).toEqual(['second-store']);

    await h.cf.send(new cf.DeleteKeyValueStoreCommand({ Name: 'lifecycle', IfMatch: upd.ETag! }));
    expect((await failure(h.cf.send(new cf.DescribeKeyValueStoreCommand({ Name: 'lifecycle' })))).name).toBe('EntityNotFound');
    expect((await failure(describeStore(s.ARN!))).name).toBe('ResourceNotFoundException');
  });
});

describe('key value store data plane (SigV4A, account-id host prefix handled by the target client)', () => {
  let arn: string;
  // No provisioning delay: every store here is READY as soon as it is created.
  beforeAll(async () => {
    h = await startHarness();
    arn = (await createStore(h, 'data')).ARN!;
  });
  afterAll(() => stopHarness(h));

  test('put, get, delete move the ETag; stale or missing If-Match is refused', async () => {
    const d0 = await describeStore(arn);
    expect(d0).toMatchObject({ ItemCount: 0, TotalSizeInBytes: 0, KvsARN: arn, Status: 'READY' });
    expect(d0.ETag).toMatch(/^KV/);
    const p = await h.kvs.send(new kv.PutKeyCommand({ KvsARN: arn, Key: 'abc', Value: 'value', IfMatch: d0.ETag! }));
    expect(p).toMatchObject({ ItemCount: 1, TotalSizeInBytes: 8 });
    expect(p.ETag).not.toBe(d0.ETag);
    expect(await failure(h.kvs.send(new kv.PutKeyCommand({ KvsARN: arn, Key: 'abc', Value: 'other', IfMatch: d0.ETag! }))))
      .toMatchObject({ name: 'ConflictException', status: 409 });
    expect((await failure(h.kvs.send(new kv.PutKeyCommand({ KvsARN: arn, Key: 'abc', Value: 'v', IfMatch: '' })))).name)
      .toBe('ValidationException');
    expect(await h.kvs.send(new kv.GetKeyCommand({ KvsARN: arn, Key: 'abc' }))).toMatchObject({ Key: 'abc', Value: 'value' });
    expect(await failure(h.kvs.send(new kv.GetKeyCommand({ KvsARN: arn, Key: 'nope' }))))
      .toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    const del = await h.kvs.send(new kv.DeleteKeyCommand({ KvsARN: arn, Key: 'abc', IfMatch: p.ETag! }));
    expect(del.ItemCount).toBe(0);
    expect((await failure(h.kvs.send(new kv.DeleteKeyCommand({ KvsARN: arn, Key: 'abc', IfMatch: del.ETag! })))).name)
      .toBe('ResourceNotFoundException');
  });

  test('key and value size limits', async () => {
    const e = (await describeStore(arn)).ETag!;
    expect((await failure(h.kvs.send(new kv.PutKeyCommand({ KvsARN: arn, Key: 'k'.repeat(513), Value: 'v', IfMatch: e })))).name)
      .toBe('ValidationException');
    expect((await failure(h.kvs.send(new kv.PutKeyCommand({ KvsARN: arn, Key: 'k', Value: 'v'.repeat(1025), IfMatch: e })))).name)
      .toBe('ValidationException');
    const ok = await h.kvs.send(new kv.PutKeyCommand({ KvsARN: arn, Key: 'k'.repeat(512), Value: 'v'.repeat(1024), IfMatch: e }));
    await h.kvs.send(new kv.DeleteKeyCommand({ KvsARN: arn, Key: 'k'.repeat(512), IfMatch: ok.ETag! }));
  });

  test('UpdateKeys is all or nothing and capped at 50 keys; ListKeys pages with MaxResults 1-50', async () => {
    let etag = (await describeStore(arn)).ETag!;
    const puts = Array.from({ length: 50 }, (_, i) => ({ Key: `key-${String(i).padStart(3, '0')}`, Value: `v${i}` }));
    expect((await failure(h.kvs.send(new kv.UpdateKeysCommand({ KvsARN: arn, IfMatch: etag,
      Puts: [...puts, { Key: 'one-too-many', Value: 'x' }] })))).name).toBe('ValidationException');
    // One bad entry: nothing of the batch lands.
    expect((await failure(h.kvs.send(new kv.UpdateKeysCommand({ KvsARN: arn, IfMatch: etag,
      Puts: [{ Key: 'good', Value: '1' }, { Key: 'bad', Value: 'v'.repeat(2000) }] })))).name).toBe('ValidationException');
    expect((await describeStore(arn)).ItemCount).toBe(0);
    const u = await h.kvs.send(new kv.UpdateKeysCommand({ KvsARN: arn, IfMatch: etag, Puts: puts }));
    expect(u.ItemCount).toBe(50);
    etag = u.ETag!;
    const u2 = await h.kvs.send(new kv.UpdateKeysCommand({ KvsARN: arn, IfMatch: etag,
      Puts: [{ Key: 'key-000', Value: 'changed' }], Deletes: [{ Key: 'key-049' }] }));
    expect(u2.ItemCount).toBe(49);

    for (const bad of [0, 51]) {
      expect((await failure(h.kvs.send(new kv.ListKeysCommand({ KvsARN: arn, MaxResults: bad })))).name).toBe('ValidationException');
    }
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await h.kvs.send(new kv.ListKeysCommand({ KvsARN: arn, MaxResults: 20, NextToken: token }));
      keys.push(...page.Items!.map((i) => i.Key!));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(keys).toEqual(puts.slice(0, 49).map((p) => p.Key));
    expect((await h.kvs.send(new kv.GetKeyCommand({ KvsARN: arn, Key: 'key-000' }))).Value).toBe('changed');
    expect((await failure(h.kvs.send(new kv.ListKeysCommand({ KvsARN: arn, NextToken: 'garbage' })))).name).toBe('ValidationException');
  });

  test('the 5 MB store limit is ServiceQuotaExceededException', async () => {
    const big = await createStore(h, 'big');
    let etag = (await describeStore(big.ARN!)).ETag!;
    // 50 keys of ~1.5 KB per request, 70 requests = ~5.1 MB.
    let err: { name: string; status?: number } | undefined;
    for (let batch = 0; batch < 80 && !err; batch++) {
      const puts = Array.from({ length: 50 }, (_, i) => ({ Key: `${batch}-${i}-${'k'.repeat(480)}`, Value: 'v'.repeat(1024) }));
      try {
        etag = (await h.kvs.send(new kv.UpdateKeysCommand({ KvsARN: big.ARN!, IfMatch: etag, Puts: puts }))).ETag!;
      } catch (e) {
        err = { name: (e as Error).name, status: (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode };
      }
    }
    expect(err).toEqual({ name: 'ServiceQuotaExceededException', status: 402 });
    expect((await describeStore(big.ARN!)).TotalSizeInBytes).toBeLessThanOrEqual(5 * 1024 * 1024);
  });
});
