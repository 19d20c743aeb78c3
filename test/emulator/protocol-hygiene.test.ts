import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import * as cf from '@aws-sdk/client-cloudfront';
import * as kv from '@aws-sdk/client-cloudfront-keyvaluestore';
import { code, createFunction, createStore, failure, RUNTIME, startHarness, stopHarness, type Harness } from './harness';
import { rawExchange, rawRequest, xmlErrorCode } from './raw-http';

const ALLOW = 'function connectionHandler(c) { c.allow(); }';

describe('malformed requests answer 400 in the API\'s own shape', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(); });
  afterAll(() => stopHarness(h));

  test('malformed %-escapes and non-UTF-8 escapes in the path or query (control plane: InvalidArgument)', async () => {
    for (const path of ['/2020-05-31/connection-function/%E0%A4%A/describe', '/2020-05-31/connection-function/%ZZ/describe',
      '/2020-05-31/connection-function/%FF%FE/describe', '/2020-05-31/connection-function/abc%/describe',
      '/2020-05-31/distribution?Marker=%G1', '/2020-05-31/distribution?Marker=%C0%AF']) {
      const r = await rawRequest(h.emu.port, 'GET', path);
      expect({ path, status: r.status, code: xmlErrorCode(r.body) }).toEqual({ path, status: 400, code: 'InvalidArgument' });
    }
  });

  test('malformed escapes on the data plane: ValidationException in REST-JSON', async () => {
    const r = await rawRequest(h.emu.port, 'GET', '/key-value-stores/arn%3Aaws%3A%ZZ');
    expect(r.status).toBe(400);
    expect(r.headers['x-amzn-errortype']).toBe('ValidationException');
    expect(JSON.parse(r.body).message).toMatch(/malformed %-escape/);
  });

  test('a request target that is not a plain path is refused', async () => {
    const absolute = await rawExchange(h.emu.port, `GET http://evil.example/2020-05-31/distribution HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect(absolute.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(xmlErrorCode(absolute.text)).toBe('InvalidArgument');
  });

  test('a body that is not UTF-8, or compressed, is a 400, not a 500', async () => {
    const bad = Buffer.concat([Buffer.from('<?xml version="1.0"?><Tags xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Items><Tag><Key>'),
      Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('</Key><Value>v</Value></Tag></Items></Tags>')]);
    const f = await createFunction(h, 'encodings', ALLOW);
    const path = `/2020-05-31/tagging?Operation=Tag&Resource=${encodeURIComponent(f.ConnectionFunctionSummary!.ConnectionFunctionArn!)}`;
    const r = await rawRequest(h.emu.port, 'POST', path, { 'Content-Type': 'application/xml' }, bad);
    expect({ status: r.status, code: xmlErrorCode(r.body) }).toEqual({ status: 400, code: 'InvalidArgument' });
    const gz = await rawRequest(h.emu.port, 'POST', path, { 'Content-Type': 'application/xml', 'Content-Encoding': 'gzip' }, 'x');
    expect({ status: gz.status, code: xmlErrorCode(gz.body) }).toEqual({ status: 400, code: 'InvalidArgument' });
    const notXml = await rawRequest(h.emu.port, 'POST', path, { 'Content-Type': 'application/xml' }, '<Tags><Items><Tag>');
    expect(notXml.status).toBe(400);
    const store = await createStore(h, 'json-body');
    const json = await rawRequest(h.emu.port, 'POST', `/key-value-stores/${encodeURIComponent(store.ARN!)}/keys`,
      { 'Content-Type': 'application/json', 'If-Match': 'x' }, Buffer.from([0x7b, 0xff, 0x7d]));
    expect({ status: json.status, type: json.headers['x-amzn-errortype'] }).toEqual({ status: 400, type: 'ValidationException' });
  });

  test('XML entities are not expanded (no billion laughs): a nested DOCTYPE is a plain 400', async () => {
    const level = (n: number) => `&lol${n};`.repeat(10);
    const doctype = '<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
      + Array.from({ length: 8 }, (_, i) => `<!ENTITY lol${i + 1} "${level(i)}">`).join('') + ']>';
    const body = `<?xml version="1.0"?>${doctype}<CreateConnectionFunctionRequest xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">`
      + `<Name>&lol8;</Name><ConnectionFunctionConfig><Comment>&lol8;</Comment><Runtime>${RUNTIME}</Runtime></ConnectionFunctionConfig>`
      + '<ConnectionFunctionCode>YQ==</ConnectionFunctionCode></CreateConnectionFunctionRequest>';
    const r = await rawRequest(h.emu.port, 'POST', '/2020-05-31/connection-function', { 'Content-Type': 'application/xml' }, body);
    expect({ status: r.status, code: xmlErrorCode(r.body) }).toEqual({ status: 400, code: 'InvalidArgument' });
    expect(r.body.length).toBeLessThan(2000);
  });

  test('a request Node cannot parse gets an XML 400 and the connection closes', async () => {
    const r = await rawExchange(h.emu.port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(r.closed).toBe(true);
    expect(r.text).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(xmlErrorCode(r.text)).toBe('InvalidArgument');
  });
});

describe('bodies over the limit get EntitySizeLimitExceeded (413), not a reset connection', () => {
  let h: Harness;
  const limit = 64 * 1024;
  beforeAll(async () => { h = await startHarness({ connectionLimits: { maxBodyBytes: limit } }); });
  afterAll(() => stopHarness(h));

  test('through the SDK: a create over the limit is EntitySizeLimitExceeded, and the next call works', async () => {
    const e = await failure(h.cf.send(new cf.CreateConnectionFunctionCommand({
      Name: 'huge', ConnectionFunctionCode: code(`function connectionHandler(c) { c.allow(); } // ${'x'.repeat(2 * limit)}`),
      ConnectionFunctionConfig: { Comment: '', Runtime: RUNTIME },
    })));
    expect(e).toMatchObject({ name: 'EntitySizeLimitExceeded', status: 413 });
    await createFunction(h, 'small', ALLOW);
  });

  test('through the SDK (data plane): UpdateKeys over the limit is a 413 in REST-JSON', async () => {
    const store = await createStore(h, 'big-update');
    const d = await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: store.ARN! }));
    const puts = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v'.repeat(1024) })).concat(
      Array.from({ length: 50 }, (_, i) => ({ Key: `j${i}`, Value: 'v'.repeat(1024) })));
    const e = await failure(h.kvs.send(new kv.UpdateKeysCommand({ KvsARN: store.ARN!, IfMatch: d.ETag!, Puts: puts })));
    expect(e).toMatchObject({ name: 'EntitySizeLimitExceeded', status: 413 });
  });

  test('raw: with Content-Length, chunked, and with Expect: 100-continue (answered before the body is sent)', async () => {
    const big = Buffer.alloc(limit * 3, 0x61);
    const sized = await rawRequest(h.emu.port, 'POST', '/2020-05-31/connection-function', { 'Content-Type': 'application/xml' }, big);
    expect({ status: sized.status, code: xmlErrorCode(sized.body) }).toEqual({ status: 413, code: 'EntitySizeLimitExceeded' });

    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: h.emu.port, method: 'POST', path: '/2020-05-31/connection-function',
        headers: { 'Content-Type': 'application/xml', 'Transfer-Encoding': 'chunked' }, agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => { body += c; });
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      for (let i = 0; i < 12; i++) req.write(Buffer.alloc(limit / 2, 0x62));
      req.end();
    });
    expect({ status: chunked.status, code: xmlErrorCode(chunked.body) }).toEqual({ status: 413, code: 'EntitySizeLimitExceeded' });

    const expect100 = await rawExchange(h.emu.port, 'POST /2020-05-31/connection-function HTTP/1.1\r\nHost: 127.0.0.1\r\n'
      + `Content-Type: application/xml\r\nContent-Length: ${limit * 10}\r\nExpect: 100-continue\r\n\r\n`);
    expect(expect100.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(expect100.text).not.toMatch(/100 Continue/);
    expect(xmlErrorCode(expect100.text)).toBe('EntitySizeLimitExceeded');
  });

  test('a body far past the limit is not read forever: answered, then the connection is closed', async () => {
    const r = await new Promise<{ status?: number; closed: boolean }>((resolve) => {
      const socket = connect(h.emu.port, '127.0.0.1');
      let text = '';
      let sent = 0;
      socket.on('data', (c) => { text += c; });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]), closed: true }));
      socket.write(`POST /2020-05-31/connection-function HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/xml\r\nContent-Length: ${1024 ** 3}\r\n\r\n`);
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => {
        while (!socket.destroyed && sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!socket.write(chunk)) { socket.once('drain', pump); return; }
        }
      };
      pump();
      setTimeout(() => { socket.destroy(); resolve({ closed: false }); }, 20000).unref();
    });
    expect(r).toEqual({ status: 413, closed: true });
  });
});

describe('slow and idle clients cannot hold the emulator', () => {
  let h: Harness;
  const maxConnections = 24;
  beforeAll(async () => {
    h = await startHarness({ connectionLimits: { maxConnections, headersTimeoutMs: 1500, requestTimeoutMs: 3000, keepAliveTimeoutMs: 1000 } });
  });
  afterAll(() => stopHarness(h));

  test('connections trickling header bytes are closed, and a normal client is served while they try', async () => {
    const slow = 80;
    const sockets: Socket[] = [];
    const closed: Promise<string>[] = [];
    const timers: NodeJS.Timeout[] = [];
    for (let i = 0; i < slow; i++) {
      const s = connect(h.emu.port, '127.0.0.1');
      s.on('error', () => undefined);
      let got = '';
      s.on('data', (c) => { got += c; });
      closed.push(new Promise((resolve) => s.on('close', () => resolve(got))));
      const header = 'GET /2020-05-31/distribution HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ';
      let pos = 0;
      timers.push(setInterval(() => {
        if (!s.destroyed) s.write(pos < header.length ? header[pos++] : 'a');
      }, 200));
      sockets.push(s);
    }
    try {
      // While they trickle, the SDK (which sends its request at once) is served.
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      for (let i = 0; i < 5; i++) await h.cf.send(new cf.ListDistributionsCommand({}));
      expect(Date.now() - t0).toBeLessThan(20000);
      expect(h.emu.connectionCount()).toBeLessThanOrEqual(maxConnections);
      // Every slow connection ends: evicted at the cap, or timed out with a 408 at the header deadline.
      const results = await Promise.race([Promise.all(closed), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('slow connections still open after 20 s')), 20000).unref())]);
      expect(results).toHaveLength(slow);
      expect(results.filter((t) => t.startsWith('HTTP/1.1 408 ')).length).toBeGreaterThan(0);
      expect(results.every((t) => t === '' || t.startsWith('HTTP/1.1 408 '))).toBe(true);
    } finally {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
    }
  }, 60000);

  test('a connection that sends nothing, or a body too slowly, is closed; idle keep-alive connections too', async () => {
    const silent = await rawExchange(h.emu.port, '', 20000);
    expect(silent.closed).toBe(true);
    const slowBody = await new Promise<string>((resolve) => {
      const s = connect(h.emu.port, '127.0.0.1', () => s.write('POST /2020-05-31/connection-function HTTP/1.1\r\nHost: 127.0.0.1\r\n'
        + 'Content-Type: application/xml\r\nContent-Length: 1000\r\n\r\n<'));
      let got = '';
      const t = setInterval(() => { if (!s.destroyed) s.write('a'); }, 300);
      s.on('data', (c) => { got += c; });
      s.on('error', () => undefined);
      s.on('close', () => { clearInterval(t); resolve(got); });
      setTimeout(() => { clearInterval(t); s.destroy(); }, 20000).unref();
    });
    expect(slowBody).toMatch(/^HTTP\/1\.1 408 /);
    const idle = await new Promise<boolean>((resolve) => {
      const s = connect(h.emu.port, '127.0.0.1', () => s.write('GET /2020-05-31/distribution HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
      s.on('data', () => undefined);
      s.on('error', () => undefined);
      s.on('close', () => resolve(true));
      setTimeout(() => { s.destroy(); resolve(false); }, 20000).unref();
    });
    expect(idle).toBe(true);
  }, 60000);
});
