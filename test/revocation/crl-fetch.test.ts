/**
 * CRLs where CAs publish them: an HTTP distribution point on loopback (conditional GET answered 304 on the
 * second run, redirects, size and time limits), S3 in AWS Private CA's layout through the emulator's S3 subset,
 * and the CRL Distribution Points of a certificate. Every download is verified like a file.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../aws/clients';
import { RunningEmulator, startEmulator } from '../../emulator';
import { main } from '../../cli/program';
import { readCachedCrl, writeCachedCrl } from '../../revocation/crl-download-cache';
import { readCapped } from '../../revocation/crl-fetch-limits';
import { loadRevocationSource, SourceOptions } from '../../revocation/load-source';
import { CANARY, emulatorStore, readAll } from './emulator-store';
import { issueCert, makeCa, makeCrl, tempDir, TestCa } from './openssl-pki';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const LOOPBACK_OK = { all: true };

/** A loopback HTTP server whose behaviour each test sets; records every request. */
async function loopback(): Promise<{ url: string; requests: IncomingMessage[]; handle: (h: Handler) => void; close: () => Promise<void> }> {
  let handler: Handler = (_q, r) => { r.writeHead(404); r.end(); };
  const requests: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    handle: (h) => { handler = h; },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe('CRL sources over HTTP, S3 and distribution points', () => {
  let dir: string;
  let ca: TestCa;
  let http: Awaited<ReturnType<typeof loopback>>;
  let emu: RunningEmulator;
  beforeAll(async () => {
    dir = tempDir();
    ca = makeCa(dir, 'published-ca');
    http = await loopback();
    emu = await startEmulator({ port: 0 });
  });
  afterAll(async () => {
    await http.close();
    await emu.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // The distribution points here are on loopback, which a download reaches only when the operator allows it.
  const load = (crlFiles: string[], extra: Partial<SourceOptions> = {}) =>
    loadRevocationSource({ crlFiles, caFiles: [ca.certFile], ...extra, fetch: { privateHosts: LOOPBACK_OK, ...extra.fetch } });

  it('downloads over http, and the second run gets a 304 and uses the cached copy', async () => {
    const body = fs.readFileSync(makeCrl(ca, ['0A01', '0A02'], { format: 'der' }));
    const etag = '"crl-v1"';
    const seen: (string | undefined)[] = [];
    http.handle((req, res) => {
      seen.push(req.headers['if-none-match'] as string | undefined);
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { ETag: etag });
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/pkix-crl', ETag: etag, 'Last-Modified': new Date().toUTCString() });
      res.end(body);
    });
    const cacheDir = path.join(dir, 'cache-304');
    const progress: string[] = [];
    const fetch = { cacheDir, onProgress: (l: string) => progress.push(l) };
    const first = await load([`${http.url}/issuing.crl`], { fetch });
    const second = await load([`${http.url}/issuing.crl`], { fetch });
    expect(seen).toEqual([undefined, etag]);
    expect(progress).toEqual([expect.stringMatching(/HTTP 200, \d+ bytes$/), expect.stringMatching(/304 Not Modified \(cached copy\)$/)]);
    expect([...second.entries.keys()]).toEqual([...first.entries.keys()]);
    expect([...second.entries.keys()].sort()).toEqual(['0a01', '0a02']);
  });

  it('through the CLI: the second sync sends the remembered ETag, gets a 304 and writes nothing', async () => {
    const body = fs.readFileSync(makeCrl(ca, ['0A11', '0A12'], { format: 'der' }));
    const conditional: (string | undefined)[] = [];
    http.handle((req, res) => {
      conditional.push(req.headers['if-none-match'] as string | undefined);
      if (req.headers['if-none-match'] === '"cli-v1"') { res.writeHead(304, { ETag: '"cli-v1"' }); res.end(); return; }
      res.writeHead(200, { ETag: '"cli-v1"' });
      res.end(body);
    });
    const s = await emulatorStore({ emulator: emu });
    const outputs = path.join(dir, 'cli-http', '.conngate', 'outputs.json');
    const run = async (): Promise<{ code: number; out: string; err: string }> => {
      let out = '';
      let err = '';
      const o = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => { out += String(c); return true; });
      const e = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => { err += String(c); return true; });
      try {
        const code = await main(['node', 'conngate', 'revocations', 'sync', 'dev', '--crl', `${http.url}/cli.crl`, '--ca', ca.certFile,
          '--kvs-arn', s.kvsArn, '--endpoint', emu.endpoint, '--outputs', outputs, '--allow-private-crl-hosts']);
        return { code, out, err };
      } finally {
        o.mockRestore();
        e.mockRestore();
      }
    };
    const first = await run();
    expect(first).toMatchObject({ code: 0 });
    expect(first.out).toMatch(/put 2 and deleted 0 keys/);
    const second = await run();
    expect(second.code).toBe(0);
    expect(second.err).toMatch(/fetched http:\/\/127\.0\.0\.1:\d+\/cli\.crl: 304 Not Modified \(cached copy\)/);
    expect(second.out).toMatch(/put 0 and deleted 0 keys in 0 batches/);
    expect(conditional).toEqual([undefined, '"cli-v1"']);
    expect(fs.readdirSync(path.join(path.dirname(outputs), 'crl-cache')).sort()).toEqual([expect.stringMatching(/\.crl$/), expect.stringMatching(/\.json$/)]);
  });

  it('re-verifies a cached copy: a tampered cache is not trusted', async () => {
    const body = fs.readFileSync(makeCrl(ca, ['0B01'], { format: 'der' }));
    http.handle((req, res) => {
      if (req.headers['if-none-match'] === '"b"') { res.writeHead(304); res.end(); return; }
      res.writeHead(200, { ETag: '"b"' });
      res.end(body);
    });
    const cacheDir = path.join(dir, 'cache-tamper');
    await load([`${http.url}/b.crl`], { fetch: { cacheDir } });
    const [bodyFile] = fs.readdirSync(cacheDir).filter((f) => f.endsWith('.crl'));
    const cached = fs.readFileSync(path.join(cacheDir, bodyFile));
    cached[cached.length - 5] ^= 0xff; // the signature
    fs.writeFileSync(path.join(cacheDir, bodyFile), cached);
    // The cache notices (its recorded hash no longer matches) and downloads afresh; a verified CRL results.
    const again = await load([`${http.url}/b.crl`], { fetch: { cacheDir } });
    expect([...again.entries.keys()]).toEqual(['0b01']);
  });

  it('a cache rewritten whole (body and its recorded hash) is answered by a 304 and still refused by the signature check', async () => {
    const body = fs.readFileSync(makeCrl(ca, ['0B11'], { format: 'der' }));
    http.handle((req, res) => {
      if (req.headers['if-none-match'] === '"w"') { res.writeHead(304); res.end(); return; }
      res.writeHead(200, { ETag: '"w"' });
      res.end(body);
    });
    const cacheDir = path.join(dir, 'cache-rewritten');
    await load([`${http.url}/w.crl`], { fetch: { cacheDir } });
    const [bodyFile] = fs.readdirSync(cacheDir).filter((f) => f.endsWith('.crl'));
    const [docFile] = fs.readdirSync(cacheDir).filter((f) => f.endsWith('.json'));
    const forged = Buffer.from(fs.readFileSync(path.join(cacheDir, bodyFile)));
    forged[forged.length - 5] ^= 0xff; // the signature
    fs.writeFileSync(path.join(cacheDir, bodyFile), forged);
    const doc = JSON.parse(fs.readFileSync(path.join(cacheDir, docFile), 'utf8')) as { sha256: string };
    doc.sha256 = createHash('sha256').update(forged).digest('hex');
    fs.writeFileSync(path.join(cacheDir, docFile), JSON.stringify(doc));
    // The server confirms the ETag, so the forged bytes are what the run gets; they are verified like a download.
    await expect(load([`${http.url}/w.crl`], { fetch: { cacheDir } })).rejects.toThrow(/signature does not verify/);
  });

  it('stops reading any body at the cap, however much more the server would send, and cancels the rest', async () => {
    let pulled = 0;
    let ended = false;
    async function* endless(): AsyncGenerator<Uint8Array> {
      try {
        for (;;) { pulled++; yield new Uint8Array(1000); }
      } finally {
        ended = true;
      }
    }
    await expect(readCapped(endless(), 10_500, () => new Error('too large'))).rejects.toThrow('too large');
    expect(pulled).toBe(11);
    expect(ended).toBe(true);
    await expect(readCapped(undefined, 10, () => new Error('unused'))).resolves.toEqual(Buffer.alloc(0));
  });

  it('follows redirects up to the limit and refuses other schemes', async () => {
    const body = fs.readFileSync(makeCrl(ca, ['0C01']));
    http.handle((req, res) => {
      const n = Number(/\/hop(\d+)/.exec(req.url ?? '')?.[1] ?? NaN);
      if (req.url === '/to-file') { res.writeHead(302, { Location: 'file:///etc/passwd' }); res.end(); return; }
      if (n > 0) { res.writeHead(302, { Location: `/hop${n - 1}` }); res.end(); return; }
      res.writeHead(200);
      res.end(body);
    });
    await expect(load([`${http.url}/hop3`])).resolves.toMatchObject({ entries: new Map([['0c01', '1']]) });
    await expect(load([`${http.url}/hop6`])).rejects.toThrow(/cannot download the CRL: more than 5 redirects/);
    await expect(load([`${http.url}/hop2`], { fetch: { maxRedirects: 1 } })).rejects.toThrow(/more than 1 redirects/);
    await expect(load([`${http.url}/to-file`])).rejects.toThrow(/redirect to a file: URL refused/);
  });

  it('stops at the size limit, at the deadline, and on an HTTP error, each in one line with exit code 1', async () => {
    http.handle((req, res) => {
      if (req.url === '/big') { res.writeHead(200); res.end(Buffer.alloc(200_000)); return; }
      if (req.url === '/big-chunked') { res.writeHead(200); for (let i = 0; i < 20; i++) res.write(Buffer.alloc(10_000)); res.end(); return; }
      if (req.url === '/slow') { res.writeHead(200); res.write('0'); return; } // never ends
      res.writeHead(503, 'Service Unavailable');
      res.end();
    });
    const fails = async (url: string, fetch: SourceOptions['fetch'], pattern: RegExp): Promise<void> => {
      const e = await load([`${http.url}${url}`], { fetch }).catch((err: unknown) => err);
      expect(e).toMatchObject({ exitCode: 1, message: expect.stringMatching(pattern) });
    };
    await fails('/big', { maxBytes: 100_000 }, /the CRL is larger than 100000 bytes/);
    await fails('/big-chunked', { maxBytes: 100_000 }, /the CRL is larger than 100000 bytes/);
    await fails('/slow', { timeoutMs: 300 }, /no complete answer within 0\.3 s/);
    await fails('/gone', {}, /HTTP 503 Service Unavailable/);
    // A local file is held to the same limit, before it is read.
    const big = path.join(dir, 'big-file.crl');
    fs.writeFileSync(big, Buffer.alloc(200_000, 0x30));
    await expect(load([big], { fetch: { maxBytes: 100_000 } })).rejects.toThrow(/the CRL file is 200000 bytes, larger than 100000.*--crl-max-mb/);
  });

  it('forgets a cached copy once the server answers without validators, so an old ETag is never sent again', async () => {
    const v1 = fs.readFileSync(makeCrl(ca, ['0B21'], { format: 'der', crlNumber: '01' }));
    const v2 = fs.readFileSync(makeCrl(ca, ['0B21', '0B22'], { format: 'der', crlNumber: '02' }));
    let withEtag = true;
    const sent: (string | undefined)[] = [];
    http.handle((req, res) => {
      sent.push(req.headers['if-none-match'] as string | undefined);
      if (withEtag) { res.writeHead(200, { ETag: '"old"' }); res.end(v1); return; }
      res.writeHead(200); // validators dropped (another server behind the same URL)
      res.end(v2);
    });
    const cacheDir = path.join(dir, 'cache-dropped');
    await load([`${http.url}/dropped.crl`], { fetch: { cacheDir } });
    withEtag = false;
    expect([...(await load([`${http.url}/dropped.crl`], { fetch: { cacheDir } })).entries.keys()]).toEqual(['0b21', '0b22']);
    expect(fs.readdirSync(cacheDir)).toEqual([]);
    expect([...(await load([`${http.url}/dropped.crl`], { fetch: { cacheDir } })).entries.keys()]).toEqual(['0b21', '0b22']);
    expect(sent).toEqual([undefined, '"old"', undefined]);
  });

  it('one deadline covers the whole redirect chain: slow hops add up', async () => {
    const body = fs.readFileSync(makeCrl(ca, ['0C11']));
    http.handle((req, res) => {
      const n = Number(/\/slow-hop(\d+)/.exec(req.url ?? '')?.[1] ?? NaN);
      // Each hop answers well inside the deadline; together they do not.
      if (n > 0) { setTimeout(() => { res.writeHead(302, { Location: `/slow-hop${n - 1}` }); res.end(); }, 150); return; }
      res.writeHead(200);
      res.end(body);
    });
    const e = await load([`${http.url}/slow-hop4`], { fetch: { timeoutMs: 400 } }).catch((err: unknown) => err);
    expect(e).toMatchObject({ exitCode: 1, message: expect.stringMatching(/no complete answer within 0\.4 s/) });
  });

  it('a cache write killed between the body and its validators leaves nothing cached, never validators over the wrong body', async () => {
    const cacheDir = path.join(dir, 'cache-killed');
    const url = 'http://crl.example/killed.crl';
    writeCachedCrl(cacheDir, url, { etag: '"v1"', bytes: Buffer.from('first body') });
    // A later write renamed its new body into place and was killed before the validators followed.
    const [bodyFile] = fs.readdirSync(cacheDir).filter((f) => f.endsWith('.crl'));
    fs.writeFileSync(path.join(cacheDir, bodyFile), 'second body');
    expect(readCachedCrl(cacheDir, url)).toBeUndefined();
    // Whole writes read back whole.
    writeCachedCrl(cacheDir, url, { etag: '"v2"', bytes: Buffer.from('second body') });
    expect(readCachedCrl(cacheDir, url)).toEqual({ etag: '"v2"', lastModified: undefined, bytes: Buffer.from('second body') });
  });

  it('a distribution point that serves a forged CRL is an answer: refused, and the next point is not asked', async () => {
    fs.mkdirSync(path.join(dir, 'impostor'), { recursive: true });
    const impostor = makeCa(path.join(dir, 'impostor'), 'published-ca'); // same name, another key
    const forged = fs.readFileSync(makeCrl(impostor, []));
    const good = fs.readFileSync(makeCrl(ca, ['0F11']));
    http.handle((req, res) => {
      res.writeHead(200);
      res.end(req.url === '/forged.crl' ? forged : good);
    });
    const leaf = issueCert(ca, '0F12', 'forged-cdp', [`${http.url}/forged.crl`, `${http.url}/good.crl`]);
    const asked = http.requests.length;
    await expect(loadRevocationSource({ crlFromCertFiles: [leaf.certFile], caFiles: [ca.certFile], fetch: { privateHosts: LOOPBACK_OK } }))
      .rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/forged\.crl: .*signature does not verify/) });
    expect(http.requests.slice(asked).map((r) => r.url)).toEqual(['/forged.crl']);
  });

  it('reads AWS Private CA\'s s3://<bucket>/crl/<ca-id>.crl through the S3 API, with a conditional GET on the second run', async () => {
    const s3 = createS3Client({ endpoint: emu.endpoint, region: 'us-east-1' });
    await s3.send(new CreateBucketCommand({ Bucket: 'pca-crl-bucket' }));
    const key = 'crl/11223344-aaaa-bbbb-cccc-1234567890ab.crl';
    await s3.send(new PutObjectCommand({ Bucket: 'pca-crl-bucket', Key: key, Body: fs.readFileSync(makeCrl(ca, ['0D01', '0D02'], { format: 'der' })) }));
    const progress: string[] = [];
    const opts = { s3Client: () => s3, s3Endpoint: emu.endpoint, fetch: { cacheDir: path.join(dir, 'cache-s3'), onProgress: (l: string) => progress.push(l) } };
    const url = `s3://pca-crl-bucket/${key}`;
    expect([...(await load([url], opts)).entries.keys()].sort()).toEqual(['0d01', '0d02']);
    expect([...(await load([url], opts)).entries.keys()].sort()).toEqual(['0d01', '0d02']);
    expect(progress).toEqual([expect.stringMatching(/S3 GetObject, \d+ bytes/), expect.stringMatching(/S3 304 Not Modified \(cached copy\)/)]);
    await expect(load(['s3://pca-crl-bucket/crl/none.crl'], opts)).rejects.toThrow(/GetObject failed: NoSuchKey.*crl\/<ca-id>\.crl/);
    await expect(load(['s3://x/'], opts)).rejects.toThrow(/not an s3:\/\/bucket\/key URL/);
  });

  it('holds an s3:// CRL to the same size limit, in one line with exit code 1', async () => {
    const s3 = createS3Client({ endpoint: emu.endpoint, region: 'us-east-1' });
    await s3.send(new CreateBucketCommand({ Bucket: 'big-crls' }));
    await s3.send(new PutObjectCommand({ Bucket: 'big-crls', Key: 'crl/big.crl', Body: Buffer.alloc(200_000, 0x30) }));
    const e = await load(['s3://big-crls/crl/big.crl'], { s3Client: () => s3, s3Endpoint: emu.endpoint, fetch: { maxBytes: 100_000 } }).catch((err: unknown) => err);
    expect(e).toMatchObject({ exitCode: 1, message: expect.stringMatching(/cannot download the CRL: the CRL is 200000 bytes, larger than 100000.*--crl-max-mb/) });
  });

  it('syncs from s3:// through the CLI with --endpoint (the same endpoint as the store)', async () => {
    const s3 = createS3Client({ endpoint: emu.endpoint, region: 'us-east-1' });
    await s3.send(new CreateBucketCommand({ Bucket: 'cli-crls' }));
    await s3.send(new PutObjectCommand({ Bucket: 'cli-crls', Key: 'crl/ca.crl', Body: fs.readFileSync(makeCrl(ca, ['0E01'], { format: 'der' })) }));
    const s = await emulatorStore({ emulator: emu });
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const code = await main(['node', 'conngate', 'revocations', 'sync', 'dev', '--crl', 's3://cli-crls/crl/ca.crl', '--ca', ca.certFile,
        '--kvs-arn', s.kvsArn, '--endpoint', emu.endpoint, '--outputs', path.join(dir, 'cli', 'outputs.json'), '--allow-private-crl-hosts']);
      expect(code).toBe(0);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    expect([...(await readAll(s.client, s.kvsArn)).keys()].filter((k) => !k.startsWith('conngate:')).sort()).toEqual(['0e01', CANARY].sort());
  });

  it('--crl-from-cert fetches the CRL named in the certificate, moving on when a distribution point is down', async () => {
    const body = fs.readFileSync(makeCrl(ca, ['0F01']));
    http.handle((req, res) => {
      if (req.url === '/down.crl') { res.writeHead(500); res.end(); return; }
      res.writeHead(200);
      res.end(body);
    });
    const leaf = issueCert(ca, '0F02', 'with-cdp', [`${http.url}/down.crl`, `${http.url}/up.crl`]);
    const progress: string[] = [];
    const set = await loadRevocationSource({ crlFromCertFiles: [leaf.certFile], caFiles: [ca.certFile], fetch: { onProgress: (l) => progress.push(l), privateHosts: LOOPBACK_OK } });
    expect([...set.entries.keys()]).toEqual(['0f01']);
    expect(progress[0]).toMatch(/down\.crl failed .*HTTP 500.*trying the next distribution point/);
    const noCdp = issueCert(ca, '0F03', 'without-cdp');
    await expect(loadRevocationSource({ crlFromCertFiles: [noCdp.certFile], caFiles: [ca.certFile] }))
      .rejects.toThrow(/names no http\(s\) CRL distribution point.*--crl FILE\|URL/);
  });
});
