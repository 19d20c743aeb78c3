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
      const ledger = readLedger(path.join(workdir, '.conngate', 'ledger.jsonl'));
      expect(ledger.map((e) => `${e.stage}:${e.event}`)).toEqual([
        'dev:verified', 'staging:verified', 'prod:verified', 'dev:failed', 'staging:refused', 'dev:verified',
      ]);
    } finally {
      fs.rmSync(workdir, { recursive: true, force: true });
    }
  });
});
