// cdktf app: one conngate stage stack per stage in conngate.config.json (stack id = stage name, so
// `cdktf deploy dev` deploys exactly that stage). To add stacks of your own, pass your App:
//   const app = new App(); new MyStack(app, 'mine'); synthStages({ app });
import { synthStages } from 'conngate';

synthStages();
