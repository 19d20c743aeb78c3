import { readConnectionLog, MAX_LOG_LINE_BYTES, type ConnectionLogLine } from '../../connection-logs/connection-log-reader';
import { gzipSync } from 'node:zlib';

jest.setTimeout(60_000);

async function* chunksOf(...parts: (string | Buffer)[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield Buffer.isBuffer(p) ? p : Buffer.from(p);
}

async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<ConnectionLogLine[]> {
  const out: ConnectionLogLine[] = [];
  for await (const l of readConnectionLog(chunks, 'log')) out.push(l);
  return out;
}

const GOOD = JSON.stringify({ eventTimestamp: 1731620046814, connectionStatus: 'Success', clientLeafCertSerialNumber: '00:b1:43:ed:93:d2:d8:f3:9d' });
const problems = (lines: ConnectionLogLine[]) => lines.map((l) => ('problem' in l ? `${l.line}: ${l.problem}` : `${l.line}: record`));

describe('connection-log reader: hostile and foreign input is reported per line', () => {
  it('reads records split across chunks, a CRLF log, a gzipped log, and a last line without a newline', async () => {
    const text = `${GOOD}\r\n\n${GOOD}\n${GOOD}`;
    const split = await readAll(chunksOf(...text.match(/[\s\S]{1,7}/g)!));
    expect(problems(split)).toEqual(['1: record', '3: record', '4: record']);
    expect(split[0]).toMatchObject({ record: { eventTimestamp: 1731620046814, connectionStatus: 'Success' } });
    expect(problems(await readAll(chunksOf(gzipSync(text))))).toEqual(['1: record', '3: record', '4: record']);
  });

  it('reports truncated, mixed-format, wrongly typed and hostile lines by number, and reads on', async () => {
    const lines = [
      GOOD,
      GOOD.slice(0, 40),
      '#Fields: eventTimestamp connectionId connectionStatus',
      '1731620046814\toLHiEKbQ\tSuccess',
      '1731620046814 oLHiEKbQ Success 203.0.113.42',
      `{"connectionStatus":"Success","clientIp":"\u001b[2J\u001b]0;pwned\u0007"}`,
      JSON.stringify({ connectionStatus: 'Success', clientLeafCertSubject: `CN=${'x'.repeat(20_000)}` }),
      JSON.stringify({ connectionStatus: 'Success', clientPort: 'eighty' }),
      JSON.stringify({ connectionStatus: ['Success'] }),
      '[1,2,3]',
      JSON.stringify({ connectionStatus: 'Success', note: 'fields added later are ignored', clientIp: '-' }),
      '{"connectionStatus":"Success","clientIp":"\\u001b[31mred\\u2028"}',
    ];
    const out = await readAll(chunksOf(lines.join('\n')));
    expect(problems(out)).toEqual([
      '1: record',
      expect.stringMatching(/^2: is not valid JSON \(truncated/),
      '3: is a w3c header line: the w3c format is unsupported (deliver connection logs as JSON)',
      expect.stringMatching(/^4: is tab-separated text .*unsupported/),
      expect.stringMatching(/^5: is not a JSON record \(unsupported format\)/),
      expect.stringMatching(/^6: is not valid JSON/),
      '7: field clientLeafCertSubject is 20003 characters, longer than any CloudFront writes (8192)',
      '8: field clientPort is "\\"eighty\\"", not a number',
      '9: field connectionStatus is a list, not text',
      '10: is not a JSON record (unsupported format): "[1,2,3]"',
      '11: record',
      '12: record',
    ]);
    // No problem line carries a raw control character (a forged line or a terminal escape).
    for (const l of out) if ('problem' in l) expect(l.problem).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028]/);
    expect(out[10]).toEqual({ file: 'log', line: 11, record: { connectionStatus: 'Success' } });
  });

  it('reports invalid UTF-8, a Parquet file and an over-long line, each as one problem', async () => {
    const out = await readAll(chunksOf(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]), `${'{"a":"'.padEnd(MAX_LOG_LINE_BYTES + 10, 'y')}"}\n`, GOOD));
    expect(problems(out)).toEqual(['1: is not valid UTF-8', `2: is ${MAX_LOG_LINE_BYTES + 12} bytes, longer than the ${MAX_LOG_LINE_BYTES} a record can be: skipped`, '3: record']);
    expect(problems(await readAll(chunksOf(Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(100, 1)])))))
      .toEqual(['1: is a Parquet file: unsupported (deliver connection logs as JSON)']);
  });

  it('streams a 1 GB line in bounded memory and reads the record after it', async () => {
    const mib = Buffer.alloc(1024 * 1024, 0x61);
    async function* huge(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('{"connectionStatus":"');
      for (let i = 0; i < 1024; i++) yield mib;
      yield Buffer.from(`"}\n${GOOD}\n`);
    }
    const before = process.memoryUsage().rss;
    const started = Date.now();
    const out = await readAll(huge());
    expect(problems(out)).toEqual([`1: is ${1024 * 1024 * 1024 + 23} bytes, longer than the ${MAX_LOG_LINE_BYTES} a record can be: skipped`, '2: record']);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('passes on a failure of the source itself: a log cut off in transfer is not a whole log', async () => {
    async function* cut(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(`${GOOD}\n`);
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    }
    await expect(readAll(cut())).rejects.toThrow('socket hang up');
  });

  it('ends a broken gzip stream with one problem line instead of throwing', async () => {
    const gz = gzipSync(`${GOOD}\n${GOOD}\n`.repeat(50));
    const out = await readAll(chunksOf(gz.subarray(0, gz.length - 20)));
    expect(out.at(-1)).toMatchObject({ problem: expect.stringMatching(/^cannot be read: /) });
  });
});
