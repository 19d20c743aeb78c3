import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectionFromLogRecord } from '../../connection-logs/connection-from-log';
import { replayFromLogs } from '../../orchestrator/replay/stage-replay';
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
