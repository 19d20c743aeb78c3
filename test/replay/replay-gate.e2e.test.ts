import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../aws/clients';
import { readLedger } from '../../orchestrator/evidence/evidence';
import { candidateSha256 } from '../../orchestrator/stage/candidate';
import { readFunctionStage } from '../../orchestrator/stage/function-stages';
import type { ReplayReport } from '../../orchestrator/replay/replay-report';
import { logLines, makeLogFixture, type LogFixture } from '../support/connection-log-fixture';
import { useEmulatorProject } from '../support/emulator-project';

jest.setTimeout(300_000);

// The replay gate against the emulator, through the CLI and the real SDK clients: the logs are objects in the
// emulator's S3 subset, listed and read by `s3://bucket/prefix`.
describe('replay gate: deploy refuses a candidate that changes more logged decisions than allowed', () => {
  const p = useEmulatorProject('conngate-replay');
  const logs = 's3://conngate-connection-logs/cloudfront/E1NXS4MQZH501R/';
  let fx: LogFixture;
  let legacy: LogFixture['certs'];
  const writeConfig = (replay: object) => fs.writeFileSync(path.join(p.dir, 'conngate.config.json'), JSON.stringify({ stages: { dev: { promotesFrom: null, replay } } }, null, 2));

  beforeAll(async () => {
    // No certificate is revoked in the stage's store, so every trusted handshake in the logs succeeded.
    fx = await makeLogFixture({ count: 30, foreign: 3, revokedEvery: 1_000_000, cnOf: (i) => (i % 10 === 4 ? `legacy-${i}.example.com` : `client-${i}.example.com`) });
    legacy = fx.certs.filter((c) => c.cn.startsWith('legacy-'));
    const s3 = createS3Client({ endpoint: p.emulator.endpoint, region: 'us-east-1' });
    await s3.send(new CreateBucketCommand({ Bucket: 'conngate-connection-logs' }));
    await uploadLogs();
    await s3.send(new PutObjectCommand({ Bucket: 'conngate-connection-logs', Key: 'elsewhere/c.jsonl', Body: 'not a log\n' }));
    s3.destroy();
  });

  /** The stage's logs in the emulator's S3, naming `distributionId` (the stage's own once it is deployed). */
  async function uploadLogs(distributionId?: string): Promise<void> {
    const s3 = createS3Client({ endpoint: p.emulator.endpoint, region: 'us-east-1' });
    const lines = logLines(fx, 3_000, undefined, distributionId);
    await s3.send(new PutObjectCommand({ Bucket: 'conngate-connection-logs', Key: 'cloudfront/E1NXS4MQZH501R/2026/12/06/00/a.jsonl', Body: lines.slice(0, 1_500).join('\n') }));
    await s3.send(new PutObjectCommand({ Bucket: 'conngate-connection-logs', Key: 'cloudfront/E1NXS4MQZH501R/2026/12/06/01/b.jsonl.gz', Body: gzipSync(lines.slice(1_500).join('\n')) }));
    s3.destroy();
  }

  it('skips the replay on a first deploy (no LIVE code yet), then refuses the candidate over maxChangedDecisions and accepts it with the expected changes', async () => {
    writeConfig({ logs, maxChangedDecisions: 0 });
    const first = await p.cli('deploy', 'dev');
    expect(`${first.code}\n${first.stdout}${first.stderr}`).toMatch(/^0\n/);
    expect(first.stdout + first.stderr).toMatch(/no LIVE code yet: nothing to replay the candidate against/);
    const o = p.outputs().read('dev')!;
    const verified = (await readFunctionStage(p.cf(), o.functionId, 'LIVE')).sha256;
    // The logs of dev's own distribution (records of another distribution are not replayed).
    await uploadLogs(o.distributionId);

    // The candidate denies every legacy- client: a known subset of the logged connections.
    const good = fs.readFileSync(p.fnFile, 'utf8');
    const candidate = good.replace('  const serial = canonicalSerial(leaf.serialNumber);',
      "  if (/CN=legacy-/.test(leaf.subject)) { connection.deny(); return; }\n  const serial = canonicalSerial(leaf.serialNumber);");
    expect(candidate).not.toBe(good);
    fs.writeFileSync(p.fnFile, candidate);
    const devBefore = (await readFunctionStage(p.cf(), o.functionId, 'DEVELOPMENT')).sha256;

    // `conngate replay` lists exactly that subset.
    const rep = await p.cli('replay', 'dev', '--json');
    expect(`${rep.code}\n${rep.stderr}`).toMatch(/^1\n/);
    const report = JSON.parse(rep.stdout) as ReplayReport;
    const perCert = (c: LogFixture['certs'][number]) => { const i = fx.certs.indexOf(c); return Math.floor(3_000 / fx.certs.length) + (i < 3_000 % fx.certs.length ? 1 : 0); };
    expect(report).toMatchObject({ files: 2, records: 3_000, problems: { total: 0 }, liveDisagreesWithLog: 0, verdict: 'over-limit' });
    expect(report.notReplayable.total).toBe(fx.certs.filter((c) => !c.trusted).reduce((n, c) => n + perCert(c), 0));
    expect(report.groups.map((g) => [g.serial, g.live, g.candidate, g.count]).sort())
      .toEqual(legacy.map((c) => [c.leaf.serialNumber, 'allow', 'deny', perCert(c)]).sort());

    const htmlFile = path.join(p.dir, 'replay.html');
    const text = await p.cli('replay', 'dev', '--html', htmlFile);
    expect(text.code).toBe(1);
    const untrusted = report.notReplayable.total;
    expect(text.stdout).toContain(`✘ replayed ${3_000 - untrusted} of 3000 logged connections, ${untrusted} not replayable (never reached the function): ${report.changed} decisions change (0 expected, ${report.changed} unexpected; at most 0 unexpected allowed)`);
    expect(text.stdout).toContain(`  allow -> deny ×${perCert(legacy[0])}: C=US, O=Example Corp, CN=${legacy[0].cn}, serial ${legacy[0].leaf.serialNumber}, issuer C=US, O=Example Corp, CN=Example Corp Client CA`);
    expect(text.stdout).toContain(`  not replayable: ${untrusted} × Failed:ClientCertUntrusted (the function was not run)`);
    expect(text.stdout).toMatch(/replayed connections lack what no log carries: clientCertificate.certificates.leaf.sha256Fingerprint, /);
    expect(fs.readFileSync(htmlFile, 'utf8')).toContain('Replay of connection logs');

    // deploy refuses it before anything is applied or published.
    const refused = await p.cli('deploy', 'dev');
    expect(`${refused.code}\n${refused.stdout}${refused.stderr}`).toMatch(/^1\n/);
    expect(refused.stdout).toMatch(/dev: refused: the candidate changes \d+ logged decisions beyond the expected ones, over replay.maxChangedDecisions 0 \(allow -> deny ×\d+: C=US, O=Example Corp, CN=legacy-/);
    expect((await readFunctionStage(p.cf(), o.functionId, 'LIVE')).sha256).toBe(verified);
    expect((await readFunctionStage(p.cf(), o.functionId, 'DEVELOPMENT')).sha256).toBe(devBefore);
    expect(readLedger(path.join(p.dir, '.conngate', 'ledger.jsonl')).at(-1)).toMatchObject({ event: 'refused', stage: 'dev' });
    const html = fs.readFileSync(refused.stdout.match(/html: +(\S+)/)?.[1] ?? path.join(p.dir, '.conngate', 'reports', 'dev.html'), 'utf8');
    expect(html).toContain('Replay of connection logs');
    expect(html).toContain(legacy[0].leaf.serialNumber);
    const md = fs.readFileSync(refused.stdout.match(/evidence: +(\S+)/)![1], 'utf8');
    expect(md).toMatch(/\*\*replay of connection logs\*\*: \d+ changed decisions/);
    expect(md).toContain(`| allow | deny | ${perCert(legacy[0])} | C=US, O=Example Corp, CN=${legacy[0].cn} | ${legacy[0].leaf.serialNumber} | **unexpected** |`);

    // The outputs only select: before the apply, an outputs file naming another distribution, whose logged records
    // change nothing, cannot narrow the gate to them. CloudFront does not confirm it, so every record is judged.
    const forgedDistribution = 'EFORGED0000001';
    const s3 = createS3Client({ endpoint: p.emulator.endpoint, region: 'us-east-1' });
    const quiet = logLines(fx, 300, undefined, forgedDistribution).filter((l) => !l.includes('CN=legacy-'));
    await s3.send(new PutObjectCommand({ Bucket: 'conngate-connection-logs', Key: 'cloudfront/E1NXS4MQZH501R/2026/12/06/02/c.jsonl', Body: quiet.join('\n') }));
    s3.destroy();
    const outputsFile = path.join(p.dir, '.conngate', 'outputs.json');
    const realOutputs = fs.readFileSync(outputsFile, 'utf8');
    fs.writeFileSync(outputsFile, realOutputs.split(o.distributionId!).join(forgedDistribution));
    const narrowed = await p.cli('deploy', 'dev');
    fs.writeFileSync(outputsFile, realOutputs);
    expect(`${narrowed.code}\n${narrowed.stdout}${narrowed.stderr}`).toMatch(/^1\n/);
    expect(narrowed.stdout + narrowed.stderr).toMatch(/replaying the records of every distribution: .*names distribution EFORGED0000001, which does not exist/);
    expect(narrowed.stdout).toMatch(/dev: refused: the candidate changes \d+ logged decisions beyond the expected ones/);
    expect((await readFunctionStage(p.cf(), o.functionId, 'LIVE')).sha256).toBe(verified);

    // The expected-changes file lists all but one legacy serial: still one over; with all of them, accepted.
    const expectedFile = path.join(p.dir, 'expected-changes.json');
    const entries = legacy.map((c) => ({ serial: c.leaf.serialNumber.replace(/:/g, '').toUpperCase(), live: 'allow', candidate: 'deny', why: 'legacy clients retired' }));
    fs.writeFileSync(expectedFile, JSON.stringify({ format: 'conngate-replay-expected/1', changes: entries.slice(1) }));
    writeConfig({ logs, maxChangedDecisions: perCert(legacy[0]) - 1, expected: 'expected-changes.json' });
    expect((await p.cli('deploy', 'dev')).code).toBe(1);
    writeConfig({ logs, maxChangedDecisions: perCert(legacy[0]), expected: 'expected-changes.json' });
    const within = await p.cli('deploy', 'dev');
    expect(`${within.code}\n${within.stdout}${within.stderr}`).toMatch(/^0\n/);
    expect((await readFunctionStage(p.cf(), o.functionId, 'LIVE')).sha256).toBe(candidateSha256(Buffer.from(candidate)));
  });

  it('bad input is one line and exit 2: logs that are not there, a malformed expected-changes file, logs without a record', async () => {
    const missing = await p.cli('replay', 'dev', '--logs', path.join(p.dir, 'no-such-logs'));
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^conngate: .*no-such-logs: no such log file or folder \(fix: /)]);
    const bad = path.join(p.dir, 'bad-expected.json');
    fs.writeFileSync(bad, JSON.stringify({ format: 'conngate-replay-expected/1', changes: [{ live: 'allow', candidate: 'deny' }] }));
    const malformed = await p.cli('replay', 'dev', '--expected', bad);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/^conngate: .*bad-expected.json changes.0: names no connection: give serial, issuer or subject \(fix: /);
    const foreign = await p.cli('replay', 'dev', '--logs', 's3://conngate-connection-logs/elsewhere/');
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(/holds no connection-log records \(1 file, 1 unreadable line; the first: s3:\/\/conngate-connection-logs\/elsewhere\/c.jsonl:1: is not a JSON record/);
    // The outputs only select: an outputs file naming another function is refused before anything is read or run.
    const real = JSON.parse(fs.readFileSync(path.join(p.dir, '.conngate', 'outputs.json'), 'utf8'));
    const forged = JSON.parse(JSON.stringify(real).split(p.outputs().read('dev')!.functionId).join('cf_notTheStageFunction0000000'));
    const forgedFile = path.join(p.dir, 'forged-outputs.json');
    fs.writeFileSync(forgedFile, JSON.stringify(forged));
    const wrong = await p.cli('replay', 'dev', '--outputs', forgedFile);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^conngate: dev: identity: refused: .*forged-outputs\.json names function .*cf_notTheStageFunction0000000/)]);

    // The gate with logs that are not there: one line, exit 2, and the new candidate is neither applied nor published.
    const o = p.outputs().read('dev')!;
    const dev = (await readFunctionStage(p.cf(), o.functionId, 'DEVELOPMENT')).sha256;
    const live = (await readFunctionStage(p.cf(), o.functionId, 'LIVE')).sha256;
    fs.appendFileSync(p.fnFile, '\n// another candidate\n');
    writeConfig({ logs: 'no-such-logs' });
    const gate = await p.cli('deploy', 'dev');
    expect(gate.code).toBe(2);
    expect(gate.stderr).toMatch(/^conngate: .*no-such-logs: no such log file or folder \(fix: /m);
    expect((await readFunctionStage(p.cf(), o.functionId, 'DEVELOPMENT')).sha256).toBe(dev);
    expect((await readFunctionStage(p.cf(), o.functionId, 'LIVE')).sha256).toBe(live);
  });
});
