/**
 * The worker process is the outer wall: code that got out of its vm context into the worker program's own context
 * must still not write files, start processes, signal the host, load native code, read the host's environment or
 * open network connections (the permission model of Node 20/22 does not cover the network: the worker program
 * removes every way to it). The attack is appended to the real worker program, so it runs in that context with
 * exactly the powers the program leaves, under the real flags.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { sandboxNodeArgs } from '../../runtime/sandbox-node-flags';
import { SANDBOX_WORKER_PROGRAM } from '../../runtime/sandbox-worker-program';

const attack = (marker: string, port: number, hostPid: number) => String.raw`
;(async () => {
  const out = {};
  const attempt = async (name, fn) => {
    try { out[name] = 'REACHED ' + String(await fn()).slice(0, 80); } catch (e) { out[name] = 'blocked'; }
  };
  const connect = (net) => new Promise((resolve, reject) => {
    const s = net.connect(${port}, '127.0.0.1', () => { s.end(); resolve('connected'); });
    s.on('error', reject);
  });
  const builtin = (name) => process.getBuiltinModule(name);
  await attempt('require', () => require('fs'));
  await attempt('mainModule', () => process.mainModule.require('fs'));
  await attempt('getBuiltinModule fs write', () => builtin('fs').writeFileSync(${JSON.stringify(marker)}, 'x'));
  await attempt('getBuiltinModule child_process', () => builtin('child_process').execFileSync('/bin/true'));
  await attempt('getBuiltinModule net', () => connect(builtin('net')));
  await attempt('getBuiltinModule http', () => new Promise((resolve, reject) => builtin('http').get('http://127.0.0.1:${port}/', resolve).on('error', reject)));
  await attempt('fetch', () => fetch('http://127.0.0.1:${port}/').then((r) => r.status));
  await attempt('WebSocket', () => new WebSocket('ws://127.0.0.1:${port}/'));
  await attempt('EventSource', () => new EventSource('http://127.0.0.1:${port}/'));
  await attempt('binding', () => process.binding('tcp_wrap'));
  await attempt('linkedBinding', () => process._linkedBinding('x'));
  await attempt('dlopen', () => process.dlopen({ exports: {} }, '/nonexistent.node'));
  await attempt('kill host', () => process.kill(${hostPid}, 0));
  await attempt('environment', () => { const keys = Object.keys(process.env).filter((k) => !k.startsWith('NODE_CHANNEL')); if (keys.length === 0) throw 0; return keys.join(); });
  await attempt('chdir', () => process.chdir('/'));
  await attempt('diagnostic report file', () => process.report.writeReport(${JSON.stringify(marker)}));
  process.send({ t: 'probe', out });
})();
`;

it('code that escaped into the worker program reaches no file, process, signal, native code, environment or network', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-outer-wall-'));
  const marker = path.join(tmp, 'MARKER');
  let connections = 0;
  const server = http.createServer((req, res) => { connections++; res.end('ok'); });
  server.on('connection', () => { connections++; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const child = spawn(process.execPath, [...sandboxNodeArgs(), '-e', SANDBOX_WORKER_PROGRAM + attack(marker, port, process.pid)], {
      env: {}, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json',
    });
    const out = await new Promise<Record<string, string>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no report from the probe')), 20_000);
      child.on('message', (m: { t?: string; out?: Record<string, string> }) => {
        if (m?.t === 'probe') { clearTimeout(timer); resolve(m.out!); }
      });
      child.on('exit', () => { clearTimeout(timer); reject(new Error('probe exited without a report')); });
    });
    child.kill('SIGKILL');
    expect(Object.entries(out).filter(([, v]) => v !== 'blocked')).toEqual([]);
    expect(Object.keys(out)).toHaveLength(16);
    expect(connections).toBe(0);
    expect(fs.existsSync(marker)).toBe(false);
  } finally {
    server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}, 60_000);
