import { Node } from 'constructs';

/**
 * cdktf context key listing the stages whose distribution must be synthesized WITHOUT the connection-function
 * association: a comma-separated string (or a JSON array), passed as CDKTF_CONTEXT_JSON. Only a LIVE function can
 * be associated, so a new stage goes apply (no association) -> test -> publish -> apply (with association).
 */
export const UNASSOCIATED_STAGES_CONTEXT_KEY = 'conngate:unassociatedStages';

/** The stage names listed in the context value. */
export function unassociatedStagesFrom(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value.map(String) : String(value).split(',');
  return items.map((s) => s.trim()).filter((s) => s !== '');
}

/** True when the construct tree's context says to leave `stage`'s association out. */
export function isStageUnassociated(node: Node, stage: string): boolean {
  return unassociatedStagesFrom(node.tryGetContext(UNASSOCIATED_STAGES_CONTEXT_KEY)).includes(stage);
}

/** The CDKTF_CONTEXT_JSON value that synthesizes `stages` without the association (merge into the environment). */
export function unassociatedContextEnv(stages: string[], existing: string | undefined = process.env.CDKTF_CONTEXT_JSON): { CDKTF_CONTEXT_JSON: string } {
  const base = existing ? (JSON.parse(existing) as Record<string, unknown>) : {};
  return { CDKTF_CONTEXT_JSON: JSON.stringify({ ...base, [UNASSOCIATED_STAGES_CONTEXT_KEY]: stages.join(',') }) };
}
