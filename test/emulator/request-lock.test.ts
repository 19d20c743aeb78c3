import { RequestLock } from '../../emulator/request-lock';

const tick = () => new Promise((r) => setImmediate(r));

describe('request lock: reads share, a write is alone, first come first served, every wait bounded', () => {
  test('a write waits for running reads; reads that arrive after a waiting write wait behind it', async () => {
    const lock = new RequestLock();
    const order: string[] = [];
    const r1 = await lock.acquire(false, 5000);
    const r2 = await lock.acquire(false, 5000);
    const w = lock.acquire(true, 5000).then((release) => { order.push('write'); return release; });
    const r3 = lock.acquire(false, 5000).then((release) => { order.push('read-after-write'); return release; });
    await tick();
    expect(order).toEqual([]);
    r1();
    await tick();
    expect(order).toEqual([]);
    r2();
    const releaseWrite = await w;
    await tick();
    expect(order).toEqual(['write']);
    releaseWrite();
    (await r3)();
    expect(order).toEqual(['write', 'read-after-write']);
    expect(lock.pending).toBe(0);
  });

  test('two writes never overlap, even when each awaits while holding the lock', async () => {
    const lock = new RequestLock();
    let inside = 0;
    let maxInside = 0;
    await Promise.all(Array.from({ length: 20 }, async () => {
      const release = await lock.acquire(true, 5000);
      inside++;
      maxInside = Math.max(maxInside, inside);
      await new Promise((r) => setTimeout(r, 2));
      inside--;
      release();
    }));
    expect(maxInside).toBe(1);
  });

  test('a wait past its deadline is refused and leaves the queue moving', async () => {
    const lock = new RequestLock();
    const read = await lock.acquire(false, 5000);
    await expect(lock.acquire(true, 50)).rejects.toThrow(/busy for 50 ms/);
    // The timed-out write no longer holds back reads.
    (await lock.acquire(false, 5000))();
    read();
    (await lock.acquire(true, 5000))();
    expect(lock.pending).toBe(0);
  });

  test('releasing twice does not corrupt the count', async () => {
    const lock = new RequestLock();
    const release = await lock.acquire(true, 5000);
    release();
    release();
    const a = await lock.acquire(true, 5000);
    const b = lock.acquire(true, 50);
    await expect(b).rejects.toThrow(/busy/);
    a();
  });
});
