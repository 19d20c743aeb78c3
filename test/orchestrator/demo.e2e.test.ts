import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readLedger } from '../../orchestrator/evidence/evidence';
import { runCli } from '../support/conngate-cli';

jest.setTimeout(300_000);

// The README's main job, as a user runs it: everything against the embedded emulator, no AWS.
describe('conngate demo (the main job)', () => {
  it('runs dev -> staging -> prod, stops the broken candidate, and writes the report and ledger', async () => {
    const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-demo-'));
    try {
      const r = await runCli(['demo', '--workdir', workdir]);
      expect(`${r.code}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`).toMatch(/^0\n/);
      expect(r.stdout).toMatch(/✔ demo complete: (\d+)\/\1 checks passed/);
      for (const act of ['Deploy dev', 'Promote dev -> staging', 'Promote staging -> prod', 'A broken candidate']) expect(r.stdout).toContain(act);
      const html = fs.readFileSync(path.join(workdir, 'report.html'), 'utf8');
      expect(html).toMatch(/<h2>Stages<\/h2>/);
      expect(html).toContain('failed-development');
      expect(html).toContain('refused');
      // Real TLS clients through the local edge, and the connection log they left, linked from the report.
      expect(r.stdout).toContain('Real TLS clients through the local edge');
      const logDir = path.join(workdir, 'connection-logs');
      const logs = fs.readdirSync(logDir).filter((f) => f.endsWith('.jsonl'));
      expect(logs).toHaveLength(1);
      const records = fs.readFileSync(path.join(logDir, logs[0]), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(records.map((rec) => rec.connectionStatus)).toEqual(['Success', 'Failed:ConnectionFunctionDenied', 'Failed:ClientCertExpired', 'Failed:ClientCertUntrusted']);
      expect(records[1].clientLeafCertSerialNumber).toBe('00:9f:3a:c0:ff:ee:51:d2:e8');
      expect(html).toContain(`href="connection-logs/${logs[0]}"`);
      // The broken candidate replayed against those logs: exactly the revoked client's decision changes.
      expect(r.stdout).toMatch(/deny -> allow ×1: C=US, O=Demo Corp, CN=laptop-lost\.demo\.example, serial 00:9f:3a:c0:ff:ee:51:d2:e8/);
      expect(r.stdout).toContain('✔ replay: the broken candidate changes exactly the revoked client\'s decision: 2 of 4 logged connections replayed');
      expect(html).toContain('<h2>Replays</h2>');
      expect(r.stdout).toContain(`connection log (local edge): ${path.join(logDir, logs[0])}`);
      const ledger = readLedger(path.join(workdir, '.conngate', 'ledger.jsonl'));
      expect(ledger.map((e) => `${e.stage}:${e.event}`)).toEqual([
        'dev:verified', 'staging:verified', 'prod:verified', 'dev:failed', 'staging:refused', 'dev:verified',
      ]);
    } finally {
      fs.rmSync(workdir, { recursive: true, force: true });
    }
  });
});
