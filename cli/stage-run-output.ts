import { currentEndpoint } from '../diagnostics/operation-context';
import { shortSha } from '../orchestrator/stage/candidate';
import type { StageRunReport } from '../orchestrator/pipeline/pipeline';
import { locationLine } from '../orchestrator/stage/run-location';

/** The closing lines of a stage run on stdout, and the exit code it maps to (0 only when LIVE is verified). */
export function printStageRun(r: StageRunReport): number {
  const mark = r.outcome === 'verified' ? '✔' : '✖';
  process.stdout.write(`${mark} ${r.stage}: ${r.outcome}: ${r.message}\n`);
  // What the run found in LIVE first (left unverified by a killed or failed run) and what it did about it.
  if (r.recovery) process.stdout.write(`  before this run: ${r.recovery}\n`);
  if (r.reports) process.stdout.write(`  evidence: ${r.reports.markdown}\n  junit:    ${r.reports.junit}\n${r.reports.html ? `  html:     ${r.reports.html}\n` : ''}`);
  if (r.outcome !== 'verified' && r.development) {
    for (const c of r.development.results.filter((x) => !x.passed)) process.stdout.write(`  DEVELOPMENT ✖ ${c.name}: ${c.message}\n`);
  }
  if (r.outcome !== 'verified' && r.live) {
    for (const c of r.live.results.filter((x) => !x.passed)) process.stdout.write(`  LIVE ✖ ${c.name}: ${c.message}\n`);
  }
  if (r.outcome === 'verified') process.stdout.write(`  candidate ${shortSha(r.candidateSha256)} is LIVE in ${r.stage}\n`);
  if (r.where) process.stdout.write(`  where: ${locationLine(r.where)}\n`);
  else {
    const target = currentEndpoint();
    if (target) process.stdout.write(`  endpoint: ${target.endpoint}${target.account ? ` (account ${target.account})` : ''}\n`);
  }
  return r.outcome === 'verified' ? 0 : 1;
}
