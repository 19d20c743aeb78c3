import type { ReportedCase } from '../../orchestrator/suite/case-result';
import type { StageRunReport } from '../../orchestrator/pipeline/pipeline';

export type TaskResultStatus = 'running' | 'passed' | 'failed';

/** Messages are short lines; long text is cut, never refused. */
const MAX_MESSAGE = 500;
/** HCP Terraform shows at most 10 outcomes per task result (run tasks integration API, "Outcomes Payload Body"). */
export const MAX_OUTCOMES = 10;

interface Tag { label: string; level: 'none' | 'info' | 'warning' | 'error' }

export interface TaskResultOutcome {
  type: 'task-result-outcomes';
  attributes: { 'outcome-id': string; description: string; body: string; url?: string; tags: Record<string, Tag[]> };
}

/** The JSON:API document PATCHed to task_result_callback_url. */
export interface TaskResultBody {
  data: {
    type: 'task-results';
    attributes: { status: TaskResultStatus; message: string; url?: string };
    relationships?: { outcomes: { data: TaskResultOutcome[] } };
  };
}

function cut(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

export function taskResultBody(status: TaskResultStatus, message: string, url?: string, outcomes?: TaskResultOutcome[]): TaskResultBody {
  return {
    data: {
      type: 'task-results',
      attributes: { status, message: cut(message, MAX_MESSAGE), ...(url ? { url } : {}) },
      ...(outcomes?.length ? { relationships: { outcomes: { data: outcomes.slice(0, MAX_OUTCOMES) } } } : {}),
    },
  };
}

/** Markdown-safe inline text: a case name or message from the suite cannot inject markup into the run page. */
function md(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-!|<>]/g, (c) => `\\${c}`);
}

function caseOutcome(target: string, c: ReportedCase, i: number): TaskResultOutcome {
  const lines = [
    `**${md(target)}** case \`${c.name.replace(/`/g, "'")}\`: ${c.passed ? 'passed' : 'failed'}`,
    '',
    `- expected ${c.expected}, got ${c.actual}${c.message ? `: ${md(c.message)}` : ''}`,
  ];
  if (c.input?.subject) lines.push(`- client certificate subject: ${md(c.input.subject)}`);
  if (c.input?.serial) lines.push(`- serial: ${md(c.input.serial)}`);
  if (typeof c.computeUtilization === 'number') lines.push(`- compute utilization: ${c.computeUtilization}`);
  return {
    type: 'task-result-outcomes',
    attributes: {
      'outcome-id': `conngate-${target.toLowerCase()}-${i + 1}`,
      description: cut(`${target}: ${c.name}`, 200),
      body: lines.join('\n'),
      tags: {
        Status: [c.passed ? { label: 'Passed', level: 'none' } : { label: 'Failed', level: 'error' }],
        Severity: [c.passed ? { label: 'Info', level: 'info' } : { label: 'High', level: 'error' }],
      },
    },
  };
}

/** The final task result of a verify run: passed only when LIVE ends verified; one outcome per case that ran. */
export function finalTaskResult(r: StageRunReport, reportUrl?: string): TaskResultBody {
  const all = [
    ...(r.development?.results ?? []).map((c, i) => ({ c, o: caseOutcome('DEVELOPMENT', c, i) })),
    ...(r.live?.results ?? []).map((c, i) => ({ c, o: caseOutcome('LIVE', c, i) })),
  ];
  // Failed cases first, so the ones that matter are among the outcomes shown; the report has every case.
  const outcomes = [...all.filter((x) => !x.c.passed), ...all.filter((x) => x.c.passed)].map((x) => x.o);
  const more = outcomes.length > MAX_OUTCOMES ? ` (${outcomes.length - MAX_OUTCOMES} more cases in the report)` : '';
  const status = r.outcome === 'verified' ? 'passed' : 'failed';
  return taskResultBody(status, `conngate ${r.stage}: ${r.outcome}: ${r.message}${more}`, reportUrl, outcomes);
}
