import { currentEndpoint } from '../diagnostics/operation-context';
import type { Target } from '../aws/clients';
import type { SuiteRunSummary } from '../orchestrator/suite/case-result';
import type { StageRunReport } from '../orchestrator/pipeline/pipeline';

/**
 * The one object `--json` prints on stdout for deploy, verify, promote, test and plan (progress stays on stderr).
 * Version 1: fields are only ever added within it; documented in docs/orchestrator.md.
 */
export const RUN_JSON_SCHEMA = 'conngate.run/1';

/** Where a run went: the endpoint kind, the URL or AWS, the account seen in ARNs, the region. */
export function whereJson(target: Target): { endpointKind: 'aws' | 'emulator'; endpoint: string; account: string | null; region: string } {
  const seen = currentEndpoint();
  return {
    endpointKind: target.endpoint ? 'emulator' : 'aws', endpoint: target.endpoint ?? 'cloudfront.amazonaws.com',
    account: seen?.account ?? null, region: target.region,
  };
}

const suiteJson = (s: SuiteRunSummary | undefined) => s
  ? { target: s.target, total: s.total, passed: s.passed, failed: s.failed, failures: s.results.filter((r) => !r.passed).map((r) => ({ name: r.name, message: r.message })) }
  : null;

/** A deploy, verify or promote run. */
export function stageRunJson(command: 'deploy' | 'verify' | 'promote', r: StageRunReport, target: Target): Record<string, unknown> {
  return {
    schema: RUN_JSON_SCHEMA, command, stage: r.stage, ...whereJson(target),
    outcome: r.outcome, ok: r.outcome === 'verified', message: r.message,
    candidateSha256: r.candidateSha256, previousLiveSha256: r.previousLiveSha256 ?? null, finalLiveSha256: r.finalLiveSha256 ?? null,
    functionName: r.functionName ?? null, firstDeploy: r.firstDeploy, published: r.published,
    gate: r.gate ? { upstream: r.gate.upstream, evidenceTime: r.gate.evidenceTime ?? null, policyOverride: r.gate.policyOverride ?? null } : null,
    recovery: r.recovery ?? null,
    steps: r.steps.map((s) => ({ name: s.name, status: s.status, detail: s.detail, durationMs: s.durationMs })),
    development: suiteJson(r.development), live: suiteJson(r.live), reports: r.reports ?? null,
    fuzz: r.fuzz ? { ok: !r.fuzz.finding, seed: r.fuzz.seed, now: r.fuzz.now, casesRun: r.fuzz.casesRun, properties: r.fuzz.properties, finding: r.fuzz.finding ?? null } : null,
    startedAt: r.startedAt, finishedAt: r.finishedAt,
  };
}

/** A `conngate test --local` run. */
export function testRunJson(runs: SuiteRunSummary[]): Record<string, unknown> {
  const failed = runs.reduce((n, r) => n + r.failed, 0);
  return {
    schema: RUN_JSON_SCHEMA, command: 'test', endpointKind: 'local', outcome: failed > 0 ? 'failed' : 'passed', ok: failed === 0,
    total: runs.reduce((n, r) => n + r.total, 0), failed, suites: runs.map((r) => suiteJson(r)),
  };
}
