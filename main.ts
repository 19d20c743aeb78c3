// cdktf app of this repository: exactly what `conngate init` gives a project of its own (templates/project/main.ts),
// importing the sources instead of the installed package.
import './framework/bind-framework';
import { synthStages } from './stacks/synth-stages';

synthStages();
