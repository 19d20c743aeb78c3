import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runDemo } from '../../demo/demo-flow';
import { createProgress } from '../../orchestrator/reports/progress';
import { PIPELINE_OPERATIONS, POLICY_KINDS } from '../../iam/pipeline-operations';
import { policyActions, stagePolicy } from '../../iam/stage-policy';
import { resolveStageConfigs } from '../../stacks/stage-config';
import { PROJECT_DIR } from '../support/conngate-cli';

/** Source files of everything that calls AWS (the SDK command classes they construct). */
function sourceText(): string {
  const files: string[] = [];
  for (const d of ['orchestrator', 'local-apply', 'revocation', 'cli', 'aws', 'integrations']) {
    for (const f of fs.readdirSync(path.join(PROJECT_DIR, d), { recursive: true }).map(String)) if (f.endsWith('.ts')) files.push(path.join(PROJECT_DIR, d, f));
  }
  return files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}

// Every operation the demo (deploys, a promotion, revocation syncs, a failed candidate rolled back) makes against the
// emulator must be in the generated policies, and every policy entry must be called: by the run, or, for a rarer
// path named in the table, by code that constructs that SDK command.
describe('generated IAM policies against what conngate really calls', () => {
  const called = new Set<string>();
  let workdir: string;
  beforeAll(async () => {
    workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-iam-coverage-'));
    const r = await runDemo({ projectDir: PROJECT_DIR, workdir, progress: createProgress({ quiet: true }), onEmulatorOperation: (op) => called.add(op) });
    expect(r.checks.every((c) => c.ok)).toBe(true);
  }, 600_000);
  afterAll(() => fs.rmSync(workdir, { recursive: true, force: true }));

  it('covers every operation the run made', () => {
    const listed = new Set(PIPELINE_OPERATIONS.map((o) => o.operation));
    const missing = [...called].filter((op) => !listed.has(op));
    expect(missing).toEqual([]);
    expect(called.size).toBeGreaterThan(15);
  });

  it('allows nothing that nothing calls', () => {
    const source = sourceText();
    const unused = PIPELINE_OPERATIONS.filter((o) => o.by === 'conngate' && !called.has(o.operation)).filter((o) => {
      if (!o.onlyWhen) return true;
      // A rarer path: the code must construct that command (GetObject for S3 is shared by the state and CRL reads).
      return !source.includes(o.source ?? `new ${o.operation.split(':')[1]}Command(`);
    });
    expect(unused.map((o) => o.operation)).toEqual([]);
  });

  it('puts each called operation\'s actions into the policy of the kind of run that calls it, scoped to the stage', () => {
    const [dev] = resolveStageConfigs({
      defaults: { backend: { type: 's3', bucket: 'acme-tfstate' }, origin: { domainName: 'api.acme.net' },
        mtls: { trustStore: { caBundle: { bucket: 'acme-mtls', key: 'ca-bundle.pem', version: 'v1' } } }, aws: { roleArn: 'arn:aws:iam::210987654321:role/deploy' } },
      stages: { dev: { promotesFrom: null } },
    }, os.tmpdir());
    const all = new Set(POLICY_KINDS.flatMap((k) => policyActions(stagePolicy(k, dev))));
    for (const op of called) {
      const use = PIPELINE_OPERATIONS.find((o) => o.operation === op)!;
      for (const a of use.actions) expect(all).toContain(a);
    }
    const deploy = stagePolicy('deploy', dev);
    // Only list calls, which IAM cannot scope to a resource, may name every resource.
    expect(deploy.Statement.filter((st) => st.Resource.includes('*')).flatMap((st) => st.Action).filter((a) => !/^cloudfront:List[A-Za-z]+$/.test(a))).toEqual([]);
    expect(deploy.Statement.flatMap((s) => s.Resource)).toEqual(expect.arrayContaining([
      'arn:aws:s3:::acme-tfstate/conngate/dev/terraform.tfstate', 'arn:aws:s3:::acme-mtls/ca-bundle.pem', 'arn:aws:iam::210987654321:role/deploy',
      'arn:aws:cloudfront::210987654321:connection-function/*',
    ]));
    // Every pipeline run writes its lease, evidence head and rollback target in the stage's store.
    for (const k of ['deploy', 'verify', 'run-task'] as const) expect(policyActions(stagePolicy(k, dev))).toContain('cloudfront-keyvaluestore:UpdateKeys');
    // verify never creates or deletes; sync touches only the store.
    expect(policyActions(stagePolicy('verify', dev)).filter((a) => /:(Create|Delete)/.test(a))).toEqual([]);
    expect(policyActions(stagePolicy('sync', dev)).every((a) => a.startsWith('cloudfront-keyvaluestore:') || a === 'cloudfront:DescribeKeyValueStore' || a === 'sts:AssumeRole')).toBe(true);
  });
});
