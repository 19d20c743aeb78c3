import { webcrypto } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { createDemoPki, type DemoPki } from '../../demo/demo-pki';
import { prepareWorkdir } from '../../demo/demo-workdir';
import { x509 } from '../../revocation/x509-library';
import { PROJECT_DIR, runCli, type CliResult } from '../support/conngate-cli';
import { TEST_EVIDENCE_KEY } from '../support/emulator-project';
import { startHostileEndpoints, type HostileEndpoints } from './hostile-endpoints';

/**
 * The bad-day corpus: inputs a user or a bad day produces (broken files, wrong flags, dead or wrong endpoints, no
 * credentials, unwritable paths), each run through the real CLI against a real emulator that holds a deployed
 * stage. Every one must end with exactly one `conngate:` line on stderr, no stack trace, the documented exit code,
 * within a generous time bound, and without changing the emulator's state (its state file, byte for byte).
 */

interface Ctx {
  emulator: RunningEmulator;
  /** A second emulator that answers every request with a throttling error, and one with a 5xx error. */
  throttling: RunningEmulator;
  failing: RunningEmulator;
  hostile: HostileEndpoints;
  /** The deployed project (dev applied, published and verified). */
  proj: string;
  /** Scratch files for the inputs. */
  tmp: string;
  pki: DemoPki;
  otherPki: DemoPki;
  busyPort: number;
}

interface Case {
  name: string;
  area: string;
  args(c: Ctx): string[];
  env?(c: Ctx): Record<string, string>;
  code: 1 | 2;
  /** What the one line must say. */
  says: RegExp;
  /** Extra checks after the run (e.g. a folder was not touched). */
  after?(c: Ctx): void;
}

const STATE_FILE = 'emulator-state.json';
const ep = (c: Ctx) => ['--endpoint', c.emulator.endpoint];
const inProj = (c: Ctx) => ['--dir', c.proj, ...ep(c)];
const f = (c: Ctx, name: string) => path.join(c.tmp, name);
/** A project copy whose function or suite files were replaced, for the checks that run before any call. */
const variant = (c: Ctx, name: string) => path.join(c.tmp, 'variants', name);
const noCredentials = (c: Ctx): Record<string, string> => ({
  AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_PROFILE: '', CONNGATE_ENDPOINT: '',
  AWS_SHARED_CREDENTIALS_FILE: f(c, 'no-such-credentials'), AWS_CONFIG_FILE: f(c, 'no-such-config'), AWS_EC2_METADATA_DISABLED: 'true',
  AWS_WEB_IDENTITY_TOKEN_FILE: '', AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '', AWS_CONTAINER_CREDENTIALS_FULL_URI: '', HOME: f(c, 'home'),
});
const fastFail = { CONNGATE_REQUEST_TIMEOUT_MS: '400', CONNGATE_CONNECT_TIMEOUT_MS: '400', CONNGATE_MAX_ATTEMPTS: '2' };

const CASES: Case[] = [
  // flags
  { area: 'flags', name: 'unknown option', args: () => ['status', '--foo'], code: 2, says: /^conngate: status: unknown option '--foo' \(fix: run `conngate status --help`/ },
  { area: 'flags', name: 'missing argument', args: () => ['deploy'], code: 2, says: /deploy: missing required argument 'stage'/ },
  { area: 'flags', name: 'unknown command', args: () => ['frobnicate'], code: 2, says: /^conngate: frobnicate: unknown command(?!.*conngate: conngate)/ },
  { area: 'flags', name: 'invalid choice', args: (c) => ['deploy', 'dev', '--live-suite', 'medium', ...inProj(c)], code: 2, says: /--live-suite.*medium.*smoke, full/ },
  { area: 'flags', name: 'test --dir (old spelling)', args: () => ['test', '--local', '--dir', 'functions'], code: 2, says: /unknown option '--dir'.*--functions-dir/ },
  { area: 'flags', name: 'concurrency 0', args: (c) => ['deploy', 'dev', '--concurrency', '0', ...inProj(c)], code: 2, says: /--concurrency: "0" is not a whole number >= 1/ },
  { area: 'flags', name: 'timeout not a number', args: (c) => ['status', '--timeout', 'soon', ...inProj(c)], code: 2, says: /--timeout: "soon" is not a number of seconds/ },
  { area: 'flags', name: 'unknown stage', args: (c) => ['deploy', 'qa', ...inProj(c)], code: 2, says: /unknown stage "qa".*use one of: dev, staging, prod/ },
  { area: 'flags', name: 'promotion out of order', args: (c) => ['promote', 'dev', 'prod', ...inProj(c)], code: 2, says: /stage "prod" promotes from "staging", not "dev"/ },
  { area: 'flags', name: 'demo port out of range', args: (c) => ['demo', '--port', '99999', '--workdir', f(c, 'never-made')], code: 2, says: /--port: "99999" is not a whole number from 0 to 65535/,
    after: (c) => expect(fs.existsSync(f(c, 'never-made'))).toBe(false) },
  { area: 'flags', name: 'delete share over 1', args: (c) => ['revocations', 'sync', 'dev', '--serials', f(c, 'serials-ok.txt'), '--max-delete-share', '2', '--dir', c.proj, ...ep(c)], code: 2, says: /--max-delete-share: "2" is not a share between 0 and 1/ },
  // config
  { area: 'config', name: 'config is not JSON', args: (c) => ['status', '--dir', variant(c, 'bad-config-json'), ...ep(c)], code: 2, says: /conngate.config.json: not valid JSON/ },
  { area: 'config', name: 'promotesFrom an unknown stage', args: (c) => ['status', '--dir', variant(c, 'bad-config-chain'), ...ep(c)], code: 2, says: /stages.prod.promotesFrom: unknown stage "uat"/ },
  { area: 'config', name: 'no cdktf.json in --dir', args: (c) => ['deploy', 'dev', '--dir', c.tmp, ...ep(c)], code: 2, says: /no cdktf.json here/ },
  // suites
  { area: 'suites', name: 'suite is not JSON', args: (c) => ['test', '--local', path.join(variant(c, 'bad-suite-json'), 'functions', 'revocation-check.suite.json')], code: 2, says: /revocation-check.suite.json/ },
  { area: 'suites', name: 'deploy with a broken suite', args: (c) => ['deploy', 'dev', '--dir', variant(c, 'bad-suite-json'), ...ep(c)], code: 2, says: /revocation-check.suite.json/ },
  { area: 'suites', name: 'case without expect', args: (c) => ['test', '--local', path.join(variant(c, 'bad-suite-case'), 'functions', 'revocation-check.suite.json')], code: 2, says: /expect/ },
  // function code
  { area: 'function code', name: 'syntax error stops deploy before any call', args: (c) => ['deploy', 'dev', '--dir', variant(c, 'syntax-error'), ...ep(c)], code: 2, says: /revocation-check.js:\d+.*does not parse/ },
  { area: 'function code', name: 'syntax error stops verify', args: (c) => ['verify', 'dev', '--dir', variant(c, 'syntax-error'), ...ep(c)], code: 2, says: /revocation-check.js:\d+.*does not parse/ },
  { area: 'function code', name: 'syntax error stops synth before cdktf', args: (c) => ['synth', '--dir', variant(c, 'syntax-error')], code: 2, says: /revocation-check.js:\d+.*does not parse/,
    after: (c) => expect(fs.existsSync(path.join(variant(c, 'syntax-error'), 'cdktf.out'))).toBe(false) },
  { area: 'function code', name: 'foreign import', args: (c) => ['test', '--local', path.join(variant(c, 'foreign-import'), 'functions', 'revocation-check.js')], code: 2, says: /import/ },
  { area: 'function code', name: 'no connectionHandler', args: (c) => ['deploy', 'dev', '--dir', variant(c, 'no-handler'), ...ep(c)], code: 2, says: /connectionHandler/ },
  // certificates
  { area: 'certificates', name: 'certificate file missing', args: (c) => ['payload', f(c, 'missing.pem')], code: 2, says: /missing.pem: file not found/ },
  { area: 'certificates', name: 'certificate is garbage', args: (c) => ['payload', f(c, 'garbage.pem')], code: 2, says: /garbage.pem/ },
  { area: 'certificates', name: 'certificate path is a folder', args: (c) => ['payload', c.tmp], code: 2, says: /is a folder/ },
  { area: 'certificates', name: 'client IP 999.1.1.1', args: (c) => ['payload', c.pki.goodCertFile, '--client-ip', '999.1.1.1'], code: 2, says: /--client-ip: "999.1.1.1" is not an IPv4 or IPv6 address/ },
  { area: 'certificates', name: 'client IP with three octets', args: (c) => ['payload', c.pki.goodCertFile, '--client-ip', '10.0.1'], code: 2, says: /--client-ip: "10.0.1"/ },
  { area: 'certificates', name: 'malformed IPv6 client IP', args: (c) => ['payload', c.pki.goodCertFile, '--client-ip', '2001:db8:::1'], code: 2, says: /--client-ip: "2001:db8:::1"/ },
  // CRLs
  { area: 'CRLs', name: 'CRL is garbage', args: (c) => ['revocations', 'export', '--format', 'kvs-import', '--crl', f(c, 'garbage.pem'), '--ca', c.pki.caFile], code: 2, says: /garbage.pem/ },
  { area: 'CRLs', name: 'CRL without a CA to verify it', args: (c) => ['revocations', 'export', '--crl', c.pki.crlFile], code: 2, says: /--ca: .*no --ca was given/ },
  { area: 'CRLs', name: 'CRL signed by another CA', args: (c) => ['revocations', 'export', '--format', 'kvs-import', '--crl', c.pki.crlFile, '--ca', c.otherPki.caFile], code: 2, says: /demo-ca.crl.pem/ },
  { area: 'CRLs', name: 'stale CRL', args: (c) => ['revocations', 'export', '--format', 'kvs-import', '--crl', f(c, 'stale.crl.pem'), '--ca', f(c, 'stale-ca.pem')], code: 2, says: /stale CRL/ },
  { area: 'CRLs', name: '--ca without --crl', args: (c) => ['revocations', 'export', '--format', 'kvs-import', '--serials', f(c, 'serials-ok.txt'), '--ca', c.pki.caFile], code: 2, says: /--ca: only CRLs carry a signature/ },
  // serial lists
  { area: 'serial lists', name: 'serial list with a non-hex line', args: (c) => ['revocations', 'export', '--format', 'kvs-import', '--serials', f(c, 'serials-bad.txt')], code: 2, says: /serials-bad.txt/ },
  { area: 'serial lists', name: 'serial list missing', args: (c) => ['revocations', 'export', '--format', 'kvs-import', '--serials', f(c, 'missing.txt')], code: 2, says: /missing.txt/ },
  // outputs files
  { area: 'outputs files', name: 'outputs file missing', args: (c) => ['verify', 'dev', '--outputs', f(c, 'missing-outputs.json'), ...inProj(c)], code: 2, says: /missing-outputs.json: outputs file not found/ },
  { area: 'outputs files', name: 'outputs file not JSON', args: (c) => ['verify', 'dev', '--outputs', f(c, 'garbage.pem'), ...inProj(c)], code: 2, says: /garbage.pem: not a readable outputs JSON file/ },
  { area: 'outputs files', name: 'stale function id in outputs', args: (c) => ['verify', 'dev', '--outputs', f(c, 'stale-outputs.json'), ...inProj(c)], code: 2, says: /identity: refused: .*stale-outputs.json names function \S+ \(EFGHIJKLMNOPQR, .*\), but the dev stage's function is .*nothing was tested, published or written/ },
  { area: 'outputs files', name: 'stale store ARN in outputs', args: (c) => ['revocations', 'sync', 'dev', '--serials', f(c, 'serials-ok.txt'), '--outputs', f(c, 'stale-outputs.json'), '--no-snapshot', '--dir', c.proj, ...ep(c)], code: 2, says: /identity: refused: .*stale-outputs.json names store \S+key-value-store\/00000000-0000-4000-8000-000000000000, but the dev stage's KeyValueStore \S+ is arn:\S+; nothing was written/ },
  // endpoints
  { area: 'endpoints', name: 'endpoint is not a URL', args: (c) => ['status', '--dir', c.proj, '--endpoint', 'not a url'], code: 2, says: /--endpoint: "not a url" is not a URL/ },
  { area: 'endpoints', name: 'endpoint is ftp://', args: (c) => ['status', '--dir', c.proj, '--endpoint', 'ftp://127.0.0.1'], code: 2, says: /must be an http:\/\/ or https:\/\/ URL/ },
  { area: 'endpoints', name: 'emulator not running', args: (c) => ['status', '--dir', c.proj, '--endpoint', c.hostile.closed], env: () => fastFail, code: 1, says: /endpoint http:\/\/127.0.0.1:\d+: refused the connection/ },
  { area: 'endpoints', name: 'emulator not running (deploy)', args: (c) => ['deploy', 'dev', '--dir', c.proj, '--endpoint', c.hostile.closed], env: () => fastFail, code: 1, says: /refused the connection/ },
  { area: 'endpoints', name: 'silent endpoint: request timeout', args: (c) => ['status', '--dir', c.proj, '--endpoint', c.hostile.silent], env: () => fastFail, code: 1, says: /endpoint http:\/\/127.0.0.1:\d+: did not answer within 400 ms during \w+ \(2 attempts\)/ },
  { area: 'endpoints', name: 'silent endpoint: command deadline', args: (c) => ['status', '--dir', c.proj, '--endpoint', c.hostile.silent, '--timeout', '2'], env: () => ({ CONNGATE_REQUEST_TIMEOUT_MS: '600000' }), code: 1, says: /status: did not finish within 2 s \(waiting for \w+ at http:\/\/127.0.0.1:\d+/ },
  { area: 'endpoints', name: 'web server 404 page', args: (c) => ['status', '--dir', c.proj, '--endpoint', c.hostile.html404], code: 2, says: /endpoint http:\/\/127.0.0.1:\d+: does not speak the CloudFront API/ },
  { area: 'endpoints', name: 'web server 200 page', args: (c) => ['status', '--json', '--dir', c.proj, '--endpoint', c.hostile.html200], code: 2, says: /does not speak the CloudFront API/ },
  { area: 'endpoints', name: 'unreadable answer', args: (c) => ['status', '--dir', c.proj, '--endpoint', c.hostile.garbage], env: () => fastFail, code: 2, says: /does not speak the CloudFront API/ },
  { area: 'endpoints', name: 'throttled after retries', args: (c) => ['status', '--dir', c.proj, '--endpoint', c.throttling.endpoint], env: () => ({ CONNGATE_MAX_ATTEMPTS: '2' }), code: 1, says: /during \w+: throttled after 2 attempts/ },
  { area: 'endpoints', name: 'server errors after retries', args: (c) => ['status', '--dir', c.proj, '--endpoint', c.failing.endpoint], env: () => ({ CONNGATE_MAX_ATTEMPTS: '2' }), code: 1, says: /during \w+: server error 5\d\d/ },
  { area: 'endpoints', name: 'request timeout not a number', args: (c) => ['status', ...inProj(c)], env: () => ({ CONNGATE_REQUEST_TIMEOUT_MS: 'fast' }), code: 2, says: /CONNGATE_REQUEST_TIMEOUT_MS: "fast" is not a whole number/ },
  { area: 'endpoints', name: 'emulator on a missing interface', args: () => ['emulator', '--host', '203.0.113.77', '--allow-non-loopback', '--port', '0'], code: 2, says: /203.0.113.77: is not an address of this machine/ },
  { area: 'endpoints', name: 'emulator exposed without the flag', args: () => ['emulator', '--host', '0.0.0.0', '--port', '0'], code: 2, says: /non-loopback address exposes the emulator/ },
  { area: 'endpoints', name: 'emulator on a busy port', args: (c) => ['emulator', '--port', String(c.busyPort)], code: 2, says: /the port is already in use/ },
  // credentials
  { area: 'credentials', name: 'no AWS credentials', args: (c) => ['status', '--dir', c.proj], env: noCredentials, code: 2, says: /credentials for AWS \(cloudfront.amazonaws.com\): no AWS credentials found/ },
  // evidence keys
  { area: 'credentials', name: 'deploy without an evidence key', args: (c) => ['deploy', 'dev', ...inProj(c)], env: () => ({ CONNGATE_EVIDENCE_KEY: '' }), code: 2, says: /evidence key: no key to sign evidence with/ },
  { area: 'credentials', name: 'evidence key too short', args: (c) => ['deploy', 'dev', ...inProj(c)], env: () => ({ CONNGATE_EVIDENCE_KEY: 'short' }), code: 2, says: /CONNGATE_EVIDENCE_KEY: the secret is shorter than 16 bytes/ },
  // paths
  { area: 'paths', name: '--state-dir names a file', args: (c) => ['deploy', 'dev', '--state-dir', f(c, 'garbage.pem'), ...inProj(c)], code: 2, says: /--state-dir .*garbage.pem: is a file, not a folder/ },
  { area: 'paths', name: '--junit names a folder', args: (c) => ['test', '--local', '--functions-dir', path.join(PROJECT_DIR, 'functions'), '--junit', c.tmp], code: 2, says: /--junit .*: is a folder/ },
  { area: 'paths', name: '--junit in a missing folder', args: (c) => ['test', '--local', '--functions-dir', path.join(PROJECT_DIR, 'functions'), '--junit', f(c, 'nope/out.xml')], code: 2, says: /--junit .*out.xml: folder .* does not exist/ },
  { area: 'paths', name: '--functions-dir names a file', args: (c) => ['test', '--local', '--functions-dir', f(c, 'garbage.pem')], code: 2, says: /--functions-dir .*: is a file, not a folder/ },
  { area: 'paths', name: 'payload --out in a missing folder', args: (c) => ['payload', c.pki.goodCertFile, '--out', f(c, 'nope/payload.json')], code: 2, says: /--out .*: folder .* does not exist/ },
  { area: 'paths', name: 'demo --workdir on a user folder', args: (c) => ['demo', '--workdir', f(c, 'users-src')], code: 2, says: /--workdir .*users-src: is a non-empty folder conngate did not create/,
    after: (c) => expect(fs.readFileSync(f(c, 'users-src/main.c'), 'utf8')).toBe('int main(void) { return 0; }\n') },
];

function stateDump(c: Ctx): string {
  const file = path.join(c.tmp, STATE_FILE);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '<no state file>';
}

async function writeStaleCrl(c: Ctx): Promise<void> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const day = 86_400_000;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '02', name: 'CN=Stale CA', notBefore: new Date(Date.now() - 30 * day), notAfter: new Date(Date.now() + 30 * day), keys, signingAlgorithm: alg,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.subject, thisUpdate: new Date(Date.now() - 20 * day), nextUpdate: new Date(Date.now() - 10 * day), signingKey: keys.privateKey, signingAlgorithm: alg,
    entries: [{ serialNumber: '0abc', revocationDate: new Date(Date.now() - 20 * day) }],
  });
  fs.writeFileSync(f(c, 'stale-ca.pem'), ca.toString('pem'));
  fs.writeFileSync(f(c, 'stale.crl.pem'), x509.PemConverter.encode(crl.rawData, 'X509 CRL'));
}

function makeVariant(c: Ctx, name: string, edit: (dir: string) => void): void {
  const dir = variant(c, name);
  fs.mkdirSync(dir, { recursive: true });
  prepareWorkdir(PROJECT_DIR, dir);
  edit(dir);
}

async function makeInputs(c: Ctx): Promise<void> {
  fs.mkdirSync(f(c, 'home'));
  fs.writeFileSync(f(c, 'garbage.pem'), 'this is neither PEM nor DER nor JSON\n');
  fs.writeFileSync(f(c, 'serials-ok.txt'), '# revoked\n0a:bc\n');
  fs.writeFileSync(f(c, 'serials-bad.txt'), '0abc\nnot-a-serial!\n');
  fs.mkdirSync(f(c, 'users-src'));
  fs.writeFileSync(f(c, 'users-src/main.c'), 'int main(void) { return 0; }\n');
  const outputs = JSON.parse(fs.readFileSync(path.join(c.proj, '.conngate', 'outputs.json'), 'utf8')) as Record<string, Record<string, string>>;
  const dev = { ...outputs.dev };
  for (const [k, v] of Object.entries(dev)) {
    if (k === 'function_id') dev[k] = 'EFGHIJKLMNOPQR';
    if (k === 'kvs_arn' && typeof v === 'string') dev[k] = v.replace(/[0-9a-f-]{36}$/, '00000000-0000-4000-8000-000000000000');
  }
  fs.writeFileSync(f(c, 'stale-outputs.json'), JSON.stringify({ dev }, null, 2));
  await writeStaleCrl(c);
  const fn = (dir: string) => path.join(dir, 'functions', 'revocation-check.js');
  const suite = (dir: string) => path.join(dir, 'functions', 'revocation-check.suite.json');
  makeVariant(c, 'bad-config-json', (d) => fs.writeFileSync(path.join(d, 'conngate.config.json'), '{ "stages": { "dev": { } }'));
  makeVariant(c, 'bad-config-chain', (d) => fs.writeFileSync(path.join(d, 'conngate.config.json'),
    JSON.stringify({ stages: { dev: { promotesFrom: null }, staging: { promotesFrom: 'dev' }, prod: { promotesFrom: 'uat' } } })));
  makeVariant(c, 'bad-suite-json', (d) => fs.writeFileSync(suite(d), '{ "cases": [ { "name": "x", '));
  makeVariant(c, 'bad-suite-case', (d) => fs.writeFileSync(suite(d), JSON.stringify({ cases: [{ name: 'no expectation', connection: { clientIp: '1.2.3.4' } }] })));
  makeVariant(c, 'syntax-error', (d) => fs.appendFileSync(fn(d), '\nfunction broken( {\n'));
  makeVariant(c, 'foreign-import', (d) => fs.writeFileSync(fn(d), `import fs from 'fs';\n${fs.readFileSync(fn(d), 'utf8')}`));
  makeVariant(c, 'no-handler', (d) => fs.writeFileSync(fn(d), fs.readFileSync(fn(d), 'utf8').replace(/connectionHandler/g, 'handleIt')));
}

/** Runs the cases with a small pool (each is a process start), recording the state around every run. */
async function runCorpus(c: Ctx): Promise<Map<string, { r: CliResult; ms: number; before: string; after: string }>> {
  const out = new Map<string, { r: CliResult; ms: number; before: string; after: string }>();
  const queue = [...CASES];
  // Commands that take the stage's lock run one at a time: two of them at once would meet each other's lock (a
  // correct refusal, but not the input the case is about).
  const locking = new Set(['deploy', 'verify', 'promote']);
  let stageTurn: Promise<unknown> = Promise.resolve();
  const worker = async () => {
    for (let k = queue.shift(); k; k = queue.shift()) {
      const args = k.args(c);
      const env = { CONNGATE_ENDPOINT: '', CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY, ...k.env?.(c) };
      const one = async () => {
        const before = stateDump(c);
        const started = Date.now();
        const r = await runCli(args, { env });
        out.set(k!.name, { r, ms: Date.now() - started, before, after: stateDump(c) });
      };
      if (locking.has(args[0])) {
        const turn = stageTurn.then(one);
        stageTurn = turn.catch(() => undefined);
        await turn;
      } else {
        await one();
      }
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return out;
}

describe('bad-day corpus: every failure is one line, the right exit code, bounded, and changes nothing', () => {
  const c = {} as Ctx;
  let results: Awaited<ReturnType<typeof runCorpus>>;
  let busy: net.Server;

  beforeAll(async () => {
    c.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-corpus-'));
    c.emulator = await startEmulator({ port: 0, stateFile: path.join(c.tmp, STATE_FILE) });
    c.hostile = await startHostileEndpoints();
    c.throttling = await startEmulator({ port: 0, faults: { throttleRate: 1 } });
    c.failing = await startEmulator({ port: 0, faults: { serverErrorRate: 1 } });
    busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    c.busyPort = (busy.address() as net.AddressInfo).port;
    c.proj = path.join(c.tmp, 'project');
    fs.mkdirSync(c.proj);
    prepareWorkdir(PROJECT_DIR, c.proj);
    c.pki = await createDemoPki(path.join(c.tmp, 'pki'));
    c.otherPki = await createDemoPki(path.join(c.tmp, 'other-pki'));
    const deployed = await runCli(['deploy', 'dev', '--quiet', ...inProj(c)], { env: { CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY } });
    if (deployed.code !== 0) throw new Error(`setup deploy failed: ${deployed.stdout}\n${deployed.stderr}`);
    await makeInputs(c);
    results = await runCorpus(c);
  }, 300_000);

  afterAll(async () => {
    await c.hostile?.close();
    await c.emulator?.close();
    await c.throttling?.close();
    await c.failing?.close();
    await new Promise<void>((r) => (busy ? busy.close(() => r()) : r()));
    fs.rmSync(c.tmp, { recursive: true, force: true });
  });

  it('covers at least 40 inputs across every area', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((k) => k.name)).size).toBe(CASES.length);
    expect(new Set(CASES.map((k) => k.area))).toEqual(new Set(['flags', 'config', 'suites', 'function code', 'certificates', 'CRLs',
      'serial lists', 'outputs files', 'endpoints', 'credentials', 'paths']));
  });

  it('starts from a deployed stage, so "nothing changed" means something', () => {
    expect(stateDump(c)).toContain('revocation-check');
  });

  it.each(CASES.map((k) => [`${k.area}: ${k.name}`, k] as const))('%s', (_label, k) => {
    const { r, ms, before, after } = results.get(k.name)!;
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('conngate:'));
    const context = `\nexit ${r.code}\nstderr:\n${r.stderr}\nstdout:\n${r.stdout.slice(0, 2000)}`;
    expect({ lines: lines.length, context }).toEqual({ lines: 1, context });
    expect(lines[0]).toMatch(k.says);
    expect(lines[0]).toMatch(/^conngate: .+: .+ \(fix: .+\)$/);
    expect(lines[0]).not.toMatch(/unexpected error/);
    expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect({ code: r.code, context }).toEqual({ code: k.code, context });
    // Generous: the slowest case waits out a 2 s deadline; the bound only catches a hang.
    expect(ms).toBeLessThan(60_000);
    expect(after).toBe(before);
    k.after?.(c);
  });
});
