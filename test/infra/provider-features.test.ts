// The provider feature table: what conngate synthesizes is checked against the first hashicorp/aws (awscc) release
// that accepts it; a feature no release has is refused at synth, and the required_providers floor follows usage.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing, TerraformStack } from 'cdktf';
import { UserError } from '../../diagnostics/user-error';
import { applyProviderFeatures, PROVIDER_FEATURES, providerConstraint, type TerraformDocument } from '../../modules/bindings/provider-features';
import { ConnectionFunctionCode } from '../../modules/connection-function-code';
import { RevocationStore } from '../../modules/revocation-store';
import { resolveStageConfigs } from '../../stacks/stage-config';
import { StageStack } from '../../stacks/stage-stack';
import { runProcess } from './support/run-process';
import { makeTempProject, REPO_ROOT } from './support/temp-project';

const CODE = ConnectionFunctionCode.fromInline("function connectionHandler(connection) {\n  connection.allow();\n}\n");
const where = () => 'here';

function doc(resource: TerraformDocument['resource']): TerraformDocument {
  return { resource, terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '6.25.0' } } } };
}

test('every entry names a source, and every "none released" entry the supported way', () => {
  for (const f of PROVIDER_FEATURES) {
    expect(f.source.length).toBeGreaterThan(20);
    expect(f.since === 'none released' ? Boolean(f.instead) : /^\d+\.\d+\.\d+$/.test(f.since)).toBe(true);
  }
});

test('a stage stack declares the floor its features need (>= 6.28.0) and no feature outside a release', () => {
  const config = resolveStageConfigs({ stages: { dev: {} } }, '/tmp')[0];
  const out = JSON.parse(Testing.synth(new StageStack(Testing.app(), config, { code: CODE })));
  expect(out.terraform.required_providers.aws).toEqual({ source: 'hashicorp/aws', version: '>= 6.28.0, < 7.0.0' });
});

test('tags on the KeyValueStore raise the floor to the first release that accepts them', () => {
  const stack = new TerraformStack(Testing.app(), 's');
  new RevocationStore(stack, 'rs', { storeName: 'n', tags: { team: 'edge' } });
  const synthesized = JSON.parse(Testing.synth(stack));
  expect(providerConstraint(synthesized, 'aws')).toBe('>= 6.66.0, < 7.0.0');
  const bare = new TerraformStack(Testing.app(), 't');
  new RevocationStore(bare, 'rs', { storeName: 'n' });
  expect(providerConstraint(JSON.parse(Testing.synth(bare)), 'aws')).toBe('>= 6.28.0, < 7.0.0');
});

test('tags on the hashicorp/aws trust store raise the floor too', () => {
  expect(providerConstraint(doc({ aws_cloudfront_trust_store: { t: { name: 'n', tags: { a: 'b' } } } }), 'aws')).toBe('>= 6.66.0, < 7.0.0');
  expect(providerConstraint(doc({ aws_cloudfront_trust_store: { t: { name: 'n' } } }), 'aws')).toBe('>= 6.28.0, < 7.0.0');
});

test('applyProviderFeatures rewrites the aws and awscc constraints in place', () => {
  const d = doc({ aws_cloudfront_key_value_store: { s: { name: 'n', tags: { a: 'b' } } }, awscc_cloudfront_trust_store: { t: {} } });
  d.terraform!.required_providers!.awscc = { source: 'hashicorp/awscc', version: 'x' };
  applyProviderFeatures(d, where);
  expect(d.terraform!.required_providers).toEqual({
    aws: { source: 'hashicorp/aws', version: '>= 6.66.0, < 7.0.0' },
    awscc: { source: 'hashicorp/awscc', version: '>= 1.97.0, < 2.0.0' },
  });
});

test.each<[string, TerraformDocument['resource'], RegExp]>([
  ['passthrough as an object block', { aws_cloudfront_distribution: { d: { viewer_mtls_config: { mode: 'passthrough' } } } }, /^here: viewer_mtls_config\.mode = "passthrough" is accepted by no released hashicorp\/aws provider .*#47930\) \(fix: passthrough cannot be deployed/],
  ['passthrough as a list block', { aws_cloudfront_distribution: { d: { viewer_mtls_config: [{ mode: 'passthrough' }] } } }, /passthrough" is accepted by no released/],
  ['OCSP on the hashicorp/aws trust store', { aws_cloudfront_trust_store: { t: { use_client_certificate_ocsp_endpoint: true } } }, /use_client_certificate_ocsp_endpoint is accepted by no released hashicorp\/aws provider \(.*#47927.*\) \(fix: set trustStore.ocsp/],
])('refuses %s in one line naming the provider issue and the supported way', (_what, resource, message) => {
  let err: unknown;
  try { applyProviderFeatures(doc(resource), where); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(UserError);
  expect((err as Error).message).toMatch(message);
  expect((err as Error).message).not.toContain('\n');
});

test('required and optional pass', () => {
  for (const mode of ['required', 'optional']) {
    expect(() => applyProviderFeatures(doc({ aws_cloudfront_distribution: { d: { viewer_mtls_config: { mode } } } }), where)).not.toThrow();
  }
});

test('the cdktf app (main.ts) refuses a passthrough stage with exactly one conngate line, exit 2, and writes no stack', async () => {
  const dir = makeTempProject({ stages: { dev: { mtls: { mode: 'passthrough' } } } });
  try {
    const tsx = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const r = await runProcess(process.execPath, [tsx, path.join(REPO_ROOT, 'main.ts')], { cwd: dir, env: { CDKTF_OUTDIR: path.join(dir, 'cdktf.out') } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(
      /^conngate: conngate\.config\.json stages\.dev\.mtls\.mode: viewer_mtls_config\.mode = "passthrough" is accepted by no released hashicorp\/aws provider .*#47930\) \(fix: passthrough cannot be deployed with any released hashicorp\/aws; use mode "required" or "optional" with a trust store until a release accepts it\)$/)]);
    expect(fs.existsSync(path.join(dir, 'cdktf.out', 'stacks', 'dev', 'cdk.tf.json'))).toBe(false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
