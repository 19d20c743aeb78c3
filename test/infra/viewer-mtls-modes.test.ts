// Synth tests for the 2026 viewer-mTLS surface: passthrough mode and its AWS conditions, CloudFront's OCSP checks
// through awscc_cloudfront_trust_store, and CA rotation (a bundle location must change for the CAs to change).
import { Testing, TerraformStack } from 'cdktf';
import { AwsccCloudfrontTrustStore } from '../../modules/bindings/awscc-cloudfront-trust-store';
import { ConnectionFunctionCode } from '../../modules/connection-function-code';
import { isContentDerivedKey } from '../../modules/ca-bundle-rotation';
import { CACHING_DISABLED_POLICY_ID, MtlsDistribution, MtlsDistributionProps } from '../../modules/mtls-distribution';
import { ViewerTrustStore } from '../../modules/viewer-trust-store';
import { resolveStageConfigs, StageConfig } from '../../stacks/stage-config';
import { StageStack } from '../../stacks/stage-stack';

Testing.setupJest();

const CODE = ConnectionFunctionCode.fromInline("import cf from 'cloudfront';\nfunction connectionHandler(connection) {\n  connection.allow();\n}\n");
const SHA = 'a'.repeat(64);

function stage(mtls: object): StageConfig {
  return resolveStageConfigs({ stages: { dev: { mtls } } }, '/tmp')[0];
}

function synth(config: StageConfig): Record<string, any> {
  return JSON.parse(Testing.synth(new StageStack(Testing.app(), config, { code: CODE })));
}

function only<T>(o: Record<string, T> | undefined): T {
  const v = Object.values(o ?? {});
  expect(v).toHaveLength(1);
  return v[0];
}

describe('passthrough mode', () => {
  it('is refused at synth in one line: no released hashicorp/aws accepts mode "passthrough"', () => {
    expect(() => synth(stage({ mode: 'passthrough' }))).toThrow(new RegExp(
      '^conngate\\.config\\.json stages\\.dev\\.mtls\\.mode: viewer_mtls_config\\.mode = "passthrough" is accepted by no released hashicorp/aws provider '
      + '\\(.*got passthrough.*#47926 and #47929, fix in open PR #47930\\) \\(fix: passthrough cannot be deployed with any released hashicorp/aws; use mode "required" or "optional"'));
  });

  it('the construct still builds passthrough as AWS specifies it: no trust store, CachingDisabled, no Origin Shield or Lambda@Edge', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    new MtlsDistribution(stack, 'd', { mode: 'passthrough', origin: { domainName: 'api.example.com' } });
    const doc = JSON.parse(Testing.synth(stack));
    expect(doc.resource.aws_cloudfront_trust_store).toBeUndefined();
    const dist = only<any>(doc.resource.aws_cloudfront_distribution);
    expect(dist.viewer_mtls_config).toEqual({ mode: 'passthrough' });
    expect(dist.default_cache_behavior.cache_policy_id).toBe(CACHING_DISABLED_POLICY_ID);
    expect(dist.default_cache_behavior.lambda_function_association).toBeUndefined();
    expect(dist.origin[0].origin_shield).toBeUndefined();
  });

  it.each([
    ['caBundle', { caBundle: { bucket: 'bbb', key: 'k', version: 'v1' } }],
    ['trustStoreId', { trustStoreId: 'ts-1' }],
    ['ocsp', { ocsp: true }],
  ])('refuses a trust store (%s) in the stage config', (field, trustStore) => {
    expect(() => stage({ mode: 'passthrough', trustStore })).toThrow(
      `conngate.config.json stages.dev.mtls.trustStore.${field}: passthrough mode takes no trust store (fix: remove mtls.trustStore, or use mode "required" or "optional")`);
  });

  it('refuses trust-store settings in the stage config', () => {
    expect(() => stage({ mode: 'passthrough', ignoreCertificateExpiry: true })).toThrow(/mtls.ignoreCertificateExpiry: passthrough mode .*\(fix: remove mtls.ignoreCertificateExpiry\)/);
    expect(() => stage({ mode: 'passthrough', advertiseTrustStoreCaNames: true })).toThrow(/mtls.advertiseTrustStoreCaNames/);
  });

  const base = (over: Partial<MtlsDistributionProps>): MtlsDistributionProps => ({ mode: 'passthrough', origin: { domainName: 'api.example.com' }, ...over });
  const make = (over: Partial<MtlsDistributionProps>) => () => new MtlsDistribution(new TerraformStack(Testing.app(), 's'), 'd', base(over));

  it.each<[string, Partial<MtlsDistributionProps>, RegExp]>([
    ['a trust store', { trustStore: ViewerTrustStore.fromTrustStoreId('ts') }, /^MtlsDistribution trustStore: passthrough mode takes no trust store \(fix: remove trustStore/],
    ['another cache policy', { cachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' }, /^MtlsDistribution cachePolicyId: passthrough mode needs the CachingDisabled policy on every behavior.*\(fix: remove cachePolicyId or set it to "4135ea2d/],
    ['Origin Shield', { originShieldRegion: 'us-east-1' }, /^MtlsDistribution originShieldRegion: passthrough mode cannot use Origin Shield \(fix: remove originShieldRegion\)/],
    ['Lambda@Edge', { lambdaFunctionAssociations: [{ eventType: 'viewer-request', lambdaArn: 'arn:aws:lambda:us-east-1:1:function:f:1' }] }, /^MtlsDistribution lambdaFunctionAssociations: passthrough mode cannot run Lambda@Edge/],
    ['ignoreCertificateExpiry', { ignoreCertificateExpiry: true }, /^MtlsDistribution ignoreCertificateExpiry:/],
    ['advertiseTrustStoreCaNames', { advertiseTrustStoreCaNames: true }, /^MtlsDistribution advertiseTrustStoreCaNames:/],
  ])('the construct refuses %s at synth time, naming the prop and the fix', (_what, over, msg) => {
    expect(make(over)).toThrow(msg);
  });

  it('accepts CachingDisabled spelled out, and the other modes still need a trust store', () => {
    expect(make({ cachePolicyId: CACHING_DISABLED_POLICY_ID })).not.toThrow();
    expect(make({ mode: 'required' })).toThrow(/^MtlsDistribution trustStore: mode "required" needs a trust store/);
    // Outside passthrough, Origin Shield and other policies stay the caller's choice.
    expect(make({ mode: 'optional', trustStore: ViewerTrustStore.fromTrustStoreId('ts'), originShieldRegion: 'us-east-1' })).not.toThrow();
  });
});

describe('OCSP through awscc_cloudfront_trust_store', () => {
  const ocspStage = () => stage({ trustStore: { ocsp: true, caBundle: { bucket: 'ca-bucket', key: 'bundle.pem', version: 'v7' } } });

  it('declares the awscc trust store with use_client_certificate_ocsp_endpoint and references its trust_store_id', () => {
    const doc = synth(ocspStage());
    expect(doc.resource.aws_cloudfront_trust_store).toBeUndefined();
    const ts = only<any>(doc.resource.awscc_cloudfront_trust_store);
    expect(ts).toEqual({
      name: 'conngate-dev-trust-store',
      ca_certificates_bundle_source: { ca_certificates_bundle_s3_location: { bucket: 'ca-bucket', key: 'bundle.pem', region: 'us-east-1', version: 'v7' } },
      use_client_certificate_ocsp_endpoint: true,
      // default_tags of hashicorp/aws do not reach awscc resources, so the stage tags are set on it directly.
      tags: [{ key: 'project', value: 'conngate' }, { key: 'stage', value: 'dev' }],
    });
    const id = Object.keys(doc.resource.awscc_cloudfront_trust_store)[0];
    const dist = only<any>(doc.resource.aws_cloudfront_distribution);
    expect(dist.viewer_mtls_config.trust_store_config.trust_store_id).toBe(`\${awscc_cloudfront_trust_store.${id}.trust_store_id}`);
  });

  it('adds hashicorp/awscc to required_providers with a bounded constraint and a provider block in the stage region', () => {
    const doc = synth(ocspStage());
    expect(doc.terraform.required_providers.awscc).toEqual({ source: 'hashicorp/awscc', version: '>= 1.97.0, < 2.0.0' });
    expect(doc.terraform.required_providers.aws.version).toBe('>= 6.28.0, < 7.0.0');
    expect(doc.provider.awscc).toEqual([{ region: 'us-east-1' }]);
  });

  it('leaves awscc out of a stage without OCSP', () => {
    const doc = synth(stage({ trustStore: { caBundle: { bucket: 'ca-bucket', key: 'bundle.pem', version: 'v7' } } }));
    expect(doc.terraform.required_providers.awscc).toBeUndefined();
    expect(doc.provider.awscc).toBeUndefined();
    expect(only<any>(doc.resource.aws_cloudfront_trust_store)).toBeDefined();
  });

  it('renders the awscc attributes as HCL attributes (nesting "single"), tags as a key/value list', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    new AwsccCloudfrontTrustStore(stack, 'ts', {
      name: 'n', useClientCertificateOcspEndpoint: true, tags: { b: '2', a: '1' },
      caCertificatesBundleSource: { caCertificatesBundleS3Location: { bucket: 'b', key: 'k', region: 'r', version: 'v' } },
    });
    const json = JSON.parse(Testing.synth(stack)).resource.awscc_cloudfront_trust_store.ts;
    expect(json.tags).toEqual([{ key: 'a', value: '1' }, { key: 'b', value: '2' }]);
    const hcl = String(Testing.synthHcl(stack));
    expect(hcl).toContain('resource "awscc_cloudfront_trust_store" "ts"');
    expect(hcl).toMatch(/use_client_certificate_ocsp_endpoint = true/);
    expect(hcl).toMatch(/ca_certificates_bundle_source = \{/);
  });

  it('refuses OCSP on an existing trust store by id', () => {
    expect(() => stage({ trustStore: { ocsp: true, trustStoreId: 'ts-1' } })).toThrow(/mtls.trustStore.ocsp: cannot set OCSP checking on an existing trust store by id/);
  });
});

describe('CA rotation', () => {
  it('refuses a configured bundle without version or content-derived key, with the fix', () => {
    expect(() => stage({ trustStore: { caBundle: { bucket: 'ca-bucket', key: 'bundle.pem' } } })).toThrow(
      /^conngate.config.json stages.dev.mtls.trustStore.caBundle.version: CA bundle s3 key "bundle.pem" has no object version: CloudFront reads the bundle once.*\(fix: set the S3 object version of the bundle/);
    expect(() => ViewerTrustStore.fromS3CaBundle('n', { bucket: 'b', key: 'bundle.pem', region: 'r' })).toThrow(/location.version: CA bundle s3 key/);
  });

  it('accepts a content-derived key instead of a version', () => {
    expect(() => stage({ trustStore: { caBundle: { bucket: 'ca-bucket', key: `bundles/ca-${SHA}.pem` } } })).not.toThrow();
    expect(isContentDerivedKey(`ca-bundle-sha256-${'A'.repeat(43)}.pem`)).toBe(true);
    // A short hex run (a date, a counter) does not name the content.
    expect(isContentDerivedKey('ca-bundle-20261201.pem')).toBe(false);
    expect(isContentDerivedKey(`${'a'.repeat(39)}.pem`)).toBe(false);
  });

  it.each([false, true])('a new version changes the planned trust store (ocsp %s)', (ocsp) => {
    const at = (version: string) => synth(stage({ trustStore: { ocsp, caBundle: { bucket: 'ca-bucket', key: 'bundle.pem', version } } }));
    const type = ocsp ? 'awscc_cloudfront_trust_store' : 'aws_cloudfront_trust_store';
    const before = at('v1');
    const after = at('v2');
    const loc = (doc: Record<string, any>) => {
      const src = only<any>(doc.resource[type]).ca_certificates_bundle_source;
      return ocsp ? src.ca_certificates_bundle_s3_location : src[0].ca_certificates_bundle_s3_location[0];
    };
    expect(loc(before).version).toBe('v1');
    expect(loc(after).version).toBe('v2');
    // Only the bundle location differs: the distribution keeps referring to the same resource address.
    expect(Object.keys(before.resource[type])).toEqual(Object.keys(after.resource[type]));
    expect(JSON.stringify(before.resource.aws_cloudfront_distribution)).toBe(JSON.stringify(after.resource.aws_cloudfront_distribution));
  });

  it('a new content-derived key changes the plan too', () => {
    const at = (key: string) => only<any>(synth(stage({ trustStore: { caBundle: { bucket: 'ca-bucket', key } } })).resource.aws_cloudfront_trust_store);
    expect(at(`ca-${'1'.repeat(64)}.pem`)).not.toEqual(at(`ca-${'2'.repeat(64)}.pem`));
  });

  it('lets the built-in placeholder (no bundle configured) synthesize for the emulator', () => {
    const cfg = stage({});
    expect(cfg.mtls.trustStore).toMatchObject({ type: 's3', placeholder: true });
    expect(() => synth(cfg)).not.toThrow();
  });
});

describe('KeyValueStore tags (provider 6.66 parity)', () => {
  it('RevocationStore synthesizes its own tags on aws_cloudfront_key_value_store', () => {
    const { RevocationStore } = require('../../modules/revocation-store') as typeof import('../../modules/revocation-store');
    const stack = new TerraformStack(Testing.app(), 's');
    new RevocationStore(stack, 'rs', { storeName: 'n', tags: { team: 'edge' } });
    expect(only<any>(JSON.parse(Testing.synth(stack)).resource.aws_cloudfront_key_value_store).tags).toEqual({ team: 'edge' });
    const bare = new TerraformStack(Testing.app(), 't');
    new RevocationStore(bare, 'rs', { storeName: 'n' });
    expect(only<any>(JSON.parse(Testing.synth(bare)).resource.aws_cloudfront_key_value_store).tags).toBeUndefined();
  });
});
