// `conngate emulator --edge-port`: the edge starts with the emulator, says where its CA and logs are, writes the
// logs where --connection-logs says, and stops with it; flags that need the edge are refused without it.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connect } from 'node:tls';
import { exited, waitForStderr, PROJECT_DIR } from '../emulator/child-process';
import { tempDir } from '../emulator/harness';
import { runCli } from '../support/conngate-cli';
import { makeEdgePki } from './edge-pki';

test('starts the edge, prints its CA and log folder, logs a handshake there, stops on SIGTERM', async () => {
  const dir = tempDir();
  const logs = path.join(dir, 'my-logs');
  const child = spawn(process.execPath, [path.join(PROJECT_DIR, 'bin', 'conngate.js'), 'emulator', '--port', '0', '--edge-port', '0',
    '--state', path.join(dir, 'emulator.json'), '--connection-logs', logs], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const done = exited(child, 60_000);
  const [, port, ca, logDir] = await waitForStderr(child, /local edge listening on 127\.0\.0\.1:(\d+)[^\n]*\n\s+edge server CA: (\S+)\n\s+connection logs: (\S+)\/<distribution id>\.jsonl/);
  expect(ca).toBe(path.join(dir, 'edge-ca', 'ca.pem'));
  expect(logDir).toBe(logs);
  expect(fs.readFileSync(ca, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
  // No distribution answers to this name: the handshake is refused and logged.
  await new Promise<void>((resolve) => {
    const s = connect({ host: '127.0.0.1', port: Number(port), servername: 'nobody.cloudfront.net', ca: fs.readFileSync(ca) });
    s.on('error', () => resolve());
    s.on('close', () => resolve());
  });
  const unmatched = path.join(logs, 'unmatched.jsonl');
  for (let i = 0; i < 50 && !fs.existsSync(unmatched); i++) await new Promise((r) => setTimeout(r, 50));
  expect(JSON.parse(fs.readFileSync(unmatched, 'utf8').trim().split('\n')[0])).toMatchObject({ connectionStatus: 'Failed:UnmappedConnectionError' });
  child.kill('SIGTERM');
  expect((await done).code).toBe(0);
}, 90_000);

test.each([
  [['--connection-logs', 'x'], /^conngate: emulator --connection-logs: only applies to the local edge \(fix: add --edge-port/],
  [['--edge-port', '0', '--edge-cert', 'a.pem'], /^conngate: emulator --edge-cert: needs its pair/],
  [['--edge-port', '70000'], /^conngate: emulator --edge-port: "70000" is not an integer from 0 to 65535/],
  // Node's own recursive mkdir would retry for ever under /proc: refused at once instead.
  [['--edge-port', '0', '--connection-logs', '/proc/conngate-nope/logs'], /^conngate: emulator --connection-logs \/proc\/conngate-nope\/logs: cannot be made \(ENOENT\)/],
])('bad input %j: one line, exit 2, nothing started', async (args, message) => {
  const dir = tempDir();
  const r = await runCli(['emulator', '--port', '0', ...args], { cwd: dir });
  expect(r.code).toBe(2);
  expect(r.stderr.trim()).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(fs.readdirSync(dir)).toEqual([]);
}, 60_000);

test('an --edge-cert with another certificate\'s --edge-key: one line, exit 2, nothing made', async () => {
  const pki = await makeEdgePki(path.join(tempDir(), 'pki'), 'http://127.0.0.1:9/');
  const dir = tempDir();
  const r = await runCli(['emulator', '--port', '0', '--edge-port', '0', '--edge-cert', pki.valid.cert, '--edge-key', pki.revoked.key], { cwd: dir });
  expect(r.code).toBe(2);
  expect(r.stderr.trim()).toMatch(/^conngate: emulator --edge-cert \S+: does not load as a PEM certificate with --edge-key \S+ \(.*mismatch/);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(fs.readdirSync(dir)).toEqual([]);
}, 60_000);
