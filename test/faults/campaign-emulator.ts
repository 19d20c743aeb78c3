import { startEmulator, type RunningEmulator } from '../../emulator';
import { CampaignProject } from './campaign-project';

/** A campaign project connected to its own emulator, both made before the file's tests and removed after them. */
export interface CampaignOnEmulator {
  readonly p: CampaignProject;
  readonly emulator: RunningEmulator;
}

/**
 * Registers the `beforeAll`/`afterAll` pair that makes a `CampaignProject` (see `CampaignProject.create` for
 * `stageNames`), starts an emulator on a free port, connects the project to it, and closes and removes both after
 * the tests. Call it in a describe (or at the top of a file); read `p` and `emulator` inside the tests.
 */
export function campaignOnEmulator(prefix: string, stageNames?: string[]): CampaignOnEmulator {
  const env = {} as { p: CampaignProject; emulator: RunningEmulator };
  beforeAll(async () => {
    env.p = await CampaignProject.create(prefix, stageNames);
    env.emulator = await startEmulator({ port: 0 });
    env.p.connect(env.emulator.endpoint);
  });
  afterAll(async () => {
    await env.emulator?.close();
    env.p?.remove();
  });
  return env;
}
