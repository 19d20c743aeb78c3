import { Node } from 'constructs';

/**
 * Which stages to synthesize WITHOUT the distribution's connection-function association. Only a LIVE function can
 * be associated, so a new stage goes apply (no association) -> test -> publish -> apply (with association).
 *
 * The switch is read from the environment variable CONNGATE_UNASSOCIATED_STAGES (a comma-separated list of stage
 * names), and also from the cdktf context key "conngate:unassociatedStages" for apps built in code. The environment
 * variable is the one to use with the cdktf CLI: `cdktf synth/deploy` replaces CDKTF_CONTEXT_JSON with cdktf.json's
 * "context" whenever that key exists, so context passed on the command line never reaches the app.
 */
export const UNASSOCIATED_STAGES_ENV = 'CONNGATE_UNASSOCIATED_STAGES';
export const UNASSOCIATED_STAGES_CONTEXT_KEY = 'conngate:unassociatedStages';

/** The stage names listed in a switch value (comma-separated string or array). */
export function unassociatedStagesFrom(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value.map(String) : String(value).split(',');
  return items.map((s) => s.trim()).filter((s) => s !== '');
}

/** True when the environment or the construct tree's context says to leave `stage`'s association out. */
export function isStageUnassociated(node: Node, stage: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return unassociatedStagesFrom(env[UNASSOCIATED_STAGES_ENV]).includes(stage)
    || unassociatedStagesFrom(node.tryGetContext(UNASSOCIATED_STAGES_CONTEXT_KEY)).includes(stage);
}

/** The environment that makes `cdktf synth` / `cdktf deploy` leave `stages`' association out. */
export function unassociatedStagesEnv(stages: string[]): Record<string, string> {
  return { [UNASSOCIATED_STAGES_ENV]: stages.join(',') };
}
