/**
 * A stage's role on a bad day: the STS endpoint is silent, answers 5xx, or hands out credentials that then meet a
 * failing CloudFront. Each must end in one clear line and a non-zero exit with nothing changed, and no secret of
 * the session (secret key, session token) may show up in output, --debug output or files the run leaves behind.
 * A proxy in front of a real emulator plays the bad STS; every other path goes through to the emulator.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListConnectionFunctionsCommand } from '@aws-sdk/client-cloudfront';
import { createCloudFrontClient } from '../../aws/clients';
import { mapOperationalError } from '../../diagnostics/operational-error';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { prepareWorkdir } from '../../demo/demo-workdir';
import { PROJECT_DIR, runCli } from '../support/conngate-cli';
import { TEST_EVIDENCE_KEY } from '../support/emulator-project';

jest.setTimeout(300_000);

const ACCOUNT = '222222222222';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/conngate-deploy`;
const SECRET = 'S3cr3tKeyMarkerDoNotPrint0000000000000000';
const TOKEN = 'SessionTokenMarkerDoNotPrint//////////////////////////';

type StsMode = 'silent' | '500' | '404' | 'issue';

/** Forwards everything but `/sts` to the emulator; `/sts` behaves as `mode` says. */
async function startProxy(emu: RunningEmulator, mode: () => StsMode): Promise<{ server: Server; url: string; stsCalls: () => number }> {
  let calls = 0;
  const held: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (['/sts', '/sts/'].includes((req.url ?? '').split('?')[0])) {
      calls++;
      req.resume();
      const m = mode();
      if (m === 'silent') { held.push(res); return; }
      if (m === '404') {
        // An endpoint with no STS at /sts (another CloudFront stand-in, a proxy): a 404 with a request id.
        res.writeHead(404, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': 'r-404' });
        res.end('<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchResource</Code><Message>no such path /sts</Message></Error><RequestId>r-404</RequestId></ErrorResponse>');
        return;
      }
      if (m === '500') {
        res.writeHead(500, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': 'r-500' });
        res.end('<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>STS is having a bad day</Message></Error><RequestId>r-500</RequestId></ErrorResponse>');
        return;
      }
      const exp = new Date(Date.now() + 3600_000).toISOString();
      res.writeHead(200, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': 'r-ok' });
      res.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>`
        + `<AccessKeyId>ASIAMARKER0000000001</AccessKeyId><SecretAccessKey>${SECRET}</SecretAccessKey><SessionToken>${TOKEN}</SessionToken>`
        + `<Expiration>${exp}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROAX:s</AssumedRoleId><Arn>arn:aws:sts::${ACCOUNT}:assumed-role/conngate-deploy/s</Arn>`
        + '</AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r-ok</RequestId></ResponseMetadata></AssumeRoleResponse>');
      return;
    }
    const up = request({ host: '127.0.0.1', port: emu.port, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${emu.port}` } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('close', () => held.forEach((r) => r.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stsCalls: () => calls };
}

describe('a stage role on a bad day', () => {
  let emu: RunningEmulator;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let mode: StsMode = 'issue';
  let dir: string;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, accountId: ACCOUNT });
    proxy = await startProxy(emu, () => mode);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-role-bad-day-'));
    prepareWorkdir(PROJECT_DIR, dir, { stages: { dev: { promotesFrom: null, aws: { endpoint: proxy.url, roleArn: ROLE } } } });
  });
  afterAll(async () => {
    proxy?.server.closeAllConnections();
    await new Promise((r) => proxy?.server.close(r));
    await emu?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const functionNames = async () => ((await createCloudFrontClient({ endpoint: emu.endpoint, region: 'us-east-1' })
    .send(new ListConnectionFunctionsCommand({}))).ConnectionFunctions ?? []).map((f) => f.Name);
  const cli = (args: string[], env: Record<string, string> = {}) => runCli([...args, '--dir', dir],
    { env: { CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY, CONNGATE_ENDPOINT: '', ...env } });

  it('a silent STS endpoint fails the call within the request timeout, as a silent CloudFront endpoint does', async () => {
    mode = 'silent';
    const client = createCloudFrontClient({ endpoint: proxy.url, region: 'us-east-1', roleArn: ROLE, requestTimeoutMs: 500, maxAttempts: 1 });
    const started = Date.now();
    const err = await Promise.race([
      client.send(new ListConnectionFunctionsCommand({})).then(() => new Error('answered'), (e: Error) => e),
      new Promise<Error>((r) => setTimeout(() => r(new Error('still waiting after 10 s')), 10_000)),
    ]);
    expect(err.message).not.toBe('still waiting after 10 s');
    expect(Date.now() - started).toBeLessThan(5000);
    const line = mapOperationalError(err)?.message ?? '';
    expect(line).toContain(ROLE);
    expect(line).toMatch(/did not answer|timed out|timeout/i);
    expect(line).not.toMatch(/trust policy/);
  });

  it('the CLI stops on a silent STS with one line naming the role, non-zero, and changes nothing', async () => {
    mode = 'silent';
    const started = Date.now();
    const r = await cli(['deploy', 'dev'], { CONNGATE_REQUEST_TIMEOUT_MS: '500', CONNGATE_MAX_ATTEMPTS: '1' });
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(ROLE);
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('conngate:'))).toHaveLength(1);
    expect(r.stderr).not.toMatch(/trust policy/);
    expect(await functionNames()).toEqual([]);
  });

  it('an STS 5xx is reported as a passing outage of STS, not as a trust-policy problem, and changes nothing', async () => {
    mode = '500';
    const r = await cli(['deploy', 'dev'], { CONNGATE_MAX_ATTEMPTS: '2' });
    expect(r.code).not.toBe(0);
    const line = r.stderr.trim().split('\n').find((l) => l.startsWith('conngate:')) ?? '';
    expect(line).toContain(ROLE);
    expect(line).toMatch(/bad day|500|InternalFailure/);
    expect(line).not.toMatch(/trust policy/);
    expect(await functionNames()).toEqual([]);
  });

  it('status does not report a stage "not deployed" when its role cannot be assumed (STS 404, 5xx, silent)', async () => {
    mode = 'issue';
    expect((await cli(['deploy', 'dev'])).code).toBe(0);
    for (const m of ['404', '500', 'silent'] as const) {
      mode = m;
      for (const args of [['status'], ['status', '--json']]) {
        const r = await cli(args, { CONNGATE_REQUEST_TIMEOUT_MS: '500', CONNGATE_MAX_ATTEMPTS: '1' });
        expect({ m, args, failed: r.code !== 0, notDeployed: /not deployed|"dev"[^}]*"live": null/.test(r.stdout) })
          .toEqual({ m, args, failed: true, notDeployed: false });
        expect(r.stderr).toContain(ROLE);
      }
    }
    mode = 'issue';
  });

  it('no secret of the session shows in output, --debug output, status or files, on success and on failure', async () => {
    mode = 'issue';
    const ok = await cli(['deploy', 'dev', '--debug']);
    expect(`${ok.code}\n${ok.stdout}\n${ok.stderr}`).toMatch(/^0\n/);
    expect(proxy.stsCalls()).toBeGreaterThan(0);
    const status = await cli(['status', '--debug']);
    const json = await cli(['status', '--json']);
    emu.setFaults({ serverErrorRate: 1, seed: 1 });
    const failed = await cli(['deploy', 'dev', '--debug'], { CONNGATE_MAX_ATTEMPTS: '1' });
    emu.setFaults({});
    expect(failed.code).not.toBe(0);
    const files: string[] = [];
    const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => {
      const p = path.join(d, e.name);
      if (e.isDirectory()) { if (e.name !== 'node_modules') walk(p); } else files.push(fs.readFileSync(p, 'latin1'));
    });
    walk(dir);
    for (const text of [ok.stdout, ok.stderr, status.stdout, status.stderr, json.stdout, json.stderr, failed.stdout, failed.stderr, ...files]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(TOKEN.slice(0, 28));
    }
  });
});
