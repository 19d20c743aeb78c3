import { App } from 'cdktf';
import { isUserError } from '../diagnostics/user-error';
import { loadStageConfigs } from './stage-config';
import { StageStack } from './stage-stack';

/**
 * The whole cdktf app of a conngate project: one StageStack per stage of the stage config in `cwd`, each with the
 * stage name as stack id (so `cdktf deploy staging` deploys exactly that stage), then synthesized. A bad config or
 * function file is the user's to fix, so it ends the process with one `conngate: ...` line and exit 2 rather than a
 * stack trace; pass `app` to add stacks of your own before calling this.
 */
export function synthStages(opts: { app?: App; cwd?: string } = {}): StageStack[] {
  try {
    const app = opts.app ?? new App();
    const stacks = loadStageConfigs(opts.cwd ?? process.cwd()).map((config) => new StageStack(app, config));
    app.synth();
    return stacks;
  } catch (err) {
    if (!isUserError(err)) throw err;
    process.stderr.write(`conngate: ${err.message}\n`);
    process.exit(err.exitCode);
  }
}
