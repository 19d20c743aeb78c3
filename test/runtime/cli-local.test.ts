import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'conngate.js');
let tmp: string;

function conngate(args: string[], cwd = root): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A scratch functions folder with one function and its suite. */
function scratch(fn: string, suite: object, extra: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'fn-'));
  fs.writeFileSync(path.join(dir, 'f.js'), fn);
  fs.writeFileSync(path.join(dir, 'f.suite.json'), JSON.stringify(suite));
  for (const [name, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const allowAll = 'function connectionHandler(connection) { connection.allow(); }';

beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-cli-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('conngate test --local', () => {
  it('runs every suite in functions/, prints the table and writes JUnit XML', () => {
    const junit = path.join(tmp, 'results.xml');
    const r = conngate(['test', '--local', '--junit', junit]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/case\s+expected\s+actual\s+utilization\*\s+result/);
    expect(r.stdout).toMatch(/canary serial is denied\s+deny\s+deny\s+\d+\.\d%\s+PASS/);
    expect(r.stdout).toMatch(/(\d+) passed, 0 failed \(\1 cases in 3 suites\)/);
    const xml = fs.readFileSync(junit, 'utf8');
    expect((xml.match(/<testcase /g) ?? []).length).toBe(Number(/(\d+) passed/.exec(r.stdout)![1]));
  });
  it('runs one function by file and exits 1 when a case fails', () => {
    const dir = scratch(allowAll, { cases: [{ name: 'should deny', connection: { clientIp: '1.2.3.4' }, expect: { decision: 'deny' } },
      { name: 'allows', connection: {}, expect: { decision: 'allow' } }] });
    const junit = path.join(dir, 'out.xml');
    const r = conngate(['test', '--local', path.join(dir, 'f.js'), '--junit', junit]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/should deny\s+deny\s+allow\s+\S+\s+FAIL/);
    expect(r.stdout).toMatch(/1 passed, 1 failed/);
    expect(fs.readFileSync(junit, 'utf8')).toMatch(/<failure message="expected deny, got allow"/);
  });
  it('a suite that does not match the schema: one line, exit 2', () => {
    const dir = scratch(allowAll, { cases: [{ name: 'x', connection: {}, expect: { decision: 'allow' }, typo: 1 }] });
    const r = conngate(['test', '--local', path.join(dir, 'f.suite.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/f\.suite\.json: does not match the suite schema: \/cases\/0: unknown property "typo" \(fix: /);
  });
  it('a certificate that is not a certificate: one line, exit 2', () => {
    const dir = scratch(allowAll, { cases: [{ name: 'x', certificate: 'bogus.pem', expect: { decision: 'allow' } }] },
      { 'bogus.pem': '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n' });
    const r = conngate(['test', '--local', path.join(dir, 'f.suite.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/case "x": certificate bogus\.pem: is not an X\.509 certificate .*\(fix: /);
  });
  it('a function that does not parse: one line with file:line:col, exit 2', () => {
    const dir = scratch('function connectionHandler(connection) {\n  connection.allow(\n}\n', { cases: [{ name: 'x', connection: {}, expect: { decision: 'allow' } }] });
    const r = conngate(['test', '--local', path.join(dir, 'f.js')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/f\.js:3:1: connection function code does not parse as JavaScript: Unexpected token \(fix: /);
  });
  it('a canary serial that is not hex: one line, exit 2, before any suite runs', () => {
    const r = conngate(['test', '--local', '--canary-serial', 'xyz']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^conngate: --canary-serial: "xyz" is not a hex serial \(fix: /);
  });
  it('refuses to run without --local', () => {
    const r = conngate(['test']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/add --local/);
  });
});

describe('conngate payload', () => {
  const cert = path.join(root, 'functions', 'fixtures', 'client-highbit.pem');
  it('prints the connection object for a certificate and writes it with --out', () => {
    const r = conngate(['payload', cert, '--client-ip', '198.51.100.1', '--distribution-id', 'EDFDVBD6EXAMPLE']);
    expect(r.code).toBe(0);
    const obj = JSON.parse(r.stdout);
    expect(obj.clientIp).toBe('198.51.100.1');
    expect(obj.distributionId).toBe('EDFDVBD6EXAMPLE');
    expect(obj.clientCertificate.certificates.leaf.serialNumber).toBe('00:9e:2a:af:01:53:c4:d2:e1:fa');
    const out = path.join(tmp, 'payload.json');
    expect(conngate(['payload', cert, '--out', out]).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).clientCertificate).toEqual(obj.clientCertificate);
  });
  it('a file that is not a certificate: one line, exit 2, nothing written', () => {
    const out = path.join(tmp, 'never.json');
    const r = conngate(['payload', path.join(root, 'package.json'), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/package\.json: is not an X\.509 certificate/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
