import { join } from 'node:path';
import * as kv from '@aws-sdk/client-cloudfront-keyvaluestore';
import { createStore, failure, startHarness, stopHarness, tempDir, type Harness } from './harness';

/** Every key and value of a store, read page by page through ListKeys. */
async function listAll(h: Harness, arn: string, maxResults = 50): Promise<[string, string][]> {
  const out: [string, string][] = [];
  let token: string | undefined;
  do {
    const page = await h.kvs.send(new kv.ListKeysCommand({ KvsARN: arn, MaxResults: maxResults, NextToken: token }));
    out.push(...page.Items!.map((i) => [i.Key!, i.Value!] as [string, string]));
    token = page.NextToken;
  } while (token);
  return out;
}

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');
const sizeOf = (entries: [string, string][]) => entries.reduce((n, [k, v]) => n + utf8(k) + utf8(v), 0);
const byCodeUnit = (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

describe('key value store writes in place', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(); });
  afterAll(() => stopHarness(h));

  test('after mixed puts, overwrites and deletes, ListKeys, ItemCount and TotalSizeInBytes match a model of the store', async () => {
    const arn = (await createStore(h, 'model')).ARN!;
    const model = new Map<string, string>();
    let etag = (await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: arn }))).ETag!;
    // Keys whose code-unit order differs from naive expectations: case, digits, non-ASCII, astral, __proto__.
    const alphabet = ['a', 'B', 'z', '0', '9', 'é', 'ß', '日', '😀', '_', '__proto__', 'constructor'];
    let seed = 7;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    for (let round = 0; round < 12; round++) {
      const keys = new Set<string>();
      while (keys.size < 30) keys.add(`${alphabet[rnd(alphabet.length)]}${rnd(40)}`);
      const puts: kv.PutKeyRequestListItem[] = [];
      const deletes: kv.DeleteKeyRequestListItem[] = [];
      for (const key of keys) {
        if (rnd(3) === 0) deletes.push({ Key: key }); else puts.push({ Key: key, Value: 'v'.repeat(1 + rnd(20)) + '€' });
      }
      const r = await h.kvs.send(new kv.UpdateKeysCommand({ KvsARN: arn, IfMatch: etag, Puts: puts, Deletes: deletes }));
      for (const p of puts) model.set(p.Key!, p.Value!);
      for (const d of deletes) model.delete(d.Key!);
      const expected = [...model.entries()];
      expect(r).toMatchObject({ ItemCount: model.size, TotalSizeInBytes: sizeOf(expected) });
      etag = r.ETag!;
    }
    const expected = [...model.entries()].sort(byCodeUnit);
    expect(await listAll(h, arn, 7)).toEqual(expected);
    expect(await listAll(h, arn)).toEqual(expected);
    const d = await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: arn }));
    expect(d).toMatchObject({ ItemCount: model.size, TotalSizeInBytes: sizeOf(expected) });
    const [firstKey, firstValue] = expected[0];
    expect(await h.kvs.send(new kv.GetKeyCommand({ KvsARN: arn, Key: firstKey })))
      .toMatchObject({ Value: firstValue, ItemCount: model.size, TotalSizeInBytes: sizeOf(expected) });
  });

  test('an UpdateKeys refused for the 5 MB limit leaves no trace: same keys, values, size and ETag', async () => {
    const arn = (await createStore(h, 'near-full')).ARN!;
    let etag = (await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: arn }))).ETag!;
    // 69 batches of 50 x ~1.5 KB = ~5.21 MB, just under the 5,242,880-byte limit.
    for (let b = 0; b < 69; b++) {
      const puts = Array.from({ length: 50 }, (_, i) => ({ Key: `${String(b).padStart(2, '0')}-${i}-${'k'.repeat(480)}`, Value: 'v'.repeat(1024) }));
      etag = (await h.kvs.send(new kv.UpdateKeysCommand({ KvsARN: arn, IfMatch: etag, Puts: puts }))).ETag!;
    }
    const before = await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: arn }));
    const listedBefore = await listAll(h, arn);
    const victim = listedBefore[0][0];
    // Deletes and overwrites that alone would fit, plus new keys that push the result over the limit.
    const e = await failure(h.kvs.send(new kv.UpdateKeysCommand({ KvsARN: arn, IfMatch: etag,
      Deletes: [{ Key: victim }],
      Puts: [{ Key: listedBefore[1][0], Value: 'changed' },
        ...Array.from({ length: 40 }, (_, i) => ({ Key: `zz-${i}-${'k'.repeat(480)}`, Value: 'v'.repeat(1024) }))] })));
    expect(e).toMatchObject({ name: 'ServiceQuotaExceededException', status: 402 });
    const after = await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: arn }));
    expect(after).toMatchObject({ ETag: before.ETag, ItemCount: before.ItemCount, TotalSizeInBytes: before.TotalSizeInBytes });
    expect(await listAll(h, arn)).toEqual(listedBefore);
    // A request that fits is still accepted with the untouched ETag.
    const ok = await h.kvs.send(new kv.UpdateKeysCommand({ KvsARN: arn, IfMatch: etag, Deletes: [{ Key: victim }] }));
    expect(ok.ItemCount).toBe(before.ItemCount! - 1);
  }, 30000);

  test('NextToken keeps its place when keys are written and deleted between pages', async () => {
    const arn = (await createStore(h, 'paging')).ARN!;
    let etag = (await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: arn }))).ETag!;
    const key = (i: number) => `k${String(i).padStart(3, '0')}`;
    etag = (await h.kvs.send(new kv.UpdateKeysCommand({ KvsARN: arn, IfMatch: etag,
      Puts: Array.from({ length: 30 }, (_, i) => ({ Key: key(i * 2), Value: 'x' })) }))).ETag!;
    const p1 = await h.kvs.send(new kv.ListKeysCommand({ KvsARN: arn, MaxResults: 10 }));
    expect(p1.Items!.map((i) => i.Key)).toEqual(Array.from({ length: 10 }, (_, i) => key(i * 2)));
    // Between pages: delete the token's own key, insert before it (not seen again), insert after it (seen).
    etag = (await h.kvs.send(new kv.UpdateKeysCommand({ KvsARN: arn, IfMatch: etag,
      Deletes: [{ Key: key(18) }], Puts: [{ Key: key(5), Value: 'y' }, { Key: key(19), Value: 'y' }] }))).ETag!;
    const p2 = await h.kvs.send(new kv.ListKeysCommand({ KvsARN: arn, MaxResults: 10, NextToken: p1.NextToken }));
    expect(p2.Items!.map((i) => i.Key)).toEqual([key(19), ...Array.from({ length: 9 }, (_, i) => key(20 + i * 2))]);
    const p3 = await h.kvs.send(new kv.ListKeysCommand({ KvsARN: arn, MaxResults: 50, NextToken: p2.NextToken }));
    expect(p3.Items!.map((i) => i.Key)).toEqual(Array.from({ length: 11 }, (_, i) => key(38 + i * 2)));
    expect(p3.NextToken).toBeUndefined();
    // A page that ends exactly on the last key has no NextToken.
    const exact = await h.kvs.send(new kv.ListKeysCommand({ KvsARN: arn, MaxResults: 11, NextToken: p2.NextToken }));
    expect(exact.NextToken).toBeUndefined();
  });
});

test('a store reloaded from the state file lists in order and reports its size, and keeps taking writes', async () => {
  const file = join(tempDir(), 'state.json');
  let h: Harness | undefined = await startHarness({ stateFile: file });
  const arn = (await createStore(h, 'reloaded')).ARN!;
  let etag = (await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: arn }))).ETag!;
  etag = (await h.kvs.send(new kv.UpdateKeysCommand({ KvsARN: arn, IfMatch: etag,
    Puts: ['m', 'b', 'z', 'a', 'é'].map((k) => ({ Key: k, Value: `${k}${k}` })) }))).ETag!;
  etag = (await h.kvs.send(new kv.UpdateKeysCommand({ KvsARN: arn, IfMatch: etag, Deletes: [{ Key: 'm' }] }))).ETag!;
  const before = await listAll(h, arn, 2);
  await stopHarness(h);
  h = await startHarness({ stateFile: file });
  try {
    expect(await listAll(h, arn, 2)).toEqual(before);
    expect(before.map(([k]) => k)).toEqual(['a', 'b', 'z', 'é']);
    expect(await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: arn })))
      .toMatchObject({ ETag: etag, ItemCount: 4, TotalSizeInBytes: sizeOf(before) });
    const r = await h.kvs.send(new kv.UpdateKeysCommand({ KvsARN: arn, IfMatch: etag, Puts: [{ Key: 'c', Value: 'cc' }], Deletes: [{ Key: 'z' }] }));
    expect(r).toMatchObject({ ItemCount: 4, TotalSizeInBytes: sizeOf(before) });
    expect((await listAll(h, arn)).map(([k]) => k)).toEqual(['a', 'b', 'c', 'é']);
  } finally {
    await stopHarness(h);
  }
  h = await startHarness({ stateFile: file });
  try {
    expect((await listAll(h, arn)).map(([k]) => k)).toEqual(['a', 'b', 'c', 'é']);
  } finally {
    await stopHarness(h);
  }
});
