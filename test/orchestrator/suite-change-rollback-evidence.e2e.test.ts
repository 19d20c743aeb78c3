import * as fs from 'node:fs';
import * as path from 'node:path';
import { candidateSha256 } from '../../orchestrator/stage/candidate';
import { runStagePipeline } from '../../orchestrator/pipeline/pipeline';
import { campaignOnEmulator } from '../faults/campaign-emulator';

jest.setTimeout(180_000);

/**
 * The stored rollback target passed the suite as it was when it was recorded. After the suite changed, restoring it
 * re-checks it with the whole current suite, not just the smoke cases: otherwise code that has just failed the new
 * suite would be signed "passed" for it, and that evidence would open the next stage's gate.
 */
describe('a rollback target recorded under an older suite', () => {
  const env = campaignOnEmulator('conngate-suite-change', ['dev']);

  it('is not signed as passing a new suite it fails', async () => {
    const { p } = env;
    const first = await runStagePipeline(p.context(), 'dev', p.applier());
    expect(first.outcome).toBe('verified');
    const a = candidateSha256(fs.readFileSync(p.fnFile));

    // The suite gains a (non-smoke) case the LIVE code fails.
    const suiteFile = path.join(p.dir, 'functions', 'revocation-check.suite.json');
    const suite = JSON.parse(fs.readFileSync(suiteFile, 'utf8'));
    suite.cases.push({ name: 'new rule: the valid test certificate is no longer let in', certificate: 'fixtures/client-valid.pem', expect: { decision: 'deny' } });
    fs.writeFileSync(suiteFile, JSON.stringify(suite, null, 2));

    p.freshRunner();
    const r = await runStagePipeline(p.context(), 'dev', p.applier());
    expect(r.outcome).not.toBe('verified');
    expect(await p.liveSha('dev')).toBe(a);
    // A failed the new suite: no evidence may say it passed it.
    expect(await p.liveProblem('dev')).toMatch(/failed|speaks for|suite/);
    expect(await p.liveProblem('dev')).not.toBeUndefined();
  });
});
