import { shortSha } from '../stage/candidate';
import type { ReportedCase, SuiteRunSummary } from '../suite/case-result';
import { diffHunks, lineDiff } from './line-diff';
import type { StageRunReport, StepRecord } from './stage-run-report';
import type { StageStatus } from './stage-status';
import type { RunLocation } from '../stage/run-location';
import type { ReplayReport } from '../replay/replay-report';
import { replayCommand } from '../../fuzz/fuzz-text';

/**
 * The page a reviewer opens from a CI run: totals first, then the stages, the revocation syncs, and every stage run
 * with its steps and timings, each case's input (certificate subject and serial), expected against actual, the
 * function logs of failed cases, and the candidate's diff against the LIVE code it replaces. Self-contained (no
 * scripts, no external resources), so it opens from a CI artifact as it is.
 */

const esc = (s: unknown) => String(s ?? '').replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' }[c]!));

/** One revocation sync shown in the report: what changed in which store, from which sources, how fresh. */
export interface RevocationSyncSection {
  stage: string;
  store: string;
  added: number;
  removed: number;
  storeKeys: number;
  storeBytes?: number;
  dryRun?: boolean;
  sources: { file: string; issuer?: string; thisUpdate?: string; nextUpdate?: string }[];
}

export interface HtmlReportInput {
  title: string;
  runs: StageRunReport[];
  /** The stages as they stand at the end (from `readStageStatuses`); omitted for a single run's page. */
  statuses?: StageStatus[];
  revocationSyncs?: RevocationSyncSection[];
  /** Replays of connection logs shown on their own (`conngate replay --html`, the demo's replay of the broken candidate). */
  replays?: ReplayReport[];
  /** Companion files (JUnit, Markdown, ledger), as hrefs relative to the page. */
  links?: { label: string; href: string }[];
  notes?: string[];
  /** @default now */
  generatedAt?: Date;
  /** Runs meant to fail (the demo's broken candidate and its refused promotion): shown as intended, not in red. */
  intendedFailures?: StageRunReport[];
  /** Where the runs happened; default: the first run's own `where`. */
  where?: RunLocation;
}

/**
 * Where the page's runs happened, at the top: an emulator run gets a banner no reader can miss, since "verified in
 * LIVE" against an emulator says nothing about any AWS account.
 */
function whereBanner(where: RunLocation | undefined): string {
  if (!where) return '<p class="where meta">where: not recorded</p>';
  if (where.endpointKind === 'emulator') {
    return `<div class="emulator-banner" role="alert"><b>EMULATOR RUN, NOT AWS</b>: these results come from the CloudFront emulator at `
      + `<code>${esc(where.endpoint)}</code> (account ${esc(where.account ?? 'unknown')}, region ${esc(where.region)}, stage ${esc(where.stage)}). `
      + 'Nothing here was tested or published in an AWS account.</div>';
  }
  return `<p class="where">AWS · account <b>${esc(where.account ?? 'unknown')}</b> · region <b>${esc(where.region)}</b> · stage <b>${esc(where.stage)}</b></p>`;
}

const OUTCOME_CLASS: Record<StageRunReport['outcome'], string> = {
  verified: 'ok', 'failed-development': 'bad', 'rolled-back': 'warn', refused: 'bad', failed: 'bad',
};

const STEP_CLASS: Record<StepRecord['status'], string> = { ok: 'ok', failed: 'bad', skipped: 'skip' };

function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${n} ms`;
}

function runDurationMs(r: StageRunReport): number | undefined {
  const a = Date.parse(r.startedAt);
  const b = Date.parse(r.finishedAt);
  return Number.isFinite(a) && Number.isFinite(b) ? b - a : undefined;
}

function caseRow(r: ReportedCase): string {
  const failed = !r.passed;
  const logs = failed && r.logs?.length
    ? `<details open><summary>function log (${r.logs.length} line${r.logs.length > 1 ? 's' : ''})</summary><pre class="log">${esc(r.logs.join('\n'))}</pre></details>` : '';
  const raw = r.rawOutput ? `<details><summary>raw output</summary><pre class="log">${esc(r.rawOutput)}</pre></details>` : '';
  return `<tr class="${failed ? 'bad' : 'ok'}"><td>${esc(r.name)}</td><td>${esc(r.input?.subject ?? '-')}</td><td><code>${esc(r.input?.serial ?? '-')}</code></td>`
    + `<td>${esc(r.expected)}</td><td>${esc(r.actual)}</td><td>${r.computeUtilization ?? '-'}</td><td>${ms(r.durationMs)}</td>`
    + `<td class="result">${failed ? `FAIL: ${esc(r.message)}${logs}${raw}` : 'pass'}</td></tr>`;
}

function suiteTable(s: SuiteRunSummary): string {
  return `<h4>${esc(s.target)}: <span class="${s.failed ? 'bad' : 'ok'}">${s.passed}/${s.total} cases passed</span>${s.failed ? `, ${s.failed} failed` : ''}</h4>
<table class="cases"><thead><tr><th>case</th><th>certificate subject</th><th>serial</th><th>expected</th><th>actual</th><th>utilization</th><th>time</th><th>result</th></tr></thead><tbody>
${s.results.map(caseRow).join('\n')}
</tbody></table>`;
}

function diffSection(r: StageRunReport): string {
  if (r.candidateCode === undefined || r.previousLiveCode === undefined) {
    const why = r.previousLiveSha256 === undefined && r.firstDeploy ? 'no previous LIVE code (first deploy)'
      : 'the previous LIVE code was not read in this run';
    return `<p class="meta">candidate diff: ${why}</p>`;
  }
  if (r.candidateCode === r.previousLiveCode) return '<p class="meta">candidate diff: identical to the previous LIVE code</p>';
  const lines = lineDiff(r.previousLiveCode, r.candidateCode);
  if (!lines) return '<p class="meta">candidate diff: too large to show</p>';
  const added = lines.filter((l) => l.kind === '+').length;
  const removed = lines.filter((l) => l.kind === '-').length;
  const body = diffHunks(lines).map((l) => (l === '...'
    ? '<span class="gap">…</span>'
    : `<span class="${l.kind === '+' ? 'add' : l.kind === '-' ? 'del' : 'ctx'}">${esc(`${l.kind} ${l.text}`)}</span>`)).join('\n');
  return `<details class="diff"><summary>candidate diff against the previous LIVE <code>${shortSha(r.previousLiveSha256)}</code>: +${added} −${removed} lines</summary><pre>${body}</pre></details>`;
}

/** The fuzz step: what ran, and a broken property's counterexample and suite case. */
function fuzzSection(f: NonNullable<StageRunReport['fuzz']>, stage: string): string {
  const head = `<p class="meta">fuzz: ${f.casesRun} generated connections, seed ${f.seed}, properties ${esc(f.properties.join(', '))}; revoked set: ${f.revokedCount} serials from ${esc(f.revokedSource)}</p>`;
  if (!f.finding) return `${head}\n<p>no property broken</p>`;
  const x = f.finding;
  return `${head}
<p class="bad">property <b>${esc(x.property)}</b> broken by case ${x.caseIndex + 1}: ${esc(x.reason)} (shrunk ${x.shrinks} times; replay <code>${esc(replayCommand(f, stage))}</code>)</p>
<details open><summary>counterexample</summary><pre>${esc(JSON.stringify(x.counterexample, null, 2))}</pre></details>
<details open><summary>suite case (add it with <code>conngate fuzz --save</code>)</summary><pre>${esc(JSON.stringify(x.suiteCase))}</pre></details>`;
}

function runSection(r: StageRunReport, i: number, intended = false): string {
  const steps = r.steps.map((s) => `<tr class="${STEP_CLASS[s.status]}"><td>${esc(s.name)}</td><td>${esc(s.status)}</td><td>${ms(s.durationMs)}</td><td>${esc(s.detail)}</td></tr>`).join('\n');
  const fn = r.functionName || r.functionId ? `${esc(r.functionName ?? '-')} (<code>${esc(r.functionId ?? '-')}</code>)` : 'not reached';
  const previous = r.previousLiveSha256 ? `<code>${shortSha(r.previousLiveSha256)}</code>` : r.firstDeploy ? 'none (first deploy)' : 'not read';
  const took = runDurationMs(r);
  return `<section class="run" id="run-${i + 1}">
<h3>#${i + 1} ${esc(r.stage)} <span class="badge ${intended && r.outcome !== 'verified' ? 'intended' : OUTCOME_CLASS[r.outcome]}">${esc(r.outcome)}${intended && r.outcome !== 'verified' ? ', as intended' : ''}</span> <code>${shortSha(r.candidateSha256)}</code></h3>
<p>${esc(r.message)}</p>
<p class="meta">candidate <code>${esc(r.candidateSha256)}</code> · previous LIVE ${previous} · suite <code>${shortSha(r.suiteSha256)}</code> · function ${fn} · started ${esc(r.startedAt)}${took !== undefined ? ` · took ${ms(took)}` : ''}</p>
<table class="steps"><thead><tr><th>step</th><th>status</th><th>time</th><th>detail</th></tr></thead><tbody>
${steps}
</tbody></table>
${diffSection(r)}
${r.replay ? replaySection(r.replay) : ''}
${r.development ? suiteTable(r.development) : ''}
${r.fuzz ? fuzzSection(r.fuzz, r.stage) : ''}
${r.live ? suiteTable(r.live) : ''}
</section>`;
}

const DECISION_CLASS = { allow: 'ok', deny: 'bad', error: 'bad' } as const;

/**
 * A replay of connection logs: the verdict, what was read and what could not be, the fields no log carries, and
 * every group of changed decisions with its examples. Shown in the run that the replay gate judged, and on its own
 * (`conngate replay --html`, the demo).
 */
export function replaySection(rep: ReplayReport, heading = 'h4'): string {
  const verdict = rep.verdict === 'over-limit' ? `<span class="bad">${rep.unexpectedChanged} unexpected change${rep.unexpectedChanged === 1 ? '' : 's'}, over the limit of ${rep.maxChangedDecisions}</span>`
    : rep.verdict === 'within-limit' ? `<span class="ok">${rep.changed} change${rep.changed === 1 ? '' : 's'}, all allowed</span>` : '<span class="ok">no decision changes</span>';
  const reasons = Object.entries(rep.notReplayable.byReason).map(([k, n]) => `${esc(k)}: ${n}`).join(', ');
  const missing = Object.entries(rep.missingFields).map(([k, n]) => `<code>${esc(k)}</code> (${n})`).join(', ');
  const rows = rep.groups.map((g) => `<tr class="${g.expected ? 'skip' : 'bad'}"><td class="${DECISION_CLASS[g.live]}">${esc(g.live)}</td><td class="${DECISION_CLASS[g.candidate]}">${esc(g.candidate)}</td><td>${g.count}</td>`
    + `<td>${esc(g.subject ?? 'no certificate')}</td><td><code>${esc(g.serial ?? '-')}</code></td><td>${esc(g.issuer ?? '-')}</td><td>${g.expected ? 'expected' : 'unexpected'}</td>`
    + `<td>${g.examples.map((e) => `${esc(e.file)}:${e.line}${e.at ? ` at ${esc(e.at)}` : ''}${e.clientIp ? ` from ${esc(e.clientIp)}` : ''}${e.candidateError ? ` (candidate: ${esc(e.candidateError)})` : ''}`).join('<br>')}</td></tr>`).join('\n');
  const problems = rep.problems.first.map((p) => `${esc(p.file)}:${p.line}: ${esc(p.problem)}`).join('\n');
  return `<${heading}>Replay of connection logs: ${verdict}</${heading}>
<p class="meta">logs ${esc(rep.logs)} (${rep.files} file${rep.files === 1 ? '' : 's'}) · LIVE <code>${shortSha(rep.liveSha256)}</code> · candidate <code>${shortSha(rep.candidateSha256)}</code> · `
    + `${rep.replayed} of ${rep.records} connections replayed${rep.notReplayable.total ? `, ${rep.notReplayable.total} never reached the function (${reasons})` : ''}`
    + `${rep.problems.total ? `, <span class="bad">${rep.problems.total} unreadable line${rep.problems.total === 1 ? '' : 's'}</span>` : ''} · ${rep.recordsPerSecond} records/s`
    + `${rep.liveDisagreesWithLog ? ` · LIVE decided otherwise than logged for ${rep.liveDisagreesWithLog}` : ''}</p>
<p class="meta">no connection log carries ${rep.fieldsNoLogCarries.map((f) => `<code>${esc(f)}</code>`).join(', ')}: replayed connections lack them${missing ? `; records also lacked ${missing}` : ''}</p>
${rows ? `<table class="replay"><thead><tr><th>LIVE</th><th>candidate</th><th>connections</th><th>subject</th><th>serial</th><th>issuer</th><th>allowed</th><th>examples</th></tr></thead><tbody>
${rows}
</tbody></table>${rep.ungrouped ? `<p class="meta">${rep.ungrouped} more changes in groups beyond the ones shown</p>` : ''}` : ''}
${problems ? `<details><summary>unreadable lines (first ${rep.problems.first.length} of ${rep.problems.total})</summary><pre>${problems}</pre></details>` : ''}`;
}

function revocationSection(syncs: RevocationSyncSection[] | undefined): string {
  if (!syncs?.length) return '<h2>Revocation sync</h2>\n<p class="meta">no revocation sync in this run</p>';
  const now = Date.now();
  const rows = syncs.map((s) => {
    const fresh = s.sources.map((src) => {
      const next = src.nextUpdate ? Date.parse(src.nextUpdate) : undefined;
      const state = next === undefined ? 'no nextUpdate' : next < now ? 'STALE' : 'fresh';
      return `<div class="${state === 'STALE' ? 'bad' : ''}">${esc(src.file)}${src.issuer ? ` (${esc(src.issuer)})` : ''}: ${src.thisUpdate ? `thisUpdate ${esc(src.thisUpdate)}, ` : ''}${src.nextUpdate ? `nextUpdate ${esc(src.nextUpdate)}, ` : ''}${state}</div>`;
    }).join('');
    return `<tr><td>${esc(s.stage)}</td><td><code>${esc(s.store)}</code></td><td>${s.dryRun ? 'would add ' : '+'}${s.added}</td><td>${s.dryRun ? 'would remove ' : '−'}${s.removed}</td>`
      + `<td>${s.storeKeys} keys${s.storeBytes !== undefined ? `, ${(s.storeBytes / 1024).toFixed(1)} KiB` : ''}</td><td>${fresh || '-'}</td></tr>`;
  }).join('\n');
  return `<h2>Revocation sync</h2>
<table class="syncs"><thead><tr><th>stage</th><th>store</th><th>added</th><th>removed</th><th>store size</th><th>sources and CRL freshness</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

function totals(runs: StageRunReport[], intended: StageRunReport[]): string {
  const meant = (r: StageRunReport) => intended.includes(r) && r.outcome !== 'verified';
  const suites = runs.filter((r) => !meant(r)).flatMap((r) => [r.development, r.live].filter((s): s is SuiteRunSummary => !!s));
  const cases = suites.reduce((n, s) => n + s.total, 0);
  const failedCases = suites.reduce((n, s) => n + s.failed, 0);
  const verified = runs.filter((r) => r.outcome === 'verified').length;
  const stopped = runs.filter(meant).length;
  const notVerified = runs.length - verified - stopped;
  const time = runs.reduce((n, r) => n + (runDurationMs(r) ?? 0), 0);
  return `<p class="totals" id="totals">Total: <b>${runs.length}</b> run${runs.length === 1 ? '' : 's'}, `
    + `<span class="${notVerified ? 'bad' : 'ok'}"><b>${verified}</b> verified${notVerified ? `, <b>${notVerified}</b> not verified` : ''}</span>`
    + `${stopped ? `, <span class="intended"><b>${stopped}</b> stopped as intended</span>` : ''}; `
    + `<span class="${failedCases ? 'bad' : 'ok'}"><b>${cases - failedCases}</b>/${cases} cases passed</span>${stopped ? ' (outside the intended failures)' : ''}; ${ms(time)} in runs</p>`;
}

/** A self-contained HTML page of one or more stage runs. */
export function htmlReport(input: HtmlReportInput): string {
  const { title, runs, statuses, notes = [], links = [] } = input;
  const stageRows = (statuses ?? []).map((s) => `<tr><td><b>${esc(s.stage)}</b></td><td>${esc(s.promotesFrom ?? '-')}</td><td><code>${s.development ? shortSha(s.development) : 'not deployed'}</code></td>` +
    `<td><code>${shortSha(s.live)}</code></td><td class="${s.verified ? 'ok' : 'bad'}">${s.verified ? 'verified' : 'not verified'}${s.evidence?.time ? ` at ${esc(s.evidence.time)}` : ''}</td>` +
    `<td class="${s.gate.open ? 'ok' : 'bad'}">${s.gate.open ? 'open' : 'closed'}: ${esc(s.gate.reason)}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:80rem;color:#1d232a;padding:0 1rem}
h1{font-size:1.5rem} h3{margin-bottom:.3rem} code{font:12px ui-monospace,monospace;background:#f1f3f5;padding:0 .25rem;border-radius:3px}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem} th,td{border:1px solid #d8dde3;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa} .ok{color:#1a7f37} .bad,tr.bad td{color:#b42318} tr.skip td{color:#6b7280} tr.ok td.result{color:#1a7f37}
.badge{font-size:.8rem;padding:.1rem .45rem;border-radius:1rem;color:#fff;vertical-align:middle}
.badge.ok{background:#1a7f37}.badge.bad{background:#b42318}.badge.warn{background:#b54708}.badge.intended{background:#57606a} .intended{color:#57606a}
.run{border-top:2px solid #e5e7eb;margin-top:1.2rem} .meta{color:#57606a;font-size:12px} .notes li{margin:.2rem 0}
pre{font:12px ui-monospace,monospace;background:#f6f8fa;padding:.5rem;overflow:auto;white-space:pre-wrap;color:#1d232a}
.diff .add{color:#1a7f37;display:block} .diff .del{color:#b42318;display:block} .diff .ctx,.diff .gap{color:#57606a;display:block}
.totals{font-size:1rem} .links a{margin-right:1rem}
.emulator-banner{background:#b54708;color:#fff;font-size:1.1rem;padding:.8rem 1rem;border-radius:6px;margin-bottom:1rem}
.emulator-banner code{background:#fff;color:#1d232a} .where{font-size:1rem}
</style></head><body>
${whereBanner(input.where ?? runs.find((r) => r.where)?.where)}
<h1>${esc(title)}</h1>
<p class="meta">generated ${esc((input.generatedAt ?? new Date()).toISOString())}</p>
${totals(runs, input.intendedFailures ?? [])}
${links.length ? `<p class="links">${links.map((l) => `<a href="${esc(l.href)}">${esc(l.label)}</a>`).join('')}</p>` : ''}
${notes.length ? `<ul class="notes">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
${statuses ? `<h2>Stages</h2>
<table><thead><tr><th>stage</th><th>promotes from</th><th>DEVELOPMENT</th><th>LIVE</th><th>evidence</th><th>gate for the local candidate</th></tr></thead><tbody>
${stageRows}
</tbody></table>` : ''}
${revocationSection(input.revocationSyncs)}
${input.replays?.length ? `<h2>Replays</h2>\n${input.replays.map((rep) => replaySection(rep, 'h3')).join('\n')}` : ''}
<h2>Runs</h2>
${runs.length ? runs.map((r, i) => runSection(r, i, (input.intendedFailures ?? []).includes(r))).join('\n') : '<p class="meta">no runs</p>'}
</body></html>
`;
}
