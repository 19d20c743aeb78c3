import * as fs from 'node:fs';
import { checkStoreFits, KVS_LIMITS } from '../../revocation/kvs-limits';
import { diffStore } from '../../revocation/store-diff';
import { readSnapshot, snapshotFile, writeSnapshot } from '../../revocation/store-snapshot';
import { planBatches } from '../../revocation/update-batches';
import { tempDir } from './openssl-pki';

const m = (...keys: string[]): Map<string, string> => new Map(keys.map((k) => [k, '1']));

describe('diff, batches, limits and snapshots', () => {
  it('computes the exact difference and never deletes protected keys', () => {
    const store = new Map([['01', '1'], ['02', '1'], ['03', 'old'], ['0badc0de0badc0de', '1'], ['9E2A', '1']]);
    const d = diffStore(m('02', '03', '04'), store, new Set(['0badc0de0badc0de']));
    expect(d.puts).toEqual([{ key: '03', value: '1' }, { key: '04', value: '1' }]);
    expect(d.deletes).toEqual(['01', '9E2A']);
    expect(d.unchanged).toBe(1);
    expect([...d.final.keys()].sort()).toEqual(['02', '03', '04', '0badc0de0badc0de']);
  });

  it('batches at most 50 keys, puts before deletes', () => {
    const puts = Array.from({ length: 120 }, (_, i) => ({ key: i.toString(16).padStart(4, '0'), value: '1' }));
    const deletes = Array.from({ length: 31 }, (_, i) => `ff${i.toString(16).padStart(2, '0')}`);
    const batches = planBatches({ puts, deletes });
    expect(batches.map((b) => b.puts.length + b.deletes.length)).toEqual([50, 50, 50, 1]);
    expect(batches[2]).toMatchObject({ puts: puts.slice(100) });
    expect(batches[2].deletes).toEqual(deletes.slice(0, 30));
    expect(batches.flatMap((b) => b.puts)).toEqual(puts);
    expect(batches.flatMap((b) => b.deletes)).toEqual(deletes);
    expect(planBatches({ puts: [], deletes: [] })).toEqual([]);
  });

  it('batches by bytes too', () => {
    const puts = Array.from({ length: 10 }, (_, i) => ({ key: `0${i}`, value: 'v'.repeat(1000) }));
    const batches = planBatches({ puts, deletes: [] }, { ...KVS_LIMITS, maxBytesPerUpdate: 3100 });
    expect(batches.map((b) => b.puts.length)).toEqual([3, 3, 3, 1]);
  });

  it('checks key, value and store size limits', () => {
    expect(checkStoreFits(m('9e2a', '01'), 'src')).toBe(8);
    expect(() => checkStoreFits(m('ab'.repeat(257)), 'src')).toThrow(/^src: serial .* is 514 bytes as a key, over the KeyValueStore limit of 512/);
    expect(() => checkStoreFits(new Map([['01', 'x'.repeat(1025)]]), 'src')).toThrow(/value of key 01 is 1025 bytes/);
    const big = new Map<string, string>();
    for (let i = 0; i < 150_000; i++) big.set(i.toString(16).padStart(36, '0'), '1');
    expect(() => checkStoreFits(big, 'src')).toThrow(/the store would hold 150000 keys totalling 5550000 bytes, over the KeyValueStore limit of 5242880/);
  });

  it('stores snapshots per store ARN and ignores foreign or corrupt files', () => {
    const dir = tempDir();
    const arn = 'arn:aws:cloudfront::123456789012:key-value-store/abc';
    expect(readSnapshot(dir, arn)).toBeUndefined();
    writeSnapshot(dir, { kvsArn: arn, etag: 'E1', entries: m('01', '02') });
    expect(readSnapshot(dir, arn)).toMatchObject({ etag: 'E1', entries: m('01', '02') });
    expect(readSnapshot(dir, `${arn}x`)).toBeUndefined();
    fs.writeFileSync(snapshotFile(dir, arn), '{"format":');
    expect(readSnapshot(dir, arn)).toBeUndefined();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
