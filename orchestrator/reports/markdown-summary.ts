import { shortSha } from '../stage/candidate';
import type { SuiteRunSummary } from '../suite/case-result';
import type { StageRunReport } from './stage-run-report';
import { locationLine } from '../stage/run-location';
import { printable } from '../../diagnostics/untrusted-text';
import { replayCommand } from '../../fuzz/fuzz-text';

const OUTCOME_TEXT: Record<StageRunReport['outcome'], string> = {
  verified: '✅ verified in LIVE',
  'failed-development': '❌ failed in DEVELOPMENT (LIVE unchanged)',
  'rolled-back': '⏪ failed in LIVE, rolled back',
  refused: '⛔ refused by the gate',
  failed: '❌ failed',
};

/** A table cell or inline value from untrusted text (function output, log fields): no pipe, no control or bidi characters. */
const cell = (s: string) => printable(s.replace(/\n/g, ' ')).replace(/\|/g, '\\|');

function suiteTable(s: SuiteRunSummary): string[] {
  const lines = [`**${s.target}**: ${s.passed}/${s.total} passed`, '', '| case | expected | actual | utilization | result |', '|---|---|---|---|---|'];
  for (const r of s.results) {
    lines.push(`| ${cell(r.name)} | ${r.expected} | ${r.actual} | ${r.computeUtilization ?? '-'} | ${r.passed ? 'pass' : `**FAIL**: ${cell(r.message ?? '')}`} |`);
  }
  return lines;
}

/** The fuzz step: what ran, and a broken property's counterexample and suite case (JSON in fenced blocks). */
function fuzzLines(f: NonNullable<StageRunReport['fuzz']>, stage: string): string[] {
  const head = `**fuzz**: ${f.casesRun} generated connections, seed ${f.seed}, properties ${f.properties.join(', ')}; revoked set: ${f.revokedCount} serials from ${cell(f.revokedSource)}`;
  if (!f.finding) return [head, '', 'no property broken'];
  const x = f.finding;
  const fence = (json: unknown) => ['```json', JSON.stringify(json, null, 2).replace(/```/g, '`\u0060`'), '```'];
  return [head, '', `**FAIL**: property \`${x.property}\` broken by case ${x.caseIndex + 1}: ${cell(x.reason)} (shrunk ${x.shrinks} times; replay \`${replayCommand(f, stage)}\`)`,
    '', 'counterexample:', '', ...fence(x.counterexample), '', 'suite case (add it to the suite with `conngate fuzz --save`):', '', ...fence(x.suiteCase)];
}

/** A Markdown summary of one stage run, written for a CI job summary (e.g. $GITHUB_STEP_SUMMARY). */
export function markdownSummary(r: StageRunReport): string {
  const lines = [
    `## conngate: ${r.stage} — ${OUTCOME_TEXT[r.outcome]}`,
    '',
    ...(r.where ? [r.where.endpointKind === 'emulator' ? `> **EMULATOR RUN, NOT AWS**: ${locationLine(r.where)}` : `- where: ${locationLine(r.where)}`, ''] : []),
    `- candidate: \`${r.candidateSha256}\``,
    `- previous LIVE: ${r.previousLiveSha256 ? `\`${shortSha(r.previousLiveSha256)}\`` : r.firstDeploy ? 'none (first deploy)' : 'not read'}`,
    `- suite: \`${shortSha(r.suiteSha256)}\``,
    `- function: ${r.functionName || r.functionId ? `${r.functionName ?? '-'} (${r.functionId ?? '-'})` : 'not reached'}`,
    `- ${cell(r.message)}`,
    '',
    '| step | status | time | detail |',
    '|---|---|---|---|',
    ...r.steps.map((s) => `| ${s.name} | ${s.status === 'failed' ? '**failed**' : s.status} | ${s.durationMs} ms | ${cell(s.detail)} |`),
    '',
  ];
  if (r.replay && r.replay.groups.length > 0) {
    lines.push(`**replay of connection logs**: ${r.replay.changed} changed decisions (${r.replay.unexpectedChanged} unexpected, at most ${r.replay.maxChangedDecisions} allowed)`, '',
      '| LIVE | candidate | connections | subject | serial | allowed |', '|---|---|---|---|---|---|',
      ...r.replay.groups.slice(0, 20).map((g) => `| ${g.live} | ${g.candidate} | ${g.count} | ${cell(g.subject ?? 'no certificate')} | ${cell(g.serial ?? '-')} | ${g.expected ? 'expected' : '**unexpected**'} |`), '');
  }
  if (r.development) lines.push(...suiteTable(r.development), '');
  if (r.fuzz) lines.push(...fuzzLines(r.fuzz, r.stage), '');
  if (r.live) lines.push(...suiteTable(r.live), '');
  return lines.join('\n');
}
