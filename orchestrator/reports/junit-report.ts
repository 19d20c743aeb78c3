import type { SuiteRunSummary } from '../suite/case-result';
import type { RunLocation } from '../stage/run-location';

/** A pipeline step as JUnit shows it: its own test case, so a refused or failed run is never "0 tests, all green". */
export interface JunitStep { name: string; status: 'ok' | 'skipped' | 'failed'; detail: string; durationMs: number }

// XML 1.0 cannot carry most control characters even escaped, so they are dropped.
const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' }[c]!))
  .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** JUnit XML (one testsuite per suite run, local or remote), the format CI systems render as test results. */
export function junitXml(name: string, runs: SuiteRunSummary[], steps: JunitStep[] = [], where?: RunLocation): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  // Where the run happened, as each suite's properties (CI test tabs show them with the suite).
  const props = where ? [
    '    <properties>',
    ...Object.entries({ 'conngate.endpointKind': where.endpointKind, 'conngate.endpoint': where.endpoint, 'conngate.account': where.account ?? 'unknown',
      'conngate.region': where.region, 'conngate.stage': where.stage }).map(([k, v]) => `      <property name="${k}" value="${escapeXml(v)}"/>`),
    '    </properties>',
  ] : [];
  const stepFailures = steps.filter((s) => s.status === 'failed').length;
  const total = runs.reduce((n, r) => n + r.total, 0) + steps.length;
  const failed = runs.reduce((n, r) => n + r.failed, 0) + stepFailures;
  lines.push(`<testsuites name="${escapeXml(name)}" tests="${total}" failures="${failed}">`);
  if (steps.length) {
    const secs = steps.reduce((t, s) => t + s.durationMs, 0) / 1000;
    lines.push(`  <testsuite name="${escapeXml(`${name} steps`)}" tests="${steps.length}" failures="${stepFailures}" skipped="${steps.filter((s) => s.status === 'skipped').length}" time="${secs.toFixed(3)}">`);
    lines.push(...props);
    for (const s of steps) {
      lines.push(`    <testcase classname="${escapeXml(`${name}.steps`)}" name="${escapeXml(s.name)}" time="${(s.durationMs / 1000).toFixed(3)}">`);
      if (s.status === 'failed') lines.push(`      <failure message="${escapeXml(s.detail)}">${escapeXml(s.detail)}</failure>`);
      if (s.status === 'skipped') lines.push(`      <skipped message="${escapeXml(s.detail)}"/>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  for (const run of runs) {
    const secs = run.results.reduce((t, r) => t + r.durationMs, 0) / 1000;
    lines.push(`  <testsuite name="${escapeXml(`${name} ${run.target}`)}" tests="${run.total}" failures="${run.failed}" time="${secs.toFixed(3)}">`);
    lines.push(...props);
    for (const r of run.results) {
      lines.push(`    <testcase classname="${escapeXml(`${name}.${run.target}`)}" name="${escapeXml(r.name)}" time="${(r.durationMs / 1000).toFixed(3)}">`);
      if (!r.passed) {
        const body = [r.message, r.rawOutput ? `raw output: ${r.rawOutput}` : ''].filter(Boolean).join('\n');
        lines.push(`      <failure message="${escapeXml(r.message ?? 'failed')}">${escapeXml(body)}</failure>`);
      }
      const out = [r.computeUtilization !== undefined ? `computeUtilization=${r.computeUtilization}` : '', ...(r.logs ?? [])].filter(Boolean);
      if (out.length) lines.push(`      <system-out>${escapeXml(out.join('\n'))}</system-out>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}
