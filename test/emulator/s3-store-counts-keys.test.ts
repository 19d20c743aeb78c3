/**
 * The S3 store budget bounds what the objects cost, not only their bytes: an empty object under a long key, or a
 * bucket, still holds memory, so a flood of them must meet the budget too.
 */
import { Agent, request } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startEmulator, type RunningEmulator } from '../../emulator';

jest.setTimeout(120_000);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const held = () => { gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
const MiB = 1024 * 1024;

describe('the S3 store budget', () => {
  let emu: RunningEmulator;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  beforeEach(async () => {
    emu = await startEmulator({ port: 0, connectionLimits: { maxS3StoredBytes: 2 * MiB } });
  });
  afterEach(async () => emu.close(0));
  afterAll(() => agent.destroy());
  const put = (path: string, body = ''): Promise<number> => new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: emu.port, method: 'PUT', path, agent, headers: { 'Content-Length': String(body.length) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(body);
  });

  it('counts the keys of empty objects: a flood of them is refused once they fill it', async () => {
    expect(await put('/s3/flood')).toBe(200);
    const before = held();
    const statuses: number[] = [];
    const key = 'k'.repeat(4000);
    for (let i = 0; i < 3000; i += 8) {
      statuses.push(...await Promise.all(Array.from({ length: 8 }, (_, j) => put(`/s3/flood/${key}${i + j}`))));
    }
    const grown = held() - before;
    // 3000 keys of 4 KB are 12 MB: past a 2 MiB budget, the rest are refused.
    expect(statuses).toContain(507);
    expect(grown).toBeLessThan(6 * MiB);
  });

  it('counts what small objects hold, not only their bytes', async () => {
    expect(await put('/s3/small')).toBe(200);
    const before = held();
    const statuses: number[] = [];
    for (let i = 0; i < 20_000 && !statuses.includes(507); i += 16) {
      statuses.push(...await Promise.all(Array.from({ length: 16 }, (_, j) => put(`/s3/small/${i + j}`, 'x'))));
    }
    const grown = held() - before;
    expect(statuses).toContain(507);
    expect(grown).toBeLessThan(4 * MiB);
  });

  it('counts buckets', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20_000 && !statuses.includes(507); i += 16) {
      statuses.push(...await Promise.all(Array.from({ length: 16 }, (_, j) => put(`/s3/bucket-${String(i + j).padStart(50, '0')}`))));
    }
    expect(statuses).toContain(507);
  });
});
