import { Testing, TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { CloudfrontConnectionFunction } from '../../modules/bindings/cloudfront-connection-function';
import { CloudfrontTrustStore } from '../../modules/bindings/cloudfront-trust-store';
import { CloudfrontDistributionWithMtls } from '../../modules/bindings/cloudfront-distribution-mtls';

Testing.setupJest();

const baseDistribution = {
  enabled: true,
  origin: [{ originId: 'o', domainName: 'origin.example.com', customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: 'https-only', originSslProtocols: ['TLSv1.2'] } }],
  defaultCacheBehavior: { targetOriginId: 'o', viewerProtocolPolicy: 'https-only', allowedMethods: ['GET', 'HEAD'], cachedMethods: ['GET', 'HEAD'] },
  restrictions: { geoRestriction: { restrictionType: 'none' } },
  viewerCertificate: { cloudfrontDefaultCertificate: true },
};

describe('aws_cloudfront_connection_function binding', () => {
  const synth = () => Testing.synthScope((scope) => {
    new CloudfrontConnectionFunction(scope, 'fn', {
      name: 'my-fn',
      connectionFunctionCode: 'function connectionHandler(c) { c.allow(); }',
      publish: false,
      tags: { team: 'edge' },
      connectionFunctionConfig: [{
        comment: 'hello',
        runtime: 'cloudfront-js-2.0',
        keyValueStoreAssociation: [{ keyValueStoreArn: 'arn:aws:cloudfront::123456789012:key-value-store/abc' }],
      }],
    });
  });

  it('synthesizes the provider schema in snake_case with nested list blocks', () => {
    const text = synth();
    const res = JSON.parse(text).resource.aws_cloudfront_connection_function.fn;
    expect(Object.keys(res).sort()).toEqual(['connection_function_code', 'connection_function_config', 'name', 'publish', 'tags']);
    expect(text).toHaveResourceWithProperties(CloudfrontConnectionFunction, {
      name: 'my-fn',
      connection_function_code: 'function connectionHandler(c) { c.allow(); }',
      publish: false,
      tags: { team: 'edge' },
      connection_function_config: [{
        comment: 'hello',
        runtime: 'cloudfront-js-2.0',
        key_value_store_association: [{ key_value_store_arn: 'arn:aws:cloudfront::123456789012:key-value-store/abc' }],
      }],
    });
  });

  it('exposes computed attributes as references', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 's');
    const fn = new CloudfrontConnectionFunction(stack, 'fn', { name: 'n', connectionFunctionCode: 'x' });
    for (const [id, v] of Object.entries({ id: fn.id, arn: fn.connectionFunctionArn, etag: fn.etag, live: fn.liveStageEtag, status: fn.status })) {
      new TerraformOutput(stack, id, { value: v });
    }
    const out = JSON.parse(Testing.synth(stack)).output;
    expect(out.id.value).toBe('${aws_cloudfront_connection_function.fn.id}');
    expect(out.arn.value).toBe('${aws_cloudfront_connection_function.fn.connection_function_arn}');
    expect(out.etag.value).toBe('${aws_cloudfront_connection_function.fn.etag}');
    expect(out.live.value).toBe('${aws_cloudfront_connection_function.fn.live_stage_etag}');
    expect(out.status.value).toBe('${aws_cloudfront_connection_function.fn.status}');
  });

  it('renders HCL (synthesizeHclAttributes) with the blocks as blocks', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 's');
    new CloudfrontConnectionFunction(stack, 'fn', {
      name: 'n', connectionFunctionCode: 'function connectionHandler(c) {}',
      connectionFunctionConfig: [{ comment: 'c', runtime: 'cloudfront-js-2.0', keyValueStoreAssociation: [{ keyValueStoreArn: 'arn:x' }] }],
    });
    const hcl = String(Testing.synthHcl(stack));
    expect(hcl).toContain('resource "aws_cloudfront_connection_function" "fn"');
    expect(hcl).toMatch(/connection_function_config \{\s*comment = "c"\s*runtime = "cloudfront-js-2.0"\s*key_value_store_association \{\s*key_value_store_arn = "arn:x"/);
  });
});

describe('aws_cloudfront_trust_store binding', () => {
  it('synthesizes the CA bundle source blocks and computed attributes', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 's');
    const ts = new CloudfrontTrustStore(stack, 'ts', {
      name: 'my-ts',
      caCertificatesBundleSource: [{ caCertificatesBundleS3Location: [{ bucket: 'b', key: 'ca.pem', region: 'us-east-1', version: 'v1' }] }],
      timeouts: { create: '30m' },
    });
    new TerraformOutput(stack, 'id', { value: ts.id });
    new TerraformOutput(stack, 'arn', { value: ts.arn });
    new TerraformOutput(stack, 'n', { value: ts.numberOfCaCertificates });
    const synth = Testing.synth(stack);
    expect(synth).toHaveResourceWithProperties(CloudfrontTrustStore, {
      name: 'my-ts',
      ca_certificates_bundle_source: [{ ca_certificates_bundle_s3_location: [{ bucket: 'b', key: 'ca.pem', region: 'us-east-1', version: 'v1' }] }],
      timeouts: { create: '30m' },
    });
    const out = JSON.parse(synth).output;
    expect(out.id.value).toBe('${aws_cloudfront_trust_store.ts.id}');
    expect(out.arn.value).toBe('${aws_cloudfront_trust_store.ts.arn}');
    expect(out.n.value).toBe('${aws_cloudfront_trust_store.ts.number_of_ca_certificates}');
    expect(String(Testing.synthHcl(stack))).toMatch(/ca_certificates_bundle_source \{\s*ca_certificates_bundle_s3_location \{\s*bucket = "b"/);
  });
});

describe('Terraform meta-arguments on the bindings', () => {
  it('pass provider, depends_on, count and lifecycle through to the resource', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 's');
    const provider = new AwsProvider(stack, 'east', { region: 'us-east-1', alias: 'east' });
    const ts = new CloudfrontTrustStore(stack, 'ts', { name: 't', provider, lifecycle: { preventDestroy: true } });
    new CloudfrontConnectionFunction(stack, 'fn', { name: 'n', connectionFunctionCode: 'x', provider, dependsOn: [ts], count: 2 });
    const res = JSON.parse(Testing.synth(stack)).resource;
    expect(res.aws_cloudfront_trust_store.ts).toMatchObject({ provider: 'aws.east', lifecycle: { prevent_destroy: true } });
    expect(res.aws_cloudfront_connection_function.fn).toMatchObject({ provider: 'aws.east', depends_on: ['aws_cloudfront_trust_store.ts'], count: 2 });
  });
});

describe('distribution viewer_mtls_config and connection_function_association', () => {
  it('adds both blocks to the prebuilt distribution binding', () => {
    const synth = Testing.synthScope((scope) => {
      new CloudfrontDistributionWithMtls(scope, 'd', {
        ...baseDistribution,
        viewerMtlsConfig: { mode: 'required', trustStoreConfig: { trustStoreId: 'ts-1', advertiseTrustStoreCaNames: true, ignoreCertificateExpiry: false } },
        connectionFunctionAssociation: { id: 'cf_abc' },
      });
    });
    expect(synth).toHaveResourceWithProperties(CloudfrontDistributionWithMtls, {
      viewer_mtls_config: { mode: 'required', trust_store_config: { trust_store_id: 'ts-1', advertise_trust_store_ca_names: true, ignore_certificate_expiry: false } },
      connection_function_association: { id: 'cf_abc' },
      // The prebuilt attributes are still there.
      enabled: true,
      viewer_certificate: { cloudfront_default_certificate: true },
    });
    // The matcher ignores key casing; the raw JSON must carry the provider's snake_case names.
    const res = JSON.parse(synth).resource.aws_cloudfront_distribution.d;
    expect(Object.keys(res.viewer_mtls_config.trust_store_config).sort())
      .toEqual(['advertise_trust_store_ca_names', 'ignore_certificate_expiry', 'trust_store_id']);
  });

  it('put/reset work like the generated API and leave the blocks out when unset', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 's');
    const d = new CloudfrontDistributionWithMtls(stack, 'd', baseDistribution);
    d.putViewerMtlsConfig({ mode: 'optional', trustStoreConfig: { trustStoreId: 'ts-2' } });
    d.putConnectionFunctionAssociation({ id: 'cf_1' });
    d.resetConnectionFunctionAssociation();
    const res = JSON.parse(Testing.synth(stack)).resource.aws_cloudfront_distribution.d;
    expect(res.viewer_mtls_config).toEqual({ mode: 'optional', trust_store_config: { trust_store_id: 'ts-2' } });
    expect(res).not.toHaveProperty('connection_function_association');
    const hcl = String(Testing.synthHcl(stack));
    expect(hcl).toMatch(/viewer_mtls_config \{\s*mode = "optional"\s*trust_store_config \{\s*trust_store_id = "ts-2"/);
    expect(hcl).not.toContain('connection_function_association');
  });
});
