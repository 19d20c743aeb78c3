import * as fs from 'node:fs';
import * as path from 'node:path';
import { replayConnectionLogs } from '../../orchestrator/replay/connection-log-replay';
import type { LogFile } from '../../orchestrator/replay/log-sources';
import { stopSandboxWorkers } from '../../runtime';
import { replaySection } from '../../orchestrator/reports/html-report';
import { replayGroupLine } from '../../orchestrator/replay/stage-replay';
import { logLines, makeLogFixture, type LogFixture } from '../support/connection-log-fixture';

jest.setTimeout(60_000);

const LIVE = fs.readFileSync(path.join(__dirname, '..', '..', 'functions', 'revocation-check.js'), 'utf8');
/** The candidate: LIVE plus a rule that denies every `legacy-` client, a known subset of the certificates. */
const CANDIDATE = LIVE.replace('  const serial = canonicalSerial(leaf.serialNumber);',
  "  if (/CN=legacy-/.test(leaf.subject)) { connection.deny(); return; }\n  const serial = canonicalSerial(leaf.serialNumber);");

async function* oneLog(name: string, text: string | Buffer): AsyncGenerator<LogFile> {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  yield { name, chunks: (async function* () { for (let i = 0; i < bytes.length; i += 64 * 1024) yield bytes.subarray(i, i + 64 * 1024); })() };
}

let fx: LogFixture;
beforeAll(async () => {
  fx = await makeLogFixture({ count: 40, foreign: 4, revokedEvery: 7, cnOf: (i) => (i % 10 === 3 ? `legacy-${i}.example.com` : `client-${i}.example.com`) });
});
afterAll(() => stopSandboxWorkers());

describe('conngate replay: LIVE against a candidate on recorded handshakes', () => {
  it('replays 10,000 logged handshakes and reports exactly the connections whose decision the candidate changes', async () => {
    expect(CANDIDATE).not.toBe(LIVE);
    const lines = logLines(fx, 10_000);
    const r = await replayConnectionLogs({ live: { code: LIVE }, candidate: { code: CANDIDATE }, store: fx.store, logs: oneLog('day.jsonl', lines.join('\n') + '\n'), logsName: 'day.jsonl' });
    const perCert = (i: number) => Math.floor(10_000 / fx.certs.length) + (i < 10_000 % fx.certs.length ? 1 : 0);
    const foreign = fx.certs.map((c, i) => (c.trusted ? 0 : perCert(i))).reduce((a, b) => a + b, 0);
    expect(r.records).toBe(10_000);
    expect(r.problems.total).toBe(0);
    expect(r.notReplayable).toEqual({ total: foreign, byReason: { 'Failed:ClientCertUntrusted (the function was not run)': foreign } });
    expect(r.replayed).toBe(10_000 - foreign);
    // The log was written by this LIVE code and store: the replay agrees with every logged decision.
    expect(r.liveDisagreesWithLog).toBe(0);
    // Exactly the legacy certificates LIVE allowed (the revoked legacy ones were denied before and still are).
    const want = fx.certs.map((c, i) => ({ c, n: perCert(i) })).filter(({ c }) => c.trusted && !c.revoked && c.cn.startsWith('legacy-'));
    expect(want.length).toBeGreaterThan(1);
    expect(r.groups.map((g) => [g.subject, g.serial, g.issuer, g.live, g.candidate, g.count]).sort())
      .toEqual(want.map(({ c, n }) => [c.leaf.subject, c.leaf.serialNumber, c.leaf.issuer, 'allow', 'deny', n]).sort());
    expect(r.changed).toBe(want.reduce((s, w) => s + w.n, 0));
    expect(r.unexpectedChanged).toBe(r.changed);
    expect(r.verdict).toBe('over-limit');
    for (const g of r.groups) {
      expect(g.examples).toHaveLength(3);
      expect(g.examples[0]).toMatchObject({ file: 'day.jsonl', connectionId: expect.stringMatching(/^[A-Za-z0-9_-]{54}==$/) });
    }
    // No log carries the fingerprint, SANs, key or OCSP data: the report says so and invents nothing.
    expect(r.fieldsNoLogCarries).toContain('clientCertificate.certificates.leaf.sha256Fingerprint');
    expect(r.missingFields).toEqual({});
  });

  it('finds no change when the candidate is LIVE, and allows the changes an expected-changes list names', async () => {
    const text = logLines(fx, 2_000).join('\n');
    const same = await replayConnectionLogs({ live: { code: LIVE }, candidate: { code: `${LIVE}\n// reworded\n` }, store: fx.store, logs: oneLog('a', text), logsName: 'a' });
    expect(same).toMatchObject({ changed: 0, verdict: 'no-change' });
    const legacy = fx.certs.filter((c) => c.trusted && !c.revoked && c.cn.startsWith('legacy-'));
    const expected = legacy.slice(1).map((c) => ({ serial: c.leaf.serialNumber.replace(/:/g, '').toUpperCase(), live: 'allow' as const, candidate: 'deny' as const }));
    const r = await replayConnectionLogs({ live: { code: LIVE }, candidate: { code: CANDIDATE }, store: fx.store, logs: oneLog('a', text), logsName: 'a', expected, maxChangedDecisions: 0 });
    const first = r.groups.find((g) => g.serial === legacy[0].leaf.serialNumber)!;
    expect(first.expected).toBe(false);
    expect(r.unexpectedChanged).toBe(first.count);
    expect(r.verdict).toBe('over-limit');
    const all = await replayConnectionLogs({ live: { code: LIVE }, candidate: { code: CANDIDATE }, store: fx.store, logs: oneLog('a', text), logsName: 'a',
      expected: [...expected, { subject: legacy[0].leaf.subject, live: 'allow', candidate: 'deny' }] });
    expect(all).toMatchObject({ unexpectedChanged: 0, verdict: 'within-limit' });
    expect(all.expectedChanged).toBe(r.changed);
  });

  it('with the stage\'s distribution named, replays only its records: another distribution\'s logs cannot hide or add changes', async () => {
    const records = logLines(fx, 400).map((l) => JSON.parse(l));
    const ours = records[0].distributionId as string;
    expect(typeof ours).toBe('string');
    // Every other round of certificates claims another distribution: counted, not replayed.
    const theirs = (i: number) => Math.floor(i / fx.certs.length) % 2 === 1;
    const mixed = records.map((rec, i) => (theirs(i) ? { ...rec, distributionId: 'EOTHERDIST0001' } : rec)).map((rec) => JSON.stringify(rec)).join('\n');
    const all = await replayConnectionLogs({ live: { code: LIVE }, candidate: { code: CANDIDATE }, store: fx.store, logs: oneLog('m', mixed), logsName: 'm' });
    const only = await replayConnectionLogs({ live: { code: LIVE }, candidate: { code: CANDIDATE }, store: fx.store, logs: oneLog('m', mixed), logsName: 'm', distributionId: ours });
    const other = `another distribution's connection (not ${ours})`;
    expect(only.notReplayable.byReason[other]).toBe(records.filter((_, i) => theirs(i)).length);
    // What is judged is exactly the stage's own records: the same as a log holding only those.
    const ownOnly = records.filter((_, i) => !theirs(i)).map((rec) => JSON.stringify(rec)).join('\n');
    const own = await replayConnectionLogs({ live: { code: LIVE }, candidate: { code: CANDIDATE }, store: fx.store, logs: oneLog('o', ownOnly), logsName: 'o' });
    expect(only.replayed).toBe(own.replayed);
    expect(only.changed).toBe(own.changed);
    expect(all.changed).toBeGreaterThan(own.changed);
    expect(only.groups.length).toBeGreaterThan(0);
    for (const g of only.groups) for (const e of g.examples) expect(theirs(e.line - 1)).toBe(false);
  });

  it('reports hostile lines among records by number, escapes hostile names in the HTML, and survives a candidate that never returns', async () => {
    const cert = fx.certs.find((c) => c.trusted && !c.revoked)!;
    const [a, b] = logLines({ ...fx, certs: [cert] }, 2).map((l) => JSON.parse(l));
    const hostile = { ...b, clientLeafCertSubject: 'CN=<script>alert(1)</script>\u001b[2J' };
    const text = [JSON.stringify(a), '{"connectionStatus":"Succ', '\u0000\u0007\u001b]0;x', JSON.stringify(hostile), 'x'.repeat(200_000)].join('\n');
    const r = await replayConnectionLogs({ live: { code: LIVE }, candidate: { code: 'function connectionHandler(c) { for (;;) {} }' }, store: fx.store, logs: oneLog('h', text), logsName: 'h' });
    expect(r.problems.first.map((p) => p.line)).toEqual([2, 3, 5]);
    expect(r).toMatchObject({ replayed: 2, changed: 2, verdict: 'over-limit' });
    expect(r.groups.map((g) => [g.live, g.candidate])).toEqual([['allow', 'error'], ['allow', 'error']]);
    expect(r.groups[0].examples[0].candidateError).toMatch(/time limit|runaway|exceeded/);
    const html = replaySection(r);
    expect(html).toContain('CN=&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    // In the terminal, the same name cannot clear the screen or forge a line.
    const line = replayGroupLine(r.groups.find((g) => g.subject?.includes('<script>'))!);
    expect(line).toContain('CN=<script>alert(1)</script>\\u001b[2J');
    expect(line).not.toMatch(/[\u0000-\u001f]/);
  });

  it('runs each connection at its logged time, and replays a record without certificate fields as one without a certificate, saying so', async () => {
    const cert = fx.certs.find((c) => c.trusted && !c.revoked)!;
    const expiry = LIVE.replace('  const serial = canonicalSerial(leaf.serialNumber);',
      "  if (Date.now() > Date.parse(leaf.validity.notAfter)) { connection.deny(); return; }\n  const serial = canonicalSerial(leaf.serialNumber);");
    const late = JSON.parse(logLines({ ...fx, certs: [cert] }, 1, Date.parse(cert.leaf.validity.notAfter) + 1000)[0]);
    const noCert = { eventTimestamp: Date.now(), connectionStatus: 'Failed:ConnectionFunctionDenied', connectionId: 'x', clientIp: '192.0.2.1' };
    const r = await replayConnectionLogs({ live: { code: LIVE }, candidate: { code: expiry }, store: fx.store, logs: oneLog('t', `${JSON.stringify(late)}\n${JSON.stringify(noCert)}\n`), logsName: 't' });
    expect(r.groups.map((g) => [g.serial, g.live, g.candidate, g.count])).toEqual([[cert.leaf.serialNumber, 'allow', 'deny', 1]]);
    expect(r.missingFields).toEqual({ clientCertificate: 1, endpoint: 1, distributionId: 1 });
    // LIVE allowed the late connection when it was logged (Success), and denies the certificate-less one as logged.
    expect(r.liveDisagreesWithLog).toBe(0);
  });
});
