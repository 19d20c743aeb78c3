import * as path from 'node:path';
import { printable } from '../diagnostics/untrusted-text';
import type { FuzzReport } from './fuzz-types';

/** The one object `conngate fuzz --json` prints. Version 1: fields are only ever added. */
export const FUZZ_JSON_SCHEMA = 'conngate.fuzz/1';

export function fuzzJson(r: FuzzReport): Record<string, unknown> {
  return { schema: FUZZ_JSON_SCHEMA, ok: r.finding === undefined, ...r };
}

const rel = (f: string) => path.relative(process.cwd(), f) || f;

/**
 * The command that runs the same cases again. A stage's fuzz step ran against the stage's revoked set, so its
 * command names the stage (`--stage`): without it the sample revoked set would decide the cases differently.
 */
export function replayCommand(r: FuzzReport, stage?: string): string {
  return `conngate fuzz ${rel(r.functionFile)}${stage !== undefined ? ` --stage ${stage}` : ''} --seed ${r.seed} --now ${r.now} --cases ${r.casesRun} --properties ${r.properties.join(',')}`;
}

/**
 * A run as people read it: what ran, and for a finding the seed, the property, the shrunk counterexample and the
 * ready-to-paste suite case. Text the function controls (its error message) is escaped onto one line.
 */
export function fuzzText(r: FuzzReport, stage?: string): string {
  const lines = [
    `fuzz ${rel(r.functionFile)}${r.suiteFile ? ` (suite ${rel(r.suiteFile)})` : ' (no suite)'}: seed ${r.seed}, now ${r.now}`,
    `  properties: ${r.properties.join(', ')}`,
    `  revoked set: ${r.revokedCount} serials from ${r.revokedSource}`,
  ];
  const f = r.finding;
  const rate = r.durationMs > 0 ? Math.round(r.casesRun / (r.durationMs / 1000)).toLocaleString('en-US') : '-';
  if (!f) {
    lines.push(`PASS: no property broken in ${r.casesRun.toLocaleString('en-US')} cases (${(r.durationMs / 1000).toFixed(1)} s, ${rate} cases/s)`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    `FAIL: property ${f.property} broken by case ${f.caseIndex + 1} of ${r.casesRequested} (seed ${r.seed}), shrunk ${f.shrinks} times${f.reproduced ? '' : ' (did not fail again when run alone: shown as first found)'}`,
    `  why: ${printable(f.reason.replace(/[\n\r\t]/g, ' '))}`,
    `  decision: ${f.decision}${f.errorMessage && f.errorMessage !== f.reason ? ` (${printable(f.errorMessage.replace(/[\n\r\t]/g, ' '))})` : ''}`,
    `  replay: ${replayCommand(r, stage)}`,
    `  (fast-check: seed ${f.replay.seed}, path ${f.replay.path})`,
    'counterexample:',
    JSON.stringify(f.counterexample, null, 2),
    `suite case (paste into "cases" of ${r.suiteFile ? rel(r.suiteFile) : 'the function\'s suite'}, or run again with --save):`,
    JSON.stringify(f.suiteCase),
  );
  return `${lines.join('\n')}\n`;
}
