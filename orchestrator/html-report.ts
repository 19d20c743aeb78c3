import { shortSha } from './candidate';
import type { SuiteRunSummary } from './case-result';
import type { StageRunReport } from './pipeline';
import type { StageStatus } from './stage-status';

const esc = (s: unknown) => String(s ?? '').replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' }[c]!));

const OUTCOME_CLASS: Record<StageRunReport['outcome'], string> = {
  verified: 'ok', 'failed-development': 'bad', 'rolled-back': 'warn', refused: 'bad', failed: 'bad',
};

function suiteTable(s: SuiteRunSummary): string {
  const rows = s.results.map((r) => `<tr class="${r.passed ? 'ok' : 'bad'}"><td>${esc(r.name)}</td><td>${r.expected}</td><td>${r.actual}</td>` +
    `<td>${r.computeUtilization ?? '-'}</td><td>${r.passed ? 'pass' : `FAIL: ${esc(r.message)}${r.rawOutput ? `<br><code>${esc(r.rawOutput)}</code>` : ''}`}</td></tr>`).join('\n');
  return `<h4>${s.target}: ${s.passed}/${s.total} passed</h4>
<table><thead><tr><th>case</th><th>expected</th><th>actual</th><th>utilization</th><th>result</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

function runSection(r: StageRunReport, i: number): string {
  const steps = r.steps.map((s) => `<li class="${s.status === 'failed' ? 'bad' : s.status === 'skipped' ? 'skip' : 'ok'}"><b>${esc(s.name)}</b> (${s.status}, ${s.durationMs} ms): ${esc(s.detail)}</li>`).join('\n');
  return `<section class="run">
<h3>#${i + 1} ${esc(r.stage)} <span class="badge ${OUTCOME_CLASS[r.outcome]}">${esc(r.outcome)}</span> <code>${shortSha(r.candidateSha256)}</code></h3>
<p>${esc(r.message)}</p>
<p class="meta">candidate <code>${esc(r.candidateSha256)}</code> · previous LIVE <code>${shortSha(r.previousLiveSha256)}</code> · suite <code>${shortSha(r.suiteSha256)}</code> · function ${esc(r.functionName)} (${esc(r.functionId)}) · ${esc(r.startedAt)}</p>
<ol class="steps">${steps}</ol>
${r.development ? suiteTable(r.development) : ''}
${r.live ? suiteTable(r.live) : ''}
</section>`;
}

/** A self-contained HTML page of a flow: the stages as they stand, then every stage run with every case. */
export function htmlReport(title: string, statuses: StageStatus[], runs: StageRunReport[], notes: string[] = []): string {
  const stageRows = statuses.map((s) => `<tr><td><b>${esc(s.stage)}</b></td><td>${esc(s.promotesFrom ?? '-')}</td><td><code>${shortSha(s.development)}</code></td>` +
    `<td><code>${shortSha(s.live)}</code></td><td class="${s.verified ? 'ok' : 'bad'}">${s.verified ? 'verified' : 'not verified'}${s.evidence?.time ? ` at ${esc(s.evidence.time)}` : ''}</td>` +
    `<td class="${s.gate.open ? 'ok' : 'bad'}">${s.gate.open ? 'open' : 'closed'}: ${esc(s.gate.reason)}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;color:#1d232a;padding:0 1rem}
h1{font-size:1.5rem} h3{margin-bottom:.3rem} code{font:12px ui-monospace,monospace;background:#f1f3f5;padding:0 .25rem;border-radius:3px}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem} th,td{border:1px solid #d8dde3;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa} tr.ok td:last-child,td.ok{color:#1a7f37} tr.bad td,td.bad{color:#b42318} li.bad{color:#b42318} li.skip{color:#6b7280}
.badge{font-size:.8rem;padding:.1rem .45rem;border-radius:1rem;color:#fff;vertical-align:middle}
.badge.ok{background:#1a7f37}.badge.bad{background:#b42318}.badge.warn{background:#b54708}
.run{border-top:2px solid #e5e7eb;margin-top:1.2rem} .meta{color:#57606a;font-size:12px} .notes li{margin:.2rem 0}
</style></head><body>
<h1>${esc(title)}</h1>
<p class="meta">generated ${esc(new Date().toISOString())}</p>
${notes.length ? `<ul class="notes">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<h2>Stages</h2>
<table><thead><tr><th>stage</th><th>promotes from</th><th>DEVELOPMENT</th><th>LIVE</th><th>evidence</th><th>gate for the local candidate</th></tr></thead><tbody>
${stageRows}
</tbody></table>
<h2>Runs</h2>
${runs.map(runSection).join('\n')}
</body></html>
`;
}
