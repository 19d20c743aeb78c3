import * as fs from 'node:fs';
import * as path from 'node:path';
import { candidateSha256 } from '../../orchestrator/stage/candidate';
import { setupPipeline } from '../../setup/pipeline-setup';
import { readLedger } from '../../orchestrator/evidence/evidence';
import { runStagePipeline } from '../../orchestrator/pipeline/pipeline';
import { silentProgress, type Progress } from '../../orchestrator/reports/progress';
import { NothingPublished } from '../../orchestrator/stage/step-error';
import { TEST_EVIDENCE_KEY, useEmulatorProject } from '../support/emulator-project';

process.env.CONNGATE_EVIDENCE_KEY = TEST_EVIDENCE_KEY;

jest.setTimeout(300_000);

describe('pipeline safety: rollback, concurrent deploys, lost races', () => {
  const p = useEmulatorProject('conngate-safety');
  const { cli } = p;
  const live = () => p.live('dev');

  beforeAll(async () => {
    const first = await cli('deploy', 'dev');
    expect(`${first.code} ${first.stdout} ${first.stderr}`).toMatch(/^0 /);
  });

  it('rolls LIVE back to the previous code when LIVE verification fails, and fails loudly', async () => {
    const previous = (await live()).sha256;
    fs.appendFileSync(p.fnFile, '\n// candidate that LIVE will reject\n');
    p.emulator.setFaults({ failLiveTestRate: 1 });
    const r = await cli('deploy', 'dev');
    p.emulator.setFaults({});
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/dev: rolled-back: .*cases failed in LIVE.*LIVE was rolled back to [0-9a-f]{12}/);
    expect((await live()).sha256).toBe(previous);
  });

  it('two deploys of the same stage at once: one publishes, the other refuses clearly and changes nothing', async () => {
    fs.appendFileSync(p.fnFile, '\n// concurrent candidate\n');
    const candidate = candidateSha256(fs.readFileSync(p.fnFile));
    const [a, b] = await Promise.all([cli('deploy', 'dev'), cli('deploy', 'dev')]);
    const codes = [a.code, b.code].sort();
    expect(codes).toEqual([0, 1]);
    const loser = a.code === 1 ? a : b;
    expect(loser.stderr.trim().split('\n').at(-1)).toMatch(/another conngate run \(pid \d+.*\) is working on stage "dev"/);
    expect((await live()).sha256).toBe(candidate);
  });

  it('a publish that loses the ETag race (DEVELOPMENT changed after testing) publishes nothing', async () => {
    fs.appendFileSync(p.fnFile, '\n// racing candidate\n');
    const before = (await live()).sha256;
    // The same setup the CLI builds, with a progress hook: another writer (a second pipeline's apply) moves the
    // DEVELOPMENT ETag the moment this run starts publishing; the emulator's concurrent-write fault does exactly
    // that before the next conditional request.
    const setup = setupPipeline({ endpoint: p.emulator.endpoint, dir: p.dir, stateDir: '.conngate', concurrency: '4', rate: '0', liveSuite: 'smoke', quiet: true });
    const progress: Progress = {
      ...silentProgress,
      start: (text) => { if (/publishing/.test(text)) p.emulator.setFaults({ concurrentWriteRate: 1 }); },
    };
    const ctx = { ...setup.ctx, progress, wait: { intervalMs: 50 } };
    const applier = setup.makeApplier();
    const err = await runStagePipeline(ctx, 'dev', applier).then(() => undefined, (e: unknown) => e);
    p.emulator.setFaults({});
    // Known by its type: the pipeline ends it as failed, without a rollback of a publish that never happened.
    expect(err).toBeInstanceOf(NothingPublished);
    expect((err as Error).message).toMatch(/DEVELOPMENT ETag of .* changed after it was tested.*nothing was published/);
    expect(readLedger(path.join(p.dir, '.conngate', 'ledger.jsonl')).at(-1)).toMatchObject({ event: 'failed', detail: expect.stringMatching(/changed after it was tested/) });
    expect((await live()).sha256).toBe(before);
  });
});
