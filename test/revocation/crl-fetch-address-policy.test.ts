/**
 * CRL downloads reach only public addresses unless the operator allows private ones: URLs and redirects to
 * loopback, link-local (the cloud metadata endpoint), private and unique-local addresses, and names that resolve
 * to them, are refused before any request is sent. The listener here records every request it gets: it must get
 * none. Addresses outside loopback are refused before any connect, so no packet leaves the machine.
 */
import type { LookupAddress } from 'node:dns';
import * as fs from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { BlockList, isIP, Socket } from 'node:net';
import type { AddressInfo, TcpNetConnectOpts } from 'node:net';
import { createS3Client } from '../../aws/clients';
import { addressRule, ConnectionGuard, guardedLookup } from '../../revocation/crl-host-policy';
import { loadRevocationSource, SourceOptions } from '../../revocation/load-source';
import { cli } from './in-process-cli';
import { issueCert, makeCa, makeCrl, tempDir, TestCa } from './openssl-pki';

async function listen(host: string, onRequest: (req: IncomingMessage, res: import('node:http').ServerResponse) => void): Promise<{ server: Server; port: number; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => { requests.push(req.url ?? ''); onRequest(req, res); });
  await new Promise<void>((r) => server.listen(0, host, r));
  return { server, port: (server.address() as AddressInfo).port, requests };
}

/**
 * A net under the code: a socket asked to connect to an IP literal off loopback is stopped here and recorded, so
 * a regression of the policy fails these tests without a packet leaving the machine.
 */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
const offLoopback: string[] = [];
const realConnect = Socket.prototype.connect;
beforeAll(() => {
  Socket.prototype.connect = function guardedConnect(this: Socket, ...args: unknown[]) {
    const o = (Array.isArray(args[0]) ? args[0][0] : args[0]) as Partial<TcpNetConnectOpts> | undefined;
    const host = typeof o === 'object' && o ? o.host : undefined;
    if (host && isIP(host) && !LOOPBACK.check(host, isIP(host) === 4 ? 'ipv4' : 'ipv6')) {
      offLoopback.push(host);
      throw new Error(`test net: a connect to ${host} was stopped`);
    }
    return (realConnect as (...a: unknown[]) => Socket).apply(this, args);
  } as typeof Socket.prototype.connect;
});
afterAll(() => {
  Socket.prototype.connect = realConnect;
});
afterEach(() => {
  expect(offLoopback.splice(0)).toEqual([]);
});

describe('CRL downloads and private addresses', () => {
  let dir: string;
  let ca: TestCa;
  let crl: Buffer;
  /** the service that must never be reached: loopback, IPv4 and IPv6 */
  let target: Awaited<ReturnType<typeof listen>>;
  /** an allowed first hop that redirects wherever the test says */
  let redirector: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    dir = tempDir();
    ca = makeCa(dir, 'policy-ca');
    crl = fs.readFileSync(makeCrl(ca, ['0A01']));
    target = await listen('::', (_q, r) => { r.writeHead(200); r.end(crl); });
    redirector = await listen('127.0.0.1', (q, r) => {
      r.writeHead(302, { Location: new URL(q.url ?? '/', 'http://x').searchParams.get('u') ?? '/' });
      r.end();
    });
  });
  afterAll(async () => {
    for (const s of [target.server, redirector.server]) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const load = (url: string, fetch: SourceOptions['fetch'] = {}) => loadRevocationSource({ crlFiles: [url], caFiles: [ca.certFile], fetch });
  const refusal = (url: string, rule: string): RegExp => new RegExp(
    `^${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: refused: .*is a ${rule} address; CRL downloads go only to public addresses \\(fix: .*--allow-private-crl-hosts`);

  const cases = (): [string, string][] => [
    [`http://127.0.0.1:${target.port}/admin/delete-everything`, 'loopback'],
    [`http://[::1]:${target.port}/admin`, 'loopback'],
    [`http://[::ffff:127.0.0.1]:${target.port}/admin`, 'loopback'],
    [`http://0.0.0.0:${target.port}/admin`, 'unspecified \\("this host"\\)'],
    [`http://localhost:${target.port}/admin`, 'loopback'],
    ['http://169.254.169.254/latest/meta-data/iam/security-credentials/', 'link-local'],
    ['http://10.20.30.40/crl', 'private'],
    ['http://192.168.1.1:8080/crl', 'private'],
    ['http://[fc00::1]/crl', 'unique-local'],
    ['http://[fd12:3456:789a::1]/crl', 'unique-local'],
    ['https://[fe80::1]/crl', 'link-local'],
    // Other spellings of the same addresses, as a URL parser reads them.
    [`http://2130706433:${target.port}/decimal`, 'loopback'],
    [`http://0x7f.1:${target.port}/hex`, 'loopback'],
    ['http://[::ffff:169.254.169.254]/mapped-metadata', 'link-local'],
    // IPv6 forms that carry an IPv4 address: an automatic tunnel, a 6to4 relay or a site's NAT64 reaches it.
    [`http://[::127.0.0.1]:${target.port}/ipv4-compatible`, 'multicast or reserved'],
    [`http://[::ffff:0:127.0.0.1]:${target.port}/ipv4-translated`, 'multicast or reserved'],
    [`http://[2002:7f00:1::1]:${target.port}/6to4`, 'loopback \\(through 6to4\\)'],
    ['http://[2002:a9fe:a9fe::]/6to4-metadata', 'link-local \\(through 6to4\\)'],
    ['http://[64:ff9b:1::a9fe:a9fe]/local-nat64', 'private \\(local-use NAT64\\)'],
  ];

  it('refuses direct URLs to loopback, link-local, private and unique-local hosts, and names resolving to loopback, with no request sent', async () => {
    for (const [url, rule] of cases()) {
      const e = await load(url).catch((err: unknown) => err);
      expect(e).toMatchObject({ exitCode: 2, message: expect.stringMatching(refusal(url, rule)) });
      expect((e as Error).message).not.toMatch(/\n/);
    }
    expect(target.requests).toEqual([]);
  });

  it('refuses every redirect to them, after the first hop the operator allowed, with no request reaching the target', async () => {
    const allowFirstHop = { privateHosts: { hosts: [`127.0.0.1:${redirector.port}`] } };
    for (const [to, rule] of cases()) {
      const url = `http://127.0.0.1:${redirector.port}/crl?u=${encodeURIComponent(to)}`;
      const e = await load(url, allowFirstHop).catch((err: unknown) => err);
      expect(e).toMatchObject({ exitCode: 2, message: expect.stringMatching(refusal(url, rule)) });
      expect((e as Error).message).toContain(`redirect to ${new URL(to).href}`);
    }
    expect(redirector.requests).toHaveLength(cases().length);
    expect(target.requests).toEqual([]);
  });

  it('checks every address a name resolves to, once, and connects to exactly the address it checked', async () => {
    let calls = 0;
    const mixed = async (): Promise<LookupAddress[]> => { calls++; return [{ address: '203.0.113.9', family: 4 }, { address: '127.0.0.1', family: 4 }]; };
    const url = `http://crl.rebind.test:${target.port}/crl`;
    await expect(load(url, { resolveHost: mixed })).rejects.toThrow(/crl\.rebind\.test resolves to 127\.0\.0\.1, which is a loopback address/);
    expect(calls).toBe(1);
    // The socket gets the very answer that was checked (one resolution, no second look-up to rebind).
    const lookup = guardedLookup(async () => [{ address: '198.51.100.7', family: 4 }, { address: '2001:db8::7', family: 6 }]);
    const single = await new Promise<unknown[]>((r) => lookup('x.test', { family: 4 }, (...a: unknown[]) => r(a)));
    expect(single).toEqual([null, '198.51.100.7', 4]);
    const all = await new Promise<unknown[]>((r) => lookup('x.test', { all: true }, (...a: unknown[]) => r(a)));
    expect(all).toEqual([null, [{ address: '198.51.100.7', family: 4 }, { address: '2001:db8::7', family: 6 }]]);
    expect(target.requests).toEqual([]);
  });

  it('a resolver that never answers is held to the download deadline', async () => {
    const never = (): Promise<LookupAddress[]> => new Promise(() => undefined);
    const e = await load('http://crl.silent.test/ca.crl', { resolveHost: never, timeoutMs: 300 }).catch((err: unknown) => err);
    expect(e).toMatchObject({ exitCode: 1, message: expect.stringMatching(/no complete answer within 0\.3 s/) });
  });

  it('with the allow flag the loopback service is reached (and the CLI says so in one line without it)', async () => {
    await expect(load(`http://127.0.0.1:${target.port}/ok.crl`, { privateHosts: { all: true } })).resolves.toMatchObject({ entries: new Map([['0a01', '1']]) });
    await expect(load(`http://localhost:${target.port}/ok2.crl`, { privateHosts: { all: true } })).resolves.toMatchObject({ entries: new Map([['0a01', '1']]) });
    expect(target.requests).toEqual(['/ok.crl', '/ok2.crl']);
    const url = `http://127.0.0.1:${target.port}/cli.crl`;
    const refused = await cli(['revocations', 'export', '--crl', url, '--ca', ca.certFile]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(new RegExp(`^conngate: ${refusal(url, 'loopback').source.slice(1)}.*\\)\\n$`));
    expect(target.requests).toEqual(['/ok.crl', '/ok2.crl']);
    const allowed = await cli(['revocations', 'export', '--crl', url, '--ca', ca.certFile, '--allow-private-crl-hosts']);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.out)).toEqual({ data: [{ key: '0a01', value: '1' }] });
    expect(target.requests).toEqual(['/ok.crl', '/ok2.crl', '/cli.crl']);
  });

  it('a certificate\'s distribution point on a private address stops the run: the next point is not asked', async () => {
    const leaf = issueCert(ca, '0A77', 'private-cdp', ['http://10.0.0.7/ca.crl', `http://127.0.0.1:${target.port}/next.crl`]);
    await expect(loadRevocationSource({ crlFromCertFiles: [leaf.certFile], caFiles: [ca.certFile], fetch: { privateHosts: { hosts: [`127.0.0.1:${target.port}`] } } }))
      .rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/^http:\/\/10\.0\.0\.7\/ca\.crl: refused: 10\.0\.0\.7 is a private address/) });
    expect(target.requests).not.toContain('/next.crl');
  });

  it('holds an s3:// endpoint to the same rule: an IP literal, and a name resolving to loopback through the S3 client\'s own connections', async () => {
    const requestsBefore = target.requests.length;
    const literal = `http://127.0.0.1:${target.port}`;
    const viaLiteral = { s3Endpoint: literal, s3Client: (c: { guard?: ConnectionGuard }) => createS3Client({ endpoint: literal, region: 'us-east-1', maxAttempts: 1 }, c) };
    await expect(loadRevocationSource({ crlFiles: ['s3://crls/crl/ca.crl'], caFiles: [ca.certFile], ...viaLiteral }))
      .rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/^s3:\/\/crls\/crl\/ca\.crl: refused: S3 endpoint http:\/\/127\.0\.0\.1:\d+: 127\.0\.0\.1 is a loopback address/) });
    const named = `http://s3.internal.test:${target.port}`;
    const resolveHost = async (): Promise<LookupAddress[]> => [{ address: '127.0.0.1', family: 4 }];
    await expect(loadRevocationSource({
      crlFiles: ['s3://crls/crl/ca.crl'], caFiles: [ca.certFile], s3Endpoint: named, fetch: { resolveHost },
      s3Client: (c) => createS3Client({ endpoint: named, region: 'us-east-1', maxAttempts: 1 }, c),
    })).rejects.toThrow(/^s3:\/\/crls\/crl\/ca\.crl: refused: S3 endpoint: s3\.internal\.test resolves to 127\.0\.0\.1, which is a loopback address/);
    expect(target.requests.length).toBe(requestsBefore);
  });

  it('holds an S3 endpoint the SDK takes from its environment (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL) to the rule as well', async () => {
    const requestsBefore = target.requests.length;
    const saved = { ...process.env };
    // Credentials from the environment: the SDK's chain stops there (no instance-metadata look-up).
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' });
    try {
      for (const variable of ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL']) {
        delete process.env.AWS_ENDPOINT_URL_S3;
        delete process.env.AWS_ENDPOINT_URL;
        process.env[variable] = `http://127.0.0.1:${target.port}`;
        await expect(loadRevocationSource({
          crlFiles: ['s3://crls/crl/ca.crl'], caFiles: [ca.certFile], s3Client: (c) => createS3Client({ region: 'us-east-1', maxAttempts: 1 }, c),
        })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/^s3:\/\/crls\/crl\/ca\.crl: refused: S3 endpoint: 127\.0\.0\.1 is a loopback address/) });
      }
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
    expect(target.requests.length).toBe(requestsBefore);
  });

  it('names the rule of each range, and lets public addresses through', () => {
    expect(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '64:ff9b::808:808', '2002:808:808::1', '::ffff:1.1.1.1'].map(addressRule))
      .toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
    // A resolver's answer is held to the same rule as a literal: embedded IPv4 forms, a zone id.
    expect(['::7f00:1', '::ffff:0:a00:1', '2002:c0a8:101::', '64:ff9b:1::808:808', 'fe80::1%eth0'].map(addressRule))
      .toEqual(['multicast or reserved', 'multicast or reserved', 'private (through 6to4)', 'private (local-use NAT64)', 'link-local']);
    expect(['127.8.9.1', '172.20.0.1', '100.64.1.1', '224.0.0.1', '255.255.255.255', '64:ff9b::a00:1', '::'].map(addressRule))
      .toEqual(['loopback', 'private', 'private', 'multicast or reserved', 'multicast or reserved', 'private (through NAT64)', 'unspecified ("this host")']);
  });
});
