// A SIGKILL can land at any instant of a save: while the temporary file is written, between its flush and the
// rename over the state file, or between the rename and the answer. Whatever instant it hits, the next emulator
// must start from a whole state file that holds every write that was answered.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as cf from '@aws-sdk/client-cloudfront';
import * as kv from '@aws-sdk/client-cloudfront-keyvaluestore';
import { createCloudFrontClient, createKvsClient } from '../../aws/clients';
import { exited, spawnFixture, waitForStderr } from './child-process';
import { startHarness, stopHarness, tempDir } from './harness';

jest.setTimeout(180_000);

test('killed with SIGKILL during a stream of key writes, three times: the file always loads and keeps every answered write', async () => {
  const file = join(tempDir(), 'state.json');
  const answered: string[] = [];
  let arn: string | undefined;
  for (let round = 0; round < 3; round++) {
    const child = spawnFixture('run-cli.ts', ['emulator', '--port', '0', '--state', file]);
    const done = exited(child);
    const [, endpoint] = await waitForStderr(child, /listening on (http:\/\/\S+)/);
    const target = { endpoint, region: 'us-east-1', maxAttempts: 1 };
    const cfc = createCloudFrontClient(target);
    const kvs = createKvsClient(target);
    try {
      arn ??= (await cfc.send(new cf.CreateKeyValueStoreCommand({ Name: 'killed-mid-save', Comment: '' }))).KeyValueStore!.ARN!;
      const storeArn = arn;
      let etag = (await kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: storeArn }))).ETag!;
      // Values near the 1 KB limit make every save rewrite a growing file, so a kill is likely to land inside one.
      const writer = (async () => {
        for (let i = 0; ; i++) {
          const key = `r${round}-k${i}`;
          try {
            etag = (await kvs.send(new kv.PutKeyCommand({ KvsARN: storeArn, Key: key, Value: 'v'.repeat(1000), IfMatch: etag }))).ETag!;
          } catch {
            return; // the kill
          }
          answered.push(key);
        }
      })();
      await sleep(400 + round * 300);
      child.kill('SIGKILL');
      await writer;
    } finally {
      cfc.destroy();
      kvs.destroy();
    }
    expect((await done).signal).toBe('SIGKILL');
  }
  expect(answered.length).toBeGreaterThan(0);

  const h = await startHarness({ stateFile: file });
  try {
    const keys = new Set<string>();
    let next: string | undefined;
    do {
      const page: kv.ListKeysCommandOutput = await h.kvs.send(new kv.ListKeysCommand({ KvsARN: arn!, MaxResults: 50, NextToken: next }));
      for (const item of page.Items ?? []) keys.add(item.Key!);
      next = page.NextToken;
    } while (next);
    expect(answered.filter((k) => !keys.has(k))).toEqual([]);
  } finally {
    await stopHarness(h);
  }
});
