/**
 * Reading a TestConnectionFunction result as a decision. AWS does not publish what ConnectionFunctionOutput holds
 * after allow() or deny(), so this reads it tolerantly and fails closed: anything it cannot read as exactly one of
 * allow / deny is "unreadable", which fails the case and keeps the raw output for the report. It never guesses.
 */
import type { ConnectionFunctionTestResult } from '@aws-sdk/client-cloudfront';
import type { ObservedRun } from '../../runtime/case-judgement';

/** A remote run as judged like a local one, plus the raw output for cases whose output could not be read. */
export interface ObservedResult extends ObservedRun {
  rawOutput: string;
}

const DECISION_KEYS = ['decision', 'action', 'result', 'connectionAction', 'status'];

function decisionWord(v: unknown): 'allow' | 'deny' | undefined {
  if (typeof v !== 'string') return undefined;
  const w = v.trim().toLowerCase();
  if (w === 'allow' || w === 'allowed') return 'allow';
  if (w === 'deny' || w === 'denied') return 'deny';
  return undefined;
}

/** Finds allow/deny in a parsed output: a bare word, or a decision-like field at the top or one level down. */
function findDecision(value: unknown): 'allow' | 'deny' | undefined {
  const direct = decisionWord(value);
  if (direct) return direct;
  if (!value || typeof value !== 'object') return undefined;
  const found = new Set<'allow' | 'deny'>();
  const scan = (obj: Record<string, unknown>) => {
    for (const k of DECISION_KEYS) {
      const d = decisionWord(obj[k]);
      if (d) found.add(d);
    }
  };
  scan(value as Record<string, unknown>);
  for (const v of Object.values(value as Record<string, unknown>)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) scan(v as Record<string, unknown>);
  }
  // Two different answers in one output are as unreadable as none.
  return found.size === 1 ? [...found][0] : undefined;
}

export function readTestResult(result: ConnectionFunctionTestResult | undefined): ObservedResult {
  const rawOutput = result?.ConnectionFunctionOutput ?? '';
  const logs = result?.ConnectionFunctionExecutionLogs ?? [];
  const cu = result?.ComputeUtilization !== undefined ? Number(result.ComputeUtilization) : undefined;
  const computeUtilization = cu !== undefined && Number.isFinite(cu) ? cu : undefined;
  if (!result) return { decision: 'unreadable', message: 'no test result in the response', logs, rawOutput };
  if (result.ConnectionFunctionErrorMessage) {
    return { decision: 'error', message: result.ConnectionFunctionErrorMessage, computeUtilization, logs, rawOutput };
  }
  let parsed: unknown = rawOutput;
  try {
    parsed = JSON.parse(rawOutput);
  } catch {
    // Not JSON: a bare word such as "allow" is still readable.
  }
  const decision = findDecision(parsed);
  if (!decision) {
    return {
      decision: 'unreadable',
      message: `cannot read allow/deny from the output: ${rawOutput === '' ? '(empty)' : JSON.stringify(rawOutput).slice(0, 300)}`,
      computeUtilization, logs, rawOutput,
    };
  }
  return { decision, computeUtilization, logs, rawOutput };
}
