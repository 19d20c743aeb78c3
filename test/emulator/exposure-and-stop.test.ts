import { readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import * as cf from '@aws-sdk/client-cloudfront';
import { startEmulator } from '../../emulator';
import { ownerFolderOf } from '../../emulator/state-file-owner';
import { UserError } from '../../diagnostics/user-error';
import { main } from '../../cli/program';
import { createCloudFrontClient } from '../../aws/clients';
import { exited, spawnFixture, waitForStderr } from './child-process';
import { createFunction, startHarness, stopHarness, tempDir } from './harness';
import { rawRequest, xmlErrorCode } from './raw-http';

const ALLOW = 'function connectionHandler(c) { c.allow(); }';

async function cliErrors(args: string[]): Promise<{ code: number; lines: string[] }> {
  const errors: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { errors.push(String(s)); return true; });
  try {
    const code = await main(['node', 'conngate', 'emulator', '--port', '0', ...args]);
    return { code, lines: errors.join('').trim().split('\n') };
  } finally {
    spy.mockRestore();
  }
}

describe('binding a non-loopback address', () => {
  test('without --allow-non-loopback: a UserError in process, one line and exit 2 from the CLI', async () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.10']) {
      await expect(startEmulator({ host })).rejects.toThrow(UserError);
      const r = await cliErrors(['--host', host]);
      expect({ host, code: r.code, lines: r.lines.length }).toEqual({ host, code: 2, lines: 1 });
      expect(r.lines[0]).toMatch(new RegExp(`^conngate: emulator --host ${host.replace(/\./g, '\\.')}: listening on a non-loopback address exposes .*\\(fix: .*--allow-non-loopback`));
    }
    await (await startEmulator({ host: 'localhost' })).close();
    await (await startEmulator({ host: '127.0.0.2' })).close();
  });

  test('a bad --allow-host is one line and exit 2', async () => {
    for (const bad of ['http://emulator', 'emulator:4566', 'two words', '*.example']) {
      const r = await cliErrors(['--allow-host', bad]);
      expect({ bad, code: r.code, lines: r.lines.length }).toEqual({ bad, code: 2, lines: 1 });
      expect(r.lines[0]).toMatch(/^conngate: emulator --allow-host: .* is not a host name \(fix: /);
    }
  });

  test('with --allow-non-loopback: served on every interface; IP-address Hosts served, foreign names and origins still refused', async () => {
    const emu = await startEmulator({ host: '0.0.0.0', allowNonLoopback: true, allowedHosts: ['emulator'] });
    try {
      expect(emu.endpoint).toBe(`http://127.0.0.1:${emu.port}`);
      const client = createCloudFrontClient({ endpoint: emu.endpoint, region: 'us-east-1', maxAttempts: 1 });
      await client.send(new cf.ListDistributionsCommand({}));
      client.destroy();
      for (const host of [`192.0.2.10:${emu.port}`, `[2001:db8::1]:${emu.port}`, `emulator:${emu.port}`]) {
        expect({ host, status: (await rawRequest(emu.port, 'GET', '/2020-05-31/distribution', { Host: host })).status }).toEqual({ host, status: 200 });
      }
      const rebound = await rawRequest(emu.port, 'GET', '/2020-05-31/distribution', { Host: `attacker.example:${emu.port}` });
      expect({ status: rebound.status, code: xmlErrorCode(rebound.body) }).toEqual({ status: 403, code: 'AccessDenied' });
      const lanPage = await rawRequest(emu.port, 'GET', '/2020-05-31/distribution', { Host: `192.0.2.10:${emu.port}`, Origin: 'http://192.0.2.66' });
      expect(lanPage.status).toBe(403);
    } finally {
      await emu.close();
    }
  });

  test('the CLI warns in words what --allow-non-loopback exposes, and stops on SIGTERM', async () => {
    const child = spawnFixture('run-cli.ts', ['emulator', '--port', '0', '--host', '0.0.0.0', '--allow-non-loopback']);
    const done = exited(child);
    const [warning] = await waitForStderr(child, /WARNING: .*\n/);
    expect(warning).toMatch(/listening on 0\.0\.0\.0:\d+, not only on loopback/);
    expect(warning).toMatch(/anyone who can reach this port can run code .* read and rewrite every function/);
    expect(warning).toMatch(/evidence/);
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
  }, 60000);
});

describe('stopping', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} ends \`conngate emulator\` promptly with idle and slow connections open, and gives the state file up`, async () => {
      const file = join(tempDir(), 'state.json');
      const child = spawnFixture('run-cli.ts', ['emulator', '--port', '0', '--state', file]);
      const done = exited(child);
      const [, endpoint] = await waitForStderr(child, /listening on (http:\/\/\S+)/);
      const port = Number(new URL(endpoint).port);
      const client = createCloudFrontClient({ endpoint, region: 'us-east-1', maxAttempts: 1 });
      await client.send(new cf.CreateConnectionFunctionCommand({ Name: 'kept', ConnectionFunctionCode: new TextEncoder().encode(ALLOW),
        ConnectionFunctionConfig: { Comment: '', Runtime: 'cloudfront-js-2.0' } }));
      // An idle keep-alive connection (the SDK's) and one trickling a request.
      const slow = connect(port, '127.0.0.1', () => slow.write('GET /2020-05-31/distribution HTTP/1.1\r\nHost: 127.0.0.1\r\n'));
      slow.on('error', () => undefined);
      const trickle = setInterval(() => { if (!slow.destroyed) slow.write('X-A: b\r\n'); }, 100);
      try {
        await new Promise((r) => setTimeout(r, 200));
        child.kill(signal);
        const r = await done;
        expect({ code: r.code, signal: r.signal }).toEqual({ code: 0, signal: null });
        expect(r.stderr).toMatch(/stopping after \d+ request/);
      } finally {
        clearInterval(trickle);
        slow.destroy();
        client.destroy();
      }
      const gens = readdirSync(ownerFolderOf(file)).filter((n) => /^\d+$/.test(n));
      expect(JSON.parse(readFileSync(join(ownerFolderOf(file), gens[0]), 'utf8')).released).toBe(true);
      const h = await startHarness({ stateFile: file });
      try {
        expect((await h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: 'kept' }))).ETag).toBeTruthy();
      } finally {
        await stopHarness(h);
      }
    }, 60000);
  }

  test('close() lets a request in progress finish and save before giving the file up', async () => {
    const file = join(tempDir(), 'state.json');
    const h = await startHarness({ stateFile: file, faults: { latencyMs: 400 } });
    const pending = createFunction(h, 'in-flight', ALLOW);
    await new Promise((r) => setTimeout(r, 100));
    await h.emu.close();
    expect((await pending).ETag).toBeTruthy();
    h.cf.destroy();
    h.kvs.destroy();
    expect(readFileSync(file, 'utf8')).toContain('"in-flight"');
  });
});
