import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCloudFrontClient, createKvsClient } from '../../aws/clients';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { candidateSha256 } from '../../orchestrator/candidate';
import { stageSpecsFrom } from '../../orchestrator/commands/pipeline-options';
import { prepareWorkdir } from '../../orchestrator/demo/demo-workdir';
import { readFunctionStage } from '../../orchestrator/function-stages';
import { InterruptGuard } from '../../orchestrator/interrupt-guard';
import { LocalApplier } from '../../orchestrator/local-apply/local-applier';
import { OutputsStore } from '../../orchestrator/outputs-store';
import { runStagePipeline, type PipelineContext } from '../../orchestrator/pipeline';
import { silentProgress, type Progress } from '../../orchestrator/progress';
import { RateLimiter } from '../../orchestrator/rate-limiter';
import { loadStageConfigs } from '../../stacks/stage-config';
import { PROJECT_DIR, runCli } from '../support/conngate-cli';

jest.setTimeout(300_000);

describe('pipeline safety: rollback, concurrent deploys, lost races', () => {
  let emulator: RunningEmulator;
  let dir: string;
  let fnFile: string;
  const cli = (...args: string[]) => runCli([...args, '--dir', dir, '--endpoint', emulator.endpoint]);
  const cf = () => createCloudFrontClient({ endpoint: emulator.endpoint, region: 'us-east-1' });
  const outputs = () => new OutputsStore(path.join(dir, '.conngate', 'outputs.json'));
  const live = async () => readFunctionStage(cf(), outputs().read('dev')!.functionId, 'LIVE');

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-safety-'));
    prepareWorkdir(PROJECT_DIR, dir);
    fnFile = path.join(dir, 'functions', 'revocation-check.js');
    const first = await cli('deploy', 'dev');
    expect(`${first.code} ${first.stdout} ${first.stderr}`).toMatch(/^0 /);
  });
  afterAll(async () => {
    await emulator?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('rolls LIVE back to the previous code when LIVE verification fails, and fails loudly', async () => {
    const previous = (await live()).sha256;
    fs.appendFileSync(fnFile, '\n// candidate that LIVE will reject\n');
    emulator.setFaults({ failLiveTestRate: 1 });
    const r = await cli('deploy', 'dev');
    emulator.setFaults({});
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/dev: rolled-back: .*cases failed in LIVE.*LIVE was rolled back to [0-9a-f]{12}/);
    expect((await live()).sha256).toBe(previous);
  });

  it('two deploys of the same stage at once: one publishes, the other refuses clearly and changes nothing', async () => {
    fs.appendFileSync(fnFile, '\n// concurrent candidate\n');
    const candidate = candidateSha256(fs.readFileSync(fnFile));
    const [a, b] = await Promise.all([cli('deploy', 'dev'), cli('deploy', 'dev')]);
    const codes = [a.code, b.code].sort();
    expect(codes).toEqual([0, 1]);
    const loser = a.code === 1 ? a : b;
    expect(loser.stderr.trim().split('\n').at(-1)).toMatch(/another conngate run \(pid \d+.*\) is working on stage "dev"/);
    expect((await live()).sha256).toBe(candidate);
  });

  it('a publish that loses the ETag race (DEVELOPMENT changed after testing) publishes nothing', async () => {
    fs.appendFileSync(fnFile, '\n// racing candidate\n');
    const before = (await live()).sha256;
    const configs = loadStageConfigs(dir);
    const client = cf();
    const stateDir = path.join(dir, '.conngate');
    // Another writer (a second pipeline's apply) moves the DEVELOPMENT ETag the moment this one starts publishing:
    // the emulator's concurrent-write fault does exactly that before the next conditional request.
    const progress: Progress = {
      ...silentProgress,
      start: (text) => { if (/publishing/.test(text)) emulator.setFaults({ concurrentWriteRate: 1 }); },
    };
    const ctx: PipelineContext = {
      cf: client, stages: stageSpecsFrom(configs), outputs: outputs(), limiter: new RateLimiter({ concurrency: 4, ratePerSecond: 0 }),
      stateDir, progress, liveSuite: 'smoke', interrupt: new InterruptGuard(), wait: { intervalMs: 50 },
    };
    const applier = new LocalApplier({ cf: client, kvs: createKvsClient({ endpoint: emulator.endpoint, region: 'us-east-1' }), cwd: dir,
      outdir: path.join(stateDir, 'cdktf.out'), stateDir });
    await expect(runStagePipeline(ctx, 'dev', applier)).rejects.toThrow(/DEVELOPMENT ETag of .* changed after it was tested.*nothing was published/);
    emulator.setFaults({});
    expect((await live()).sha256).toBe(before);
  });
});
