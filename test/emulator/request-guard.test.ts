import * as cf from '@aws-sdk/client-cloudfront';
import * as kv from '@aws-sdk/client-cloudfront-keyvaluestore';
import { createCloudFrontClient, createKvsClient } from '../../aws/clients';
import { code, connectionWithSerial, createFunction, createStore, failure, RUNTIME, startHarness, stopHarness, type Harness } from './harness';
import { rawExchange, rawRequest, xmlErrorCode } from './raw-http';

const ALLOW = 'function connectionHandler(c) { c.allow(); }';

/** What a page on another site can make a browser send: the create that once answered 201. */
function createFunctionXml(name: string): string {
  return '<?xml version="1.0" encoding="UTF-8"?><CreateConnectionFunctionRequest xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
    + `<Name>${name}</Name><ConnectionFunctionConfig><Comment>x</Comment><Runtime>${RUNTIME}</Runtime></ConnectionFunctionConfig>`
    + `<ConnectionFunctionCode>${Buffer.from(ALLOW).toString('base64')}</ConnectionFunctionCode></CreateConnectionFunctionRequest>`;
}

/** An SDK client whose requests carry extra headers (a rebinding Host, a browser's Origin), added after signing. */
function withHeaders<C extends { middlewareStack: { add: (...a: any[]) => void } }>(client: C, headers: Record<string, string>): C {
  client.middlewareStack.add((next: any) => async (args: any) => {
    Object.assign(args.request.headers, headers);
    return next(args);
  }, { step: 'finalizeRequest', name: 'testHeaders', priority: 'low' });
  return client;
}

describe('request guard: only loopback clients, never a browser page on another site', () => {
  let h: Harness;
  let port: number;
  beforeAll(async () => {
    h = await startHarness({ allowedHosts: ['emulator.internal'] });
    port = h.emu.port;
  });
  afterAll(() => stopHarness(h));

  async function functionNames(): Promise<string[]> {
    const r = await h.cf.send(new cf.ListConnectionFunctionsCommand({}));
    return (r.ConnectionFunctions ?? []).map((f) => f.Name!);
  }

  test('a cross-origin text/plain POST cannot create a function (raw HTTP)', async () => {
    const r = await rawRequest(port, 'POST', '/2020-05-31/connection-function',
      { Origin: 'https://evil.example', 'Content-Type': 'text/plain;charset=UTF-8', 'Sec-Fetch-Site': 'cross-site' },
      createFunctionXml('from-a-web-page'));
    expect(r.status).toBe(403);
    expect(r.headers['content-type']).toBe('text/xml');
    expect(xmlErrorCode(r.body)).toBe('AccessDenied');
    expect(r.body).toContain('<ErrorResponse');
    expect(await functionNames()).not.toContain('from-a-web-page');
  });

  test('simple content types are refused for writes even from loopback; the XML type is served', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'TEXT/PLAIN']) {
      const r = await rawRequest(port, 'POST', '/2020-05-31/connection-function', { 'Content-Type': type }, createFunctionXml('simple-type'));
      expect({ type, status: r.status, code: xmlErrorCode(r.body) }).toEqual({ type, status: 403, code: 'AccessDenied' });
    }
    expect(await functionNames()).not.toContain('simple-type');
    const ok = await rawRequest(port, 'POST', '/2020-05-31/connection-function', { 'Content-Type': 'application/xml' }, createFunctionXml('xml-type'));
    expect(ok.status).toBe(201);
    // A browser cannot send PUT cross-origin without a preflight, so text bodies stay possible there (S3 objects).
    const put = await rawRequest(port, 'PUT', '/s3/crl-bucket/ca.pem', { 'Content-Type': 'text/plain' }, '-----BEGIN X509 CRL-----');
    expect(put.status).not.toBe(403);
  });

  test('a cross-origin TagResource cannot rewrite evidence tags', async () => {
    const f = await createFunction(h, 'tagged', ALLOW);
    const arn = f.ConnectionFunctionSummary!.ConnectionFunctionArn!;
    await h.cf.send(new cf.TagResourceCommand({ Resource: arn, Tags: { Items: [{ Key: 'conngate:evidence', Value: 'signed' }] } }));
    const body = '<Tags xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Items><Tag><Key>conngate:evidence</Key><Value>forged</Value></Tag></Items></Tags>';
    for (const headers of <Record<string, string>[]>[
      { Origin: 'https://evil.example', 'Content-Type': 'text/plain' },
      { Origin: 'https://evil.example', 'Content-Type': 'application/xml' },
      { Origin: 'null', 'Content-Type': 'application/xml' },
      { 'Sec-Fetch-Site': 'cross-site' },
    ]) {
      const r = await rawRequest(port, 'POST', `/2020-05-31/tagging?Operation=Tag&Resource=${encodeURIComponent(arn)}`, headers, body);
      expect({ headers, status: r.status, code: xmlErrorCode(r.body) }).toEqual({ headers, status: 403, code: 'AccessDenied' });
    }
    const tags = await h.cf.send(new cf.ListTagsForResourceCommand({ Resource: arn }));
    expect(tags.Tags?.Items).toEqual([{ Key: 'conngate:evidence', Value: 'signed' }]);
  });

  test('DNS rebinding: a request addressed to another name is refused, TestConnectionFunction included (SDK)', async () => {
    const f = await createFunction(h, 'rebinding-target', ALLOW);
    const rebound = withHeaders(createCloudFrontClient({ endpoint: h.emu.endpoint, region: 'us-east-1', maxAttempts: 1 }),
      { host: `attacker.example:${port}` });
    try {
      const e = await failure(rebound.send(new cf.TestConnectionFunctionCommand({
        Id: f.ConnectionFunctionSummary!.Id!, IfMatch: f.ETag!, Stage: 'DEVELOPMENT',
        ConnectionObject: new TextEncoder().encode(JSON.stringify(connectionWithSerial('01'))),
      })));
      expect(e).toMatchObject({ name: 'AccessDenied', status: 403 });
      expect(e.message).toMatch(/DNS rebinding/);
      expect(await failure(rebound.send(new cf.CreateConnectionFunctionCommand({
        Name: 'rebound-create', ConnectionFunctionCode: code(ALLOW), ConnectionFunctionConfig: { Comment: '', Runtime: RUNTIME },
      })))).toMatchObject({ name: 'AccessDenied', status: 403 });
    } finally {
      rebound.destroy();
    }
    expect(await functionNames()).not.toContain('rebound-create');
  });

  test('Host names that are served and names that are not (raw HTTP)', async () => {
    const served = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, '127.0.0.1', `LOCALHOST:${port}`,
      `123456789012.127.0.0.1:${port}`, `123456789012.localhost:${port}`, `emulator.internal:${port}`,
      `123456789012.emulator.internal:${port}`];
    const refused = [`attacker.example:${port}`, `127.0.0.1.attacker.example:${port}`, `localhost.attacker.example`,
      `x.emulator.internal:${port}`, `12345.127.0.0.1:${port}`, `192.168.1.10:${port}`, `0.0.0.0:${port}`];
    const malformed = [`localhost:${port}:1`, '[::1', 'local host', `localhost:${port}/x`];
    for (const host of served) {
      const r = await rawRequest(port, 'GET', '/2020-05-31/distribution', { Host: host });
      expect({ host, status: r.status }).toEqual({ host, status: 200 });
    }
    for (const host of refused) {
      const r = await rawRequest(port, 'GET', '/2020-05-31/distribution', { Host: host });
      expect({ host, status: r.status, code: xmlErrorCode(r.body) }).toEqual({ host, status: 403, code: 'AccessDenied' });
    }
    for (const host of malformed) {
      const r = await rawRequest(port, 'GET', '/2020-05-31/distribution', { Host: host });
      // Node itself may answer 400 for a Host it cannot parse; the emulator refuses the rest.
      expect({ host, refused: [400, 403].includes(r.status) }).toEqual({ host, refused: true });
    }
    // Without a Host (HTTP/1.0) or with an empty one, nothing says where the request was meant to go.
    const noHost = await rawExchange(port, 'GET /2020-05-31/distribution HTTP/1.0\r\n\r\n');
    expect(noHost.text).toMatch(/^HTTP\/1\.1 403 /);
    const emptyHost = await rawExchange(port, 'GET /2020-05-31/distribution HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n');
    expect(emptyHost.text).toMatch(/^HTTP\/1\.1 (400|403) /);
  });

  test('Origin and Sec-Fetch-Site: loopback pages are served, other sites are not', async () => {
    const served: Record<string, string>[] = [{ Origin: `http://localhost:3000` }, { Origin: `http://127.0.0.1:${port}` }, { Origin: 'http://[::1]:8080' },
      { 'Sec-Fetch-Site': 'same-origin' }, { 'Sec-Fetch-Site': 'none' }, { Origin: 'http://localhost:3000', 'Sec-Fetch-Site': 'same-site' },
      { Origin: 'https://emulator.internal' }];
    const refused: Record<string, string>[] = [{ Origin: 'https://evil.example' }, { Origin: 'null' }, { Origin: 'http://localhost.evil.example' },
      { Origin: 'http://192.168.1.10:3000' }, { Origin: 'file://' }, { Origin: 'http://localhost:3000, https://evil.example' },
      { 'Sec-Fetch-Site': 'cross-site' }, { 'Sec-Fetch-Site': 'CROSS-SITE' }, { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'same-origin' }];
    for (const headers of served) {
      const r = await rawRequest(port, 'GET', '/2020-05-31/distribution', headers);
      expect({ headers, status: r.status }).toEqual({ headers, status: 200 });
    }
    for (const headers of refused) {
      const r = await rawRequest(port, 'GET', '/2020-05-31/distribution', headers);
      expect({ headers, status: r.status, code: xmlErrorCode(r.body) }).toEqual({ headers, status: 403, code: 'AccessDenied' });
    }
  });

  test('the data plane refuses in its own REST-JSON shape, and the SDK reads it as AccessDeniedException', async () => {
    const store = await createStore(h, 'guarded-store');
    const path = `/key-value-stores/${encodeURIComponent(store.ARN!)}`;
    const r = await rawRequest(port, 'GET', path, { Origin: 'https://evil.example' });
    expect(r.status).toBe(403);
    expect(r.headers['x-amzn-errortype']).toBe('AccessDeniedException');
    expect(JSON.parse(r.body).message).toMatch(/Origin/);
    const hostile = withHeaders(createKvsClient({ endpoint: h.emu.endpoint, region: 'us-east-1', maxAttempts: 1 }),
      { origin: 'https://evil.example' });
    try {
      const d = await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: store.ARN! }));
      expect(await failure(hostile.send(new kv.PutKeyCommand({ KvsARN: store.ARN!, Key: 'k', Value: 'v', IfMatch: d.ETag! }))))
        .toMatchObject({ name: 'AccessDeniedException', status: 403 });
      expect((await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: store.ARN! }))).ItemCount).toBe(0);
    } finally {
      hostile.destroy();
    }
  });

  test('the account-id prefixed Host of the KeyValueStore client is served (SDK)', async () => {
    const store = await createStore(h, 'prefixed-store');
    const prefixed = withHeaders(createKvsClient({ endpoint: h.emu.endpoint, region: 'us-east-1', maxAttempts: 1 }),
      { host: `123456789012.127.0.0.1:${port}` });
    try {
      const d = await prefixed.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: store.ARN! }));
      await prefixed.send(new kv.PutKeyCommand({ KvsARN: store.ARN!, Key: 'k', Value: 'v', IfMatch: d.ETag! }));
      expect((await h.kvs.send(new kv.GetKeyCommand({ KvsARN: store.ARN!, Key: 'k' }))).Value).toBe('v');
    } finally {
      prefixed.destroy();
    }
  });

  test('paths for the S3 subset are guarded too, in the S3 error shape', async () => {
    const r = await rawRequest(port, 'PUT', '/s3/crl-bucket/ca.crl', { Host: `attacker.example:${port}` }, 'x');
    expect(r.status).toBe(403);
    expect(r.body).toMatch(/^<\?xml[^>]*>\n<Error><Code>AccessDenied<\/Code>/);
  });

  test('a refused request with a large body still gets its answer on a live connection', async () => {
    const r = await rawRequest(port, 'POST', '/2020-05-31/connection-function',
      { Origin: 'https://evil.example', 'Content-Type': 'text/plain' }, Buffer.alloc(2 * 1024 * 1024, 0x61));
    expect(r.status).toBe(403);
  });
});
