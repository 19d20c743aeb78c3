import * as fs from 'node:fs';
import * as path from 'node:path';
import { shortSha } from '../stage/candidate';
import { htmlReport } from './html-report';
import { junitXml } from './junit-report';
import { markdownSummary } from './markdown-summary';
import type { StageRunReport } from './stage-run-report';
import { makeFolder } from '../../host/make-folder';

/** The files one stage run leaves for CI: JUnit for the test tab, Markdown for the job summary, HTML for a reviewer. */
export interface RunReportFiles { junit: string; markdown: string; html: string }

/**
 * Writes a stage run's JUnit XML, Markdown summary and HTML page under <stateDir>/reports/<stage>/, and appends the
 * summary to $GITHUB_STEP_SUMMARY when CI provides one. The HTML page links the other two and the ledger.
 */
export function writeRunReports(stateDir: string, r: StageRunReport): RunReportFiles {
  const dir = path.join(stateDir, 'reports', r.stage);
  makeFolder(dir);
  const base = path.join(dir, `${r.startedAt.replace(/[:.]/g, '-')}-${shortSha(r.candidateSha256)}`);
  const runs = [r.development, r.live].filter((s): s is NonNullable<typeof s> => !!s);
  const junit = `${base}.junit.xml`;
  const markdown = `${base}.md`;
  const html = `${base}.html`;
  fs.writeFileSync(junit, junitXml(`conngate.${r.stage}`, runs, r.steps, r.where));
  const md = markdownSummary(r);
  fs.writeFileSync(markdown, md);
  const rel = (f: string) => path.relative(dir, f).split(path.sep).join('/');
  fs.writeFileSync(html, htmlReport({
    title: `conngate: ${r.stage} ${r.outcome} (${shortSha(r.candidateSha256)})`, runs: [r],
    links: [{ label: 'JUnit XML', href: rel(junit) }, { label: 'Markdown summary', href: rel(markdown) },
      { label: 'evidence ledger', href: rel(path.join(stateDir, 'ledger.jsonl')) }],
  }));
  if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, md + '\n');
  return { junit, markdown, html };
}
