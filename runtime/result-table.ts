import type { CaseResult } from './case-result';

/** A plain-text table of case results: case, expected, actual, utilization (estimate), pass/fail, then why. */
export function resultTable(results: CaseResult[]): string {
  const rows = results.map((r) => [r.name, r.expected, r.actual,
    r.computeUtilization === undefined ? '-' : `${r.computeUtilization.toFixed(1)}%`, r.passed ? 'PASS' : 'FAIL']);
  const header = ['case', 'expected', 'actual', 'utilization*', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (row: string[]) => row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const out = [fmt(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const [i, row] of rows.entries()) {
    out.push(fmt(row));
    const why = results[i].message;
    if (why) out.push(`    ${why}`);
  }
  return out.join('\n');
}
