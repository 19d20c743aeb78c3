// {{FRAMEWORK}} app: one conngate stage stack per stage in conngate.config.json (stack id = stage name, so
// `{{FRAMEWORK}} deploy dev` deploys exactly that stage). To add stacks of your own, pass your App:
//   import { App } from '{{FRAMEWORK}}';
//   const app = new App(); new MyStack(app, 'mine'); synthStages({ app });
import { synthStages } from 'conngate';

synthStages();
