/**
 * Files a suite names (the suite itself, a certificate, a chain, the function) that are not regular files: /dev/zero
 * grew the read to gigabytes and a pipe with no writer blocked `conngate test --local` forever. Each is now one line
 * of bad input at once. The runs have a time limit, so a regression fails instead of hanging the test run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_DIR } from '../support/conngate-cli';

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-hostile-files-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function testLocal(dir: string, target: string): { code: number | null; stderr: string; ms: number } {
  const started = Date.now();
  const r = spawnSync(process.execPath, [path.join(PROJECT_DIR, 'bin', 'conngate.js'), 'test', '--local', target, '--functions-dir', '.'],
    { cwd: dir, encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
  return { code: r.status, stderr: r.stderr, ms: Date.now() - started };
}

const allow = 'function connectionHandler(connection) { connection.allow(); }\n';
const cases: Array<[string, (dir: string) => void, RegExp]> = [
  ['a certificate that is /dev/zero', (dir) => {
    fs.writeFileSync(path.join(dir, 'f.js'), allow);
    fs.writeFileSync(path.join(dir, 'f.suite.json'), JSON.stringify({ cases: [{ name: 'c', certificate: '/dev/zero', expect: { decision: 'allow' } }] }));
  }, /certificate \/dev\/zero: cannot be read/],
  ['a chain that is a pipe', (dir) => {
    fs.writeFileSync(path.join(dir, 'f.js'), allow);
    execFileSync('mkfifo', [path.join(dir, 'chain.pem')]);
    fs.copyFileSync(path.join(PROJECT_DIR, 'functions', 'fixtures', 'client-ocsp.pem'), path.join(dir, 'leaf.pem'));
    fs.writeFileSync(path.join(dir, 'f.suite.json'), JSON.stringify({ cases: [{ name: 'c', certificate: 'leaf.pem', chain: 'chain.pem', expect: { decision: 'allow' } }] }));
  }, /chain chain\.pem: cannot be read/],
  ['a suite file that is a pipe', (dir) => {
    fs.writeFileSync(path.join(dir, 'f.js'), allow);
    execFileSync('mkfifo', [path.join(dir, 'f.suite.json')]);
  }, /suite file cannot be read/],
  ['a function file that is a pipe', (dir) => {
    execFileSync('mkfifo', [path.join(dir, 'f.js')]);
    fs.writeFileSync(path.join(dir, 'f.suite.json'), JSON.stringify({ cases: [{ name: 'c', connection: {}, expect: { decision: 'allow' } }] }));
  }, /cannot be read/],
];

it.each(cases)('conngate test --local refuses %s as one line of bad input, promptly', (_name, setup, message) => {
  const dir = fs.mkdtempSync(path.join(tmp, 'case-'));
  setup(dir);
  const r = testLocal(dir, 'f.js');
  expect(r.code).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^conngate: /);
  expect(lines[0]).toMatch(message);
  expect(r.ms).toBeLessThan(15_000);
}, 60_000);
