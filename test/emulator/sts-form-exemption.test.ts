/**
 * The STS subset takes form-encoded POSTs, the one body type a web page can send anywhere without a preflight. The
 * exemption must stay on the STS path: no spelling of a path (query, trailing slash, dot segments, %-escapes,
 * doubled slashes, case) may carry a form body to a CloudFront or KeyValueStore write, and a page must not get to
 * read issued credentials.
 */
import * as cf from '@aws-sdk/client-cloudfront';
import { createStore, RUNTIME, startHarness, stopHarness, type Harness } from './harness';
import { rawExchange, rawRequest, xmlErrorCode } from './raw-http';

const FORM = 'application/x-www-form-urlencoded';
const ALLOW = 'function connectionHandler(c) { c.allow(); }';
const createXml = (name: string) => '<?xml version="1.0" encoding="UTF-8"?><CreateConnectionFunctionRequest xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
  + `<Name>${name}</Name><ConnectionFunctionConfig><Comment>x</Comment><Runtime>${RUNTIME}</Runtime></ConnectionFunctionConfig>`
  + `<ConnectionFunctionCode>${Buffer.from(ALLOW).toString('base64')}</ConnectionFunctionCode></CreateConnectionFunctionRequest>`;
const assume = new URLSearchParams({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: 'arn:aws:iam::123456789012:role/x', RoleSessionName: 'page' }).toString();

describe('the STS form-body exemption stays on the STS path', () => {
  let h: Harness;
  let port: number;
  beforeAll(async () => {
    h = await startHarness({ accountId: '123456789012' });
    port = h.emu.port;
  });
  afterAll(() => stopHarness(h));
  const functionNames = async () => ((await h.cf.send(new cf.ListConnectionFunctionsCommand({}))).ConnectionFunctions ?? []).map((f) => f.Name);

  // A page on another loopback port passes the Origin check; its form post is the strongest a page can send.
  const PAGE = { 'Content-Type': FORM, Origin: 'http://localhost:3000', 'Sec-Fetch-Site': 'same-site', 'Sec-Fetch-Mode': 'navigate' };

  it.each([
    '/sts/../2020-05-31/connection-function',
    '/sts/%2E%2E/2020-05-31/connection-function',
    '/sts%2F..%2F2020-05-31/connection-function',
    '/2020-05-31/connection-function?/sts',
    '/2020-05-31/connection-function?x=/sts',
    '/2020-05-31/connection-function/sts',
    '/2020-05-31/connection-function#/sts',
    '/2020-05-31//connection-function',
    '/sts/2020-05-31/connection-function',
    '/./sts',
  ])('a form POST of a function to %s creates nothing', async (path) => {
    const r = await rawExchange(port, `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`
      + Object.entries(PAGE).map(([k, v]) => `${k}: ${v}\r\n`).join('')
      + `Content-Length: ${Buffer.byteLength(createXml('via-form'))}\r\nConnection: close\r\n\r\n${createXml('via-form')}`, 5000);
    expect(r.text).not.toMatch(/^HTTP\/1\.1 20/);
    expect(await functionNames()).not.toContain('via-form');
  });

  it('a form POST to a KeyValueStore write is refused on every spelling', async () => {
    // (A page cannot send PUT or DELETE without a preflight, which the emulator never answers: POST is the write to try.)
    const store = await createStore(h, 'page-target');
    const keys = `/key-value-stores/${encodeURIComponent(store.ARN!)}/keys`;
    for (const path of [keys, `${keys}?/sts`, `${keys}?Action=AssumeRole`]) {
      const r = await rawRequest(port, 'POST', path, { ...PAGE }, '{"Puts":[{"Key":"k","Value":"v"}]}');
      expect([path, r.status]).toEqual([path, 403]);
    }
  });

  it('the same form body to each STS spelling goes to STS and nowhere else', async () => {
    for (const path of ['/sts', '/sts/', '/sts?', '/sts?x=1', '/sts/?Action=GetCallerIdentity']) {
      const r = await rawRequest(port, 'POST', path, { 'Content-Type': FORM }, createXml(`sts-${path.length}`));
      expect([path, r.status, xmlErrorCode(r.body)]).toEqual([path, 400, 'InvalidAction']);
    }
    // Not STS spellings: refused as a form post to the CloudFront API, never served by it.
    for (const path of ['/STS', '/%73ts', '/sts%2F', '//sts', '/sts;', '/sts/.', '/sts/x']) {
      const r = await rawRequest(port, 'POST', path, { 'Content-Type': FORM }, assume);
      expect([path, r.status]).toEqual([path, expect.any(Number)]);
      expect(r.body).not.toContain('AccessKeyId');
    }
    expect(await functionNames()).toEqual([]);
  });

  it('other simple bodies are refused on the STS path too', async () => {
    for (const headers of <Record<string, string>[]>[
      { 'Content-Type': 'text/plain' },
      { 'Content-Type': 'multipart/form-data; boundary=x' },
      { Origin: 'http://localhost:3000' },
      { 'Sec-Fetch-Mode': 'no-cors' },
    ]) {
      const r = await rawRequest(port, 'POST', '/sts', headers, assume);
      expect({ headers, status: r.status, code: xmlErrorCode(r.body) }).toEqual({ headers, status: 403, code: 'AccessDenied' });
    }
  });

  it('a page on another site, a rebinding host or an opaque origin gets nothing from STS', async () => {
    for (const headers of <Record<string, string>[]>[
      { Origin: 'https://evil.example' },
      { Origin: 'null' },
      { 'Sec-Fetch-Site': 'cross-site' },
      { Host: 'rebind.evil.example' },
      { Host: `rebind.evil.example:${port}`, Origin: `http://rebind.evil.example:${port}`, 'Sec-Fetch-Site': 'same-origin' },
    ]) {
      const r = await rawRequest(port, 'POST', '/sts', { 'Content-Type': FORM, ...headers }, assume);
      expect({ headers, status: r.status }).toEqual({ headers, status: 403 });
      expect(r.body).not.toContain('AccessKeyId');
    }
    // Announced with Expect: 100-continue, refused before the body.
    const early = await rawExchange(port, `POST /sts HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: https://evil.example\r\n`
      + `Content-Type: ${FORM}\r\nExpect: 100-continue\r\nContent-Length: ${assume.length}\r\n\r\n`, 3000);
    expect(early.text).toMatch(/^HTTP\/1\.1 403/);
  });

  it('a loopback page that may post the form cannot read the answer: no CORS grant, no preflight answer', async () => {
    const r = await rawRequest(port, 'POST', '/sts', { ...PAGE }, assume);
    expect(r.status).toBe(200);
    expect(Object.keys(r.headers).filter((k) => k.startsWith('access-control-'))).toEqual([]);
    const pre = await rawRequest(port, 'OPTIONS', '/sts', { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type' });
    expect(Object.keys(pre.headers).filter((k) => k.startsWith('access-control-'))).toEqual([]);
  });
});
