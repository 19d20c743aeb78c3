import { RateLimiter, mapLimited } from '../../orchestrator/stage/rate-limiter';

describe('RateLimiter', () => {
  it('never has more than `concurrency` tasks in flight and keeps result order', async () => {
    const limiter = new RateLimiter({ concurrency: 3, ratePerSecond: 0 });
    let active = 0;
    let peak = 0;
    const out = await mapLimited([...Array(20).keys()], limiter, async (i) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5 + (i % 3)));
      active--;
      return i * 2;
    });
    expect(peak).toBe(3);
    expect(out).toEqual([...Array(20).keys()].map((i) => i * 2));
  });

  it('spaces request starts to stay under the rate ceiling', async () => {
    const limiter = new RateLimiter({ concurrency: 10, ratePerSecond: 100 });
    const starts: number[] = [];
    await mapLimited([...Array(11).keys()], limiter, async () => { starts.push(Date.now()); });
    // 11 starts at 100/s span at least 100 ms (10 intervals of 10 ms).
    expect(starts[starts.length - 1] - starts[0]).toBeGreaterThanOrEqual(95);
  });

  it('rejects nonsense settings', () => {
    expect(() => new RateLimiter({ concurrency: 0, ratePerSecond: 1 })).toThrow(/concurrency/);
    expect(() => new RateLimiter({ concurrency: 1, ratePerSecond: -1 })).toThrow(/ratePerSecond/);
  });

  it('releases its slot when a task throws', async () => {
    const limiter = new RateLimiter({ concurrency: 1, ratePerSecond: 0 });
    await expect(limiter.run(async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    await expect(limiter.run(async () => 'next')).resolves.toBe('next');
  });
});
