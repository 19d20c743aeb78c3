import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { createCloudFrontClient } from '../../aws/clients';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { prepareWorkdir } from '../../demo/demo-workdir';
import { readFunctionStage, type FunctionStageState } from '../../orchestrator/stage/function-stages';
import { OutputsStore } from '../../orchestrator/stage/outputs-store';
import { PROJECT_DIR, runCli, type CliResult } from './conngate-cli';

/** The HMAC evidence key the tests' pipelines sign with (a test-only secret). */
export const TEST_EVIDENCE_KEY = 'conngate-test-evidence-key-not-secret';

/** A scratch cdktf project wired to an in-process emulator, with the CLI and SDK views a test needs. */
export interface EmulatorProject {
  readonly emulator: RunningEmulator;
  readonly dir: string;
  /** The stage's connection function source in the scratch project. */
  readonly fnFile: string;
  /** `conngate <args> --dir <project> --endpoint <emulator>`, with the test evidence key in the environment */
  cli(...args: string[]): Promise<CliResult>;
  cf(): CloudFrontClient;
  outputs(): OutputsStore;
  live(stage: string): Promise<FunctionStageState>;
}

/** Registers beforeAll/afterAll that start the emulator and make the project, and tear both down. */
export function useEmulatorProject(prefix: string): EmulatorProject {
  let emulator: RunningEmulator;
  let dir: string;
  const project: EmulatorProject = {
    get emulator() { return emulator; },
    get dir() { return dir; },
    get fnFile() { return path.join(dir, 'functions', 'revocation-check.js'); },
    cli: (...args) => runCli([...args, '--dir', dir, '--endpoint', emulator.endpoint], { env: { CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY } }),
    cf: () => createCloudFrontClient({ endpoint: emulator.endpoint, region: 'us-east-1' }),
    outputs: () => new OutputsStore(path.join(dir, '.conngate', 'outputs.json')),
    live: (stage) => readFunctionStage(project.cf(), project.outputs().read(stage)!.functionId, 'LIVE'),
  };
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    prepareWorkdir(PROJECT_DIR, dir);
  });
  afterAll(async () => {
    await emulator?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return project;
}
