import type { ConnectionRunResult } from '../runtime/types';
import type { SuiteProperty } from '../runtime/suite';
import { conditionHolds, leafRevoked, type ConditionContext } from './declared-properties';

/** The properties every run checks unless switched off (docs/fuzz.md). */
export const BUILT_IN_PROPERTIES = ['no-throw', 'time-budget', 'memory-budget', 'revoked-denied', 'deterministic'] as const;
export type BuiltInProperty = typeof BUILT_IN_PROPERTIES[number];

/** Why a connection broke a property. */
export interface PropertyFailure { property: string; reason: string }

/** The property an error result breaks: the runtime's messages say which limit stopped a run. */
function errorProperty(message: string): BuiltInProperty {
  if (/^exceeded the execution time limit/.test(message)) return 'time-budget';
  if (/^exceeded the memory limit/.test(message)) return 'memory-budget';
  if (/^non-deterministic/.test(message)) return 'deterministic';
  return 'no-throw';
}

export interface Judge {
  enabled: ReadonlySet<string>;
  declared: SuiteProperty[];
  context: ConditionContext;
}

/** The first enabled property a run broke, or undefined. An error counts as "not allowed" for the decision properties. */
export function judge(j: Judge, connection: Record<string, unknown>, run: Pick<ConnectionRunResult, 'decision' | 'errorMessage'>): PropertyFailure | undefined {
  if (run.decision === 'error') {
    const property = errorProperty(run.errorMessage ?? '');
    if (j.enabled.has(property)) return { property, reason: run.errorMessage ?? 'the function failed' };
  }
  if (j.enabled.has('revoked-denied') && run.decision === 'allow' && leafRevoked(connection, j.context.revoked)) {
    return { property: 'revoked-denied', reason: 'the leaf\'s serial is in the revoked set, and the function allowed the connection' };
  }
  for (const p of j.declared) {
    if (!j.enabled.has(p.name)) continue;
    const met = p.expect === 'allow' ? run.decision === 'allow' : run.decision !== 'allow';
    if (!met && conditionHolds(p.when, connection, j.context)) {
      return { property: p.name, reason: `expected ${p.expect}, got ${run.decision}${run.errorMessage ? ` (${run.errorMessage})` : ''}` };
    }
  }
  return undefined;
}
