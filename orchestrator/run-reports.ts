import * as fs from 'node:fs';
import * as path from 'node:path';
import { shortSha } from './candidate';
import { junitXml } from './junit-report';
import { markdownSummary } from './markdown-summary';
import type { StageRunReport } from './pipeline';

/**
 * Writes a stage run's JUnit XML and Markdown summary under <stateDir>/reports/<stage>/, and appends the summary
 * to $GITHUB_STEP_SUMMARY when CI provides one.
 */
export function writeRunReports(stateDir: string, r: StageRunReport): { junit: string; markdown: string } {
  const dir = path.join(stateDir, 'reports', r.stage);
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${r.startedAt.replace(/[:.]/g, '-')}-${shortSha(r.candidateSha256)}`);
  const runs = [r.development, r.live].filter((s): s is NonNullable<typeof s> => !!s);
  const junit = `${base}.junit.xml`;
  const markdown = `${base}.md`;
  fs.writeFileSync(junit, junitXml(`conngate.${r.stage}`, runs));
  const md = markdownSummary(r);
  fs.writeFileSync(markdown, md);
  if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, md + '\n');
  return { junit, markdown };
}
