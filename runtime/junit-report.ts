import type { CaseResult } from './suite-runner';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
    // XML 1.0 cannot carry most control characters even escaped.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/** JUnit XML for case results: one testsuite per suite file, one testcase per case. */
export function junitXml(results: CaseResult[]): string {
  const bySuite = new Map<string, CaseResult[]>();
  for (const r of results) bySuite.set(r.suite, [...(bySuite.get(r.suite) ?? []), r]);
  const failures = results.filter((r) => !r.passed).length;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="conngate local" tests="${results.length}" failures="${failures}">`];
  for (const [suite, rs] of bySuite) {
    const time = rs.reduce((t, r) => t + r.run.durationMs, 0) / 1000;
    lines.push(`  <testsuite name="${esc(suite)}" tests="${rs.length}" failures="${rs.filter((r) => !r.passed).length}" time="${time.toFixed(6)}">`);
    for (const r of rs) {
      lines.push(`    <testcase classname="${esc(suite)}" name="${esc(r.case)}" time="${(r.run.durationMs / 1000).toFixed(6)}">`);
      if (!r.passed) lines.push(`      <failure message="${esc(r.failures.join('; '))}">${esc(`expected ${r.expected}, actual ${r.actual}; ${r.failures.join('; ')}`)}</failure>`);
      if (r.run.logs.length > 0) lines.push(`      <system-out>${esc(r.run.logs.join('\n'))}</system-out>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}
