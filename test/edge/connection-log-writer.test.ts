import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConnectionLogWriter } from '../../edge/connection-log-writer';

/** A flood of handshakes cannot fill the disk: each log file stops at its cap and stays valid JSON lines. */
describe('connection-log writer', () => {
  it('drops records past the file cap (also across restarts), keeps every written line whole, and other files go on', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-logcap-'));
    try {
      const record = (i: number, distributionId = 'E1ABC') => ({ eventTimestamp: i, connectionStatus: 'Success', distributionId, clientLeafCertSubject: 'x'.repeat(100) });
      const cap = 2_000;
      let w = new ConnectionLogWriter(dir, cap);
      let written = 0;
      let dropped = 0;
      for (let i = 0; i < 100; i++) {
        try {
          w.write(record(i));
          written++;
        } catch (e) {
          expect((e as Error).message).toMatch(/is full \(2000 bytes\): record dropped/);
          dropped++;
        }
      }
      expect(written).toBeGreaterThan(5);
      expect(dropped).toBe(100 - written);
      // Another distribution's file has its own budget.
      w.write(record(0, 'E2XYZ'));
      w.close();
      // A restarted edge counts what the file already holds.
      w = new ConnectionLogWriter(dir, cap);
      expect(() => w.write(record(101))).toThrow(/is full/);
      w.close();
      const text = fs.readFileSync(path.join(dir, 'E1ABC.jsonl'), 'utf8');
      expect(text.length).toBeLessThanOrEqual(cap);
      const lines = text.trimEnd().split('\n');
      expect(lines).toHaveLength(written);
      expect(lines.map((l) => JSON.parse(l).eventTimestamp)).toEqual([...Array(written).keys()]);
      expect(fs.readFileSync(path.join(dir, 'E2XYZ.jsonl'), 'utf8').trimEnd().split('\n')).toHaveLength(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
