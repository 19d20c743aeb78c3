// cdktf app: one stack per stage from the stage config (conngate.config.json or the dev/staging/prod defaults),
// each with the stage name as stack id, so `cdktf deploy staging` deploys exactly that stage.
import { App } from 'cdktf';
import { isUserError } from './diagnostics/user-error';
import { loadStageConfigs } from './stacks/stage-config';
import { StageStack } from './stacks/stage-stack';

try {
  const app = new App();
  for (const config of loadStageConfigs(process.cwd())) {
    new StageStack(app, config);
  }
  app.synth();
} catch (err) {
  // A bad config or function file is the user's to fix: one line, not a stack trace.
  if (!isUserError(err)) throw err;
  process.stderr.write(`conngate: ${err.message}\n`);
  process.exit(err.exitCode);
}
