import { execFileSync, spawnSync } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { claimWorkdir, WORKDIR_MARKER } from '../demo/demo-workdir';
import { x509 } from '../revocation/x509-library';

const bin = path.join(__dirname, '..', 'bin', 'conngate.js');
const root = path.join(__dirname, '..');
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, CI: '1', ...env }, timeout: 60_000 });
const conngateLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('conngate:'));

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-basics-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function certificate(file: string, notBefore: Date, notAfter: Date): Promise<string> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '0a1b', name: 'CN=client.example', notBefore, notAfter, keys, signingAlgorithm: alg });
  fs.writeFileSync(file, cert.toString('pem'));
  return file;
}

describe('conngate CLI basics', () => {
  it('prints help with the program description and examples', () => {
    const out = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(out).toContain('Usage: conngate');
    expect(out).toContain('connection functions');
    expect(out).toContain('Examples:');
  });

  it('prints its version', () => {
    const r = run(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version);
  });

  it.each([['status'], ['deploy'], ['verify'], ['promote'], ['test'], ['payload'], ['synth'], ['demo'], ['revocations', 'sync']])(
    '`%s --help` has an example', (...cmd) => {
      const r = run([...cmd.filter(Boolean), '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Examples:\n {2}conngate /);
    });

  it('status --help lists only the flags status uses', () => {
    const out = run(['status', '--help']).stdout;
    for (const flag of ['--endpoint', '--dir', '--json']) expect(out).toContain(flag);
    for (const flag of ['--concurrency', '--rate', '--live-suite', '--outputs', '--state-dir', '--quiet', '--applier']) expect(out).not.toContain(flag);
  });

  it('--debug adds the full cause after the one line; without it there is no stack', () => {
    const args = ['status', '--dir', root, '--endpoint', 'http://127.0.0.1:1'];
    const env = { CONNGATE_MAX_ATTEMPTS: '1' };
    const plain = run(args, env);
    expect(plain.status).toBe(1);
    expect(conngateLines(plain.stderr)).toHaveLength(1);
    expect(plain.stderr).not.toMatch(/^\s+at /m);
    const debug = run([...args, '--debug'], env);
    expect(debug.status).toBe(1);
    expect(conngateLines(debug.stderr)[0]).toBe(conngateLines(plain.stderr)[0]);
    expect(debug.stderr).toMatch(/^\s+at /m);
    expect(debug.stderr).toMatch(/ECONNREFUSED/);
    expect(run(args, { ...env, CONNGATE_DEBUG: '1' }).stderr).toMatch(/^\s+at /m);
  });

  it('stops quietly when the reader of its output goes away (EPIPE)', () => {
    const serials = path.join(tmp, 'many.txt');
    fs.writeFileSync(serials, Array.from({ length: 100_000 }, (_, i) => (i + 1).toString(16).padStart(8, '0')).join('\n'));
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" revocations export --format kvs-import --serials "${serials}" | head -c 10 >/dev/null`],
      { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
  });

  describe('payload', () => {
    it('warns about an expired certificate and still writes the payload', async () => {
      const day = 86_400_000;
      const file = await certificate(path.join(tmp, 'expired.pem'), new Date(Date.now() - 60 * day), new Date(Date.now() - day));
      const r = run(['payload', file]);
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(/^conngate payload: warning: certificate .*expired.pem expired on .*IgnoreCertificateExpiry/m);
      expect(JSON.parse(r.stdout).clientCertificate.certificates.leaf.subject).toContain('client.example');
    });

    it('warns about a certificate that is not valid yet', async () => {
      const day = 86_400_000;
      const file = await certificate(path.join(tmp, 'future.pem'), new Date(Date.now() + day), new Date(Date.now() + 60 * day));
      expect(run(['payload', file]).stderr).toMatch(/is not valid before/);
    });

    it('accepts IPv4 and IPv6 client IPs and says nothing about a valid certificate', async () => {
      const day = 86_400_000;
      const file = await certificate(path.join(tmp, 'valid.pem'), new Date(Date.now() - day), new Date(Date.now() + 60 * day));
      for (const ip of ['198.51.100.7', '2001:db8::7']) {
        const r = run(['payload', file, '--client-ip', ip]);
        expect(r.status).toBe(0);
        expect(r.stderr).toBe('');
        expect(JSON.parse(r.stdout).clientIp).toBe(ip);
      }
    });
  });
});

describe('demo work folder', () => {
  const dir = (name: string) => path.join(tmp, 'workdirs', name);

  it('refuses a non-empty folder it did not make and deletes nothing', () => {
    fs.mkdirSync(dir('src'), { recursive: true });
    fs.writeFileSync(path.join(dir('src'), 'index.ts'), 'export {};\n');
    expect(() => claimWorkdir(dir('src'))).toThrow(/non-empty folder conngate did not create.*nothing was deleted/);
    expect(fs.readdirSync(dir('src'))).toEqual(['index.ts']);
  });

  it('takes a missing or empty folder and marks it; empties a marked folder on the next run', () => {
    claimWorkdir(dir('fresh'));
    expect(fs.readdirSync(dir('fresh'))).toEqual([WORKDIR_MARKER]);
    fs.writeFileSync(path.join(dir('fresh'), 'old-report.html'), 'x');
    claimWorkdir(dir('fresh'));
    expect(fs.readdirSync(dir('fresh'))).toEqual([WORKDIR_MARKER]);
  });

  it('refuses a file and a symbolic link', () => {
    fs.mkdirSync(dir(''), { recursive: true });
    fs.writeFileSync(dir('a-file'), 'keep me');
    expect(() => claimWorkdir(dir('a-file'))).toThrow(/is a file, not a folder/);
    fs.mkdirSync(dir('target'));
    fs.writeFileSync(path.join(dir('target'), 'precious'), 'keep me');
    fs.symlinkSync(dir('target'), dir('link'));
    expect(() => claimWorkdir(dir('link'))).toThrow(/is a symbolic link/);
    expect(fs.readFileSync(path.join(dir('target'), 'precious'), 'utf8')).toBe('keep me');
  });
});
