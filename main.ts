// cdktf app: one stack per stage from the stage config (conngate.config.json or the dev/staging/prod defaults),
// each with the stage name as stack id, so `cdktf deploy staging` deploys exactly that stage.
import { App } from 'cdktf';
import { loadStageConfigs } from './stacks/stage-config';
import { StageStack } from './stacks/stage-stack';

const app = new App();
for (const config of loadStageConfigs(process.cwd())) {
  new StageStack(app, config);
}
app.synth();
