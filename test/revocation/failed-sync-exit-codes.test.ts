/**
 * Exit 2 promises "bad input, nothing changed"; exit 1 is a failed operation. A sync whose writes start failing
 * after some batches landed, a sync that an interrupt or another writer stops, and an endpoint that is down are
 * failed operations: they exited 2, telling a scheduled job the store was untouched when it was not.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { UserError } from '../../diagnostics/user-error';
import { syncRevocations } from '../../revocation/sync';
import { CANARY, emulatorFixture, emulatorStore, readAll } from './emulator-store';
import { tempDir } from './openssl-pki';
import { cli } from './in-process-cli';

const serials = (n: number): Map<string, string> => new Map(Array.from({ length: n }, (_, i) => [`5e${i.toString(16).padStart(6, '0')}`, '1']));


describe('a sync that fails part way exits 1, not 2', () => {
  const fx = emulatorFixture();
  afterEach(() => fx.emu.setFaults({}));

  it('when UpdateKeys starts failing after 3 of 10 batches landed', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    const run = syncRevocations({
      client: s.client, kvsArn: s.kvsArn, source: { entries: serials(500), inputs: ['list'] }, protectedKeys: [CANARY],
      onProgress: (line) => { if (line.startsWith('batch 3/10 written')) fx.emu.setFaults({ serverErrorRate: 1 }); },
    });
    const e = await run.then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(UserError);
    expect(e).toMatchObject({ exitCode: 1, message: expect.stringMatching(/UpdateKeys/) });
    fx.emu.setFaults({});
    expect((await readAll(s.client, s.kvsArn)).size).toBe(1 + 150); // the store did change
  });

  it('when another writer keeps moving the ETag', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    fx.emu.setFaults({ concurrentWriteRate: 1 });
    await expect(syncRevocations({ client: s.client, kvsArn: s.kvsArn, source: { entries: serials(3), inputs: ['list'] }, protectedKeys: [CANARY], maxConflicts: 2 }))
      .rejects.toMatchObject({ exitCode: 1, message: expect.stringMatching(/kept changing under the sync \(3 conflicts\)/) });
  });

  it('when interrupted between batches', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    const abort = new AbortController();
    await expect(syncRevocations({
      client: s.client, kvsArn: s.kvsArn, source: { entries: serials(500), inputs: ['list'] }, protectedKeys: [CANARY], signal: abort.signal,
      onProgress: (line) => { if (line.startsWith('batch 2/10 written')) abort.abort(); },
    })).rejects.toMatchObject({ exitCode: 1, message: expect.stringMatching(/sync interrupted after 2 batches/) });
  });

  it('through the CLI: an endpoint that is down is one line, exit 1; a store that does not exist stays exit 2', async () => {
    const list = path.join(fx.dir, 'l.txt');
    fs.writeFileSync(list, '01\n');
    const arn = 'arn:aws:cloudfront::123456789012:key-value-store/00000000-0000-0000-0000-000000000000';
    const down = await cli(['revocations', 'sync', 'dev', '--serials', list, '--kvs-arn', arn, '--endpoint', 'http://127.0.0.1:1', '--no-snapshot',
      '--outputs', path.join(fx.dir, 'none.json')]);
    expect(down.code).toBe(1);
    expect(down.err.trim().split('\n').filter((l) => l.startsWith('conngate: '))).toEqual([expect.stringMatching(/DescribeKeyValueStore failed: .*\(fix: /)]);
    const missing = await cli(['revocations', 'sync', 'dev', '--serials', list, '--kvs-arn', arn, '--endpoint', fx.emu.endpoint, '--no-snapshot',
      '--outputs', path.join(fx.dir, 'none.json')]);
    expect(missing.code).toBe(2);
  });
});

describe('an endpoint that answers, but not like a KeyValueStore', () => {
  // Like every command's: an endpoint that is not the CloudFront API is the input to fix (exit 2), and it is found
  // on the first call, before anything was written.
  it('is one line, exit 2, not a stack trace', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dir = tempDir();
    try {
      const list = path.join(dir, 'l.txt');
      fs.writeFileSync(list, '01\n');
      const arn = 'arn:aws:cloudfront::123456789012:key-value-store/00000000-0000-0000-0000-000000000000';
      const r = await cli(['revocations', 'sync', 'dev', '--serials', list, '--kvs-arn', arn, '--no-snapshot', '--outputs', path.join(dir, 'none.json'),
        '--endpoint', `http://127.0.0.1:${(server.address() as AddressInfo).port}`]);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n').filter((l) => l.startsWith('conngate: '))).toEqual([
        expect.stringMatching(/^conngate: endpoint http:\/\/127\.0\.0\.1:\d+: does not speak the CloudFront API.*\(fix: /)]);
      expect(r.err).not.toMatch(/\n\s+at /);
    } finally {
      server.closeAllConnections();
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
