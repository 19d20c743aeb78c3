// Every attribute the hand-written bindings emit exists, with the same type, in the generated bindings of a newer
// hashicorp/aws (@cdktn/provider-aws; schema extracted into fixtures/cdktn-provider-aws-schema.json by
// support/provider-schema-fixture.ts, the package being too large to install for one test).
import * as fs from 'node:fs';
import { Testing, TerraformStack } from 'cdktf';
import { ConnectionFunctionCode } from '../../modules/connection-function-code';
import { MtlsDistribution } from '../../modules/mtls-distribution';
import { RevocationStore } from '../../modules/revocation-store';
import { ViewerTrustStore } from '../../modules/viewer-trust-store';
import { resolveStageConfigs } from '../../stacks/stage-config';
import { StageStack } from '../../stacks/stage-stack';
import { FIXTURE, type AttributeSchema, type SchemaFixture } from './support/provider-schema-fixture';

const schema = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as SchemaFixture;
const CODE = ConnectionFunctionCode.fromInline("function connectionHandler(connection) {\n  connection.allow();\n}\n");
const META = new Set(['//', 'depends_on', 'lifecycle', 'provider', 'count', 'for_each']);
const isRef = (v: unknown) => typeof v === 'string' && v.includes('${');

/** What is wrong with `value` at `path` of resource `type` against the generated schema ([] when nothing). */
function problems(type: string, config: Record<string, unknown>, prefix = ''): string[] {
  const attrs = schema.resources[type];
  if (!attrs) return [`${type}: not in the generated bindings`];
  const out: string[] = [];
  for (const [name, value] of Object.entries(config)) {
    if (!prefix && META.has(name)) continue;
    const at = prefix + name;
    const s: AttributeSchema | undefined = attrs[at];
    if (!s) { out.push(`${type}.${at}: not in the schema`); continue; }
    if (s.isBlock) {
      const items = Array.isArray(value) ? value : [value];
      if (!items.every((i) => i && typeof i === 'object' && !Array.isArray(i))) { out.push(`${type}.${at}: a block there, ${JSON.stringify(value)} here`); continue; }
      for (const i of items) out.push(...problems(type, i as Record<string, unknown>, `${at}.`));
      continue;
    }
    if (isRef(value)) continue;
    const ok = ({
      string: typeof value === 'string',
      boolean: typeof value === 'boolean',
      number: typeof value === 'number',
      stringList: Array.isArray(value) && value.every((v) => typeof v === 'string'),
      stringMap: !!value && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string'),
    } as Record<string, boolean>)[s.storageClassType];
    if (!ok) out.push(`${type}.${at}: ${s.storageClassType} there, ${JSON.stringify(value)} here`);
  }
  return out;
}

function docProblems(doc: { resource?: Record<string, Record<string, Record<string, unknown>>> }): string[] {
  return Object.entries(doc.resource ?? {})
    .filter(([type]) => type.startsWith('aws_'))
    .flatMap(([type, byName]) => Object.values(byName).flatMap((r) => problems(type, r)));
}

const stage = (mtls: object, extra: object = {}) => JSON.parse(Testing.synth(new StageStack(Testing.app(),
  resolveStageConfigs({ stages: { dev: { mtls, ...extra } } }, '/tmp')[0], { code: CODE })));

test('the fixture is the 6.66.0 schema the facts were checked against, with the mTLS surface in it', () => {
  expect(schema).toMatchObject({ package: '@cdktn/provider-aws', providerVersion: '6.66.0' });
  expect(schema.resources.aws_cloudfront_distribution['viewer_mtls_config.trust_store_config.trust_store_id']).toEqual({ isBlock: false, type: 'simple', storageClassType: 'string' });
  expect(schema.resources.aws_cloudfront_connection_function.connection_function_config).toMatchObject({ isBlock: true, type: 'list' });
});

test.each<[string, () => Record<string, any>]>([
  ['a stage with its own trust store', () => stage({ trustStore: { caBundle: { bucket: 'ca-bucket', key: 'k.pem', version: 'v1' } }, ignoreCertificateExpiry: true, advertiseTrustStoreCaNames: true })],
  ['a stage with an existing trust store and aliases', () => stage({ mode: 'optional', trustStore: { trustStoreId: 'ts-1' } },
    { aliases: ['api.example.com'], acmCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' })],
  ['a stage first deployed (no association)', () => JSON.parse(Testing.synth(new StageStack(Testing.app(), resolveStageConfigs({ stages: { dev: {} } }, '/tmp')[0], { code: CODE, unassociated: true })))],
  ['the constructs with every optional prop', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    new RevocationStore(stack, 'rs', { storeName: 'n', tags: { team: 'edge' } });
    new MtlsDistribution(stack, 'd', {
      mode: 'required', trustStore: ViewerTrustStore.fromS3CaBundle('ts', { bucket: 'b', key: 'k', region: 'us-east-1', version: 'v' }),
      origin: { domainName: 'api.example.com', originPath: '/p' }, originShieldRegion: 'us-east-1', cachePolicyId: 'c',
      lambdaFunctionAssociations: [{ eventType: 'viewer-request', lambdaArn: 'arn:aws:lambda:us-east-1:1:function:f:1', includeBody: true }],
      connectionFunction: { functionId: 'cf_1' }, tags: { a: 'b' }, comment: 'c', priceClass: 'PriceClass_All',
    });
    return JSON.parse(Testing.synth(stack));
  }],
])('%s: every emitted attribute exists in the generated schema with the same type', (_what, synth) => {
  const doc = synth();
  expect(Object.keys(doc.resource).filter((t) => t.startsWith('aws_')).length).toBeGreaterThan(0);
  expect(docProblems(doc)).toEqual([]);
});

test('the check notices an attribute the provider does not have and a wrong type', () => {
  expect(docProblems({ resource: {
    aws_cloudfront_trust_store: { t: { name: 'n', use_client_certificate_ocsp_endpoint: true } },
    aws_cloudfront_distribution: { d: { enabled: 'yes', viewer_mtls_config: [{ mode: 'required', trust_store_config: 'ts' }] } },
  } })).toEqual([
    'aws_cloudfront_trust_store.use_client_certificate_ocsp_endpoint: not in the schema',
    'aws_cloudfront_distribution.enabled: boolean there, "yes" here',
    'aws_cloudfront_distribution.viewer_mtls_config.trust_store_config: a block there, "ts" here',
  ]);
});
