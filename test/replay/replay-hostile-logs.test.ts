import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { connectionFromLogRecord } from '../../connection-logs/connection-from-log';
import { MAX_GZIP_RATIO, readConnectionLog, type ConnectionLogLine } from '../../connection-logs/connection-log-reader';
import { replayFromLogs } from '../../orchestrator/replay/stage-replay';
import { MAX_SHOWN_CHARS, replayConnectionLogs } from '../../orchestrator/replay/connection-log-replay';
import { replaySection } from '../../orchestrator/reports/html-report';
import { UserError } from '../../diagnostics/user-error';
import { stopSandboxWorkers } from '../../runtime';
import { logLines, makeLogFixture, type LogFixture } from '../support/connection-log-fixture';

jest.setTimeout(60_000);

const LIVE = fs.readFileSync(path.join(__dirname, '..', '..', 'functions', 'revocation-check.js'), 'utf8');
/** A candidate that changes every decision LIVE would allow: any replayed connection shows it. */
const DENY_ALL = 'function connectionHandler(connection) { connection.deny(); }';

let fx: LogFixture;
let dir: string;
beforeAll(async () => {
  fx = await makeLogFixture({ count: 4, foreign: 0, revokedEvery: 100 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-replay-hostile-'));
});
afterAll(() => {
  stopSandboxWorkers();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A log file whose records are the fixture's handshakes with `connectionStatus` replaced. */
function logWithStatus(name: string, status: (i: number) => string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, logLines(fx, 12).map((l, i) => JSON.stringify({ ...JSON.parse(l), connectionStatus: status(i) })).join('\n') + '\n');
  return file;
}

describe('replay gate: logs written by anyone who can write to the bucket', () => {
  it('refuses, as bad input, logs whose records all spell their status so that none is replayed', async () => {
    for (const status of ['success', 'Success ', 'Failed:ClientCertUntrusted', 'constructor']) {
      const logs = logWithStatus('skipped.jsonl', () => status);
      const run = replayFromLogs({ liveCode: LIVE, candidateCode: DENY_ALL, store: fx.store, logs });
      await expect(run).rejects.toThrow(UserError);
      await expect(run).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/holds 12 connection-log records but none reached the connection function \(12 × .*\): the replay judged nothing \(fix: /) });
    }
  });

  it('still judges logs where some records reached the function, and counts the others', async () => {
    const logs = logWithStatus('mixed.jsonl', (i) => (i === 5 ? 'Success' : 'success'));
    const r = await replayFromLogs({ liveCode: LIVE, candidateCode: DENY_ALL, store: fx.store, logs });
    expect(r).toMatchObject({ records: 12, replayed: 1, changed: 1, verdict: 'over-limit', notReplayable: { total: 11 } });
  });

  it('does not take a status named like an Object.prototype member for one that reached the function', () => {
    for (const status of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(connectionFromLogRecord({ connectionStatus: status, clientLeafCertSerialNumber: '01' })).toEqual({ replayable: false, reason: 'unknown connectionStatus' });
    }
  });
});

describe('connection-log reader: a gzip bomb in the logs', () => {
  const GOOD = JSON.stringify({ eventTimestamp: 1731620046814, connectionStatus: 'Success', clientLeafCertSerialNumber: '00:b1:43:ed:93:d2:d8:f3:9d' });
  async function readAll(bytes: Buffer): Promise<ConnectionLogLine[]> {
    const out: ConnectionLogLine[] = [];
    for await (const l of readConnectionLog((async function* () { for (let i = 0; i < bytes.length; i += 64 * 1024) yield bytes.subarray(i, i + 64 * 1024); })(), 'bomb.gz')) out.push(l);
    return out;
  }

  it('stops reading a file that expands more than MAX_GZIP_RATIO times, with one problem line, after the records before it', async () => {
    // 200 MB of newlines in 200 KB: read whole, it would cost minutes of CPU for nothing.
    const bomb = gzipSync(Buffer.concat([Buffer.from(`${GOOD}\n`), Buffer.alloc(200 * 1024 * 1024, 10)]), { level: 9 });
    expect(bomb.length).toBeLessThan(250 * 1024);
    const started = Date.now();
    const lines = await readAll(bomb);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ line: 1, record: { connectionStatus: 'Success' } });
    expect(lines[1]).toMatchObject({ problem: `cannot be read: expands more than ${MAX_GZIP_RATIO} times (a gzip bomb?): the rest of the file is skipped` });
  });

  it('reads a whole gzipped log of records that compress as well as a delivery without connection ids', async () => {
    let at = 1731620046814;
    const text = Array.from({ length: 50_000 }, (_, i) => JSON.stringify({ eventTimestamp: (at += (i * 7919) % 50), connectionStatus: 'Success', clientIp: '198.51.100.7', clientLeafCertSerialNumber: '00:b1:43:ed:93:d2:d8:f3:9d', clientLeafCertSubject: 'C=US, O=Example Corp, CN=client-0.example.com' })).join('\n');
    const gz = gzipSync(text, { level: 9 });
    expect(text.length / gz.length).toBeGreaterThan(50);
    const lines = await readAll(gz);
    expect(lines.filter((l) => 'record' in l)).toHaveLength(50_000);
  });
});

describe('replay report: 8 KiB names in the logs', () => {
  it('keeps at most MAX_SHOWN_CHARS of each logged name in the report, and still groups and matches on the whole name', async () => {
    const long = (c: string, tail: string) => `${'&\u0001'.repeat(1_200)}${c}${tail}`;
    const records = ['a', 'b', 'b'].map((tail, i) => ({
      connectionStatus: 'Success', clientLeafCertSubject: long('S', tail), clientLeafCertIssuer: long('I', ''), clientLeafCertSerialNumber: long('Z', ''),
      connectionId: long('C', String(i)), clientIp: long('P', String(i)),
    }));
    const logs = (async function* () { yield { name: 'long.jsonl', chunks: (async function* () { yield Buffer.from(records.map((r) => JSON.stringify(r)).join('\n')); })() }; })();
    const r = await replayConnectionLogs({ live: { code: 'function connectionHandler(connection) { connection.allow(); }' }, candidate: { code: DENY_ALL }, store: [], logs, logsName: 'long.jsonl',
      expected: [{ subject: long('S', 'b'), live: 'allow', candidate: 'deny' }] });
    // Subjects that differ only after the part shown are still two groups, and the entry naming one matches it alone.
    expect(r.groups.map((g) => [g.count, g.expected])).toEqual([[2, true], [1, false]]);
    for (const g of r.groups) {
      for (const text of [g.subject, g.issuer, g.serial, ...g.examples.flatMap((e) => [e.connectionId, e.clientIp])]) expect(text!.length).toBeLessThanOrEqual(MAX_SHOWN_CHARS + 1);
    }
    expect(JSON.stringify(r).length).toBeLessThan(20_000);
    expect(replaySection(r).length).toBeLessThan(20_000);
  });
});
