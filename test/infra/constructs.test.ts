import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing, TerraformStack } from 'cdktf';
import { CloudfrontKeyValueStore } from '@cdktf/provider-aws/lib/cloudfront-key-value-store';
import { CloudfrontkeyvaluestoreKey } from '@cdktf/provider-aws/lib/cloudfrontkeyvaluestore-key';
import { CloudfrontConnectionFunction } from '../../modules/bindings/cloudfront-connection-function';
import { CloudfrontDistributionWithMtls } from '../../modules/bindings/cloudfront-distribution-mtls';
import { CloudfrontTrustStore } from '../../modules/bindings/cloudfront-trust-store';
import { ConnectionFunction } from '../../modules/connection-function';
import { ConnectionFunctionCode } from '../../modules/connection-function-code';
import { MtlsDistribution, MtlsDistributionProps } from '../../modules/mtls-distribution';
import { RevocationStore } from '../../modules/revocation-store';
import { ViewerTrustStore } from '../../modules/viewer-trust-store';
import { FIXTURE_FUNCTION } from './support/temp-project';

Testing.setupJest();

const GOOD = "import cf from 'cloudfront';\nasync function connectionHandler(connection) {\n  connection.allow();\n}\n";

function newStack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'test');
}

describe('RevocationStore', () => {
  it('declares the KeyValueStore and the canary key in it', () => {
    const stack = newStack();
    const rs = new RevocationStore(stack, 'rs', { storeName: 'conngate-dev-revoked-serials', canarySerial: '0badc0de0badc0de' });
    const synth = Testing.synth(stack);
    expect(synth).toHaveResourceWithProperties(CloudfrontKeyValueStore, { name: 'conngate-dev-revoked-serials', comment: 'Revoked client-certificate serials (conngate)' });
    expect(synth).toHaveResourceWithProperties(CloudfrontkeyvaluestoreKey, {
      key: '0badc0de0badc0de', value: 'conngate-canary', key_value_store_arn: `\${aws_cloudfront_key_value_store.${stack.getLogicalId(rs.store)}.arn}`,
    });
  });

  it('declares no key without a canary', () => {
    const stack = newStack();
    new RevocationStore(stack, 'rs', { storeName: 's1' });
    expect(Testing.synth(stack)).not.toHaveResource(CloudfrontkeyvaluestoreKey);
  });

  it('rejects a bad store name and a non-canonical canary, naming the prop and the fix', () => {
    expect(() => new RevocationStore(newStack(), 'rs', { storeName: 'bad name!' }))
      .toThrow(/RevocationStore storeName: invalid KeyValueStore name "bad name!".*\(fix: /);
    expect(() => new RevocationStore(newStack(), 'rs', { storeName: 's', canarySerial: '0B:AD:C0:DE' }))
      .toThrow('RevocationStore canarySerial: "0B:AD:C0:DE" is not in canonical form (fix: write it as "0badc0de"');
    expect(() => new RevocationStore(newStack(), 'rs', { storeName: 's', canarySerial: 'xyz' }))
      .toThrow(/canarySerial: "xyz" is not a hex certificate serial/);
  });
});

describe('ConnectionFunction', () => {
  it('declares the function with runtime cloudfront-js-2.0, the store association and publish = false', () => {
    const stack = newStack();
    const store = new RevocationStore(stack, 'rs', { storeName: 'store' });
    const fn = new ConnectionFunction(stack, 'cf', { code: ConnectionFunctionCode.fromInline(GOOD), functionName: 'conngate-dev-check', keyValueStore: store });
    const synth = Testing.synth(stack);
    expect(synth).toHaveResourceWithProperties(CloudfrontConnectionFunction, {
      name: 'conngate-dev-check',
      connection_function_code: GOOD,
      publish: false,
      connection_function_config: [{
        runtime: 'cloudfront-js-2.0',
        comment: 'conngate connection function conngate-dev-check',
        key_value_store_association: [{ key_value_store_arn: `\${aws_cloudfront_key_value_store.${stack.getLogicalId(store.store)}.arn}` }],
      }],
    });
    expect(fn.candidateSha256).toBe(require('node:crypto').createHash('sha256').update(GOOD).digest('hex'));
  });

  it('reads fromFile and hashes exactly the file bytes', () => {
    const code = ConnectionFunctionCode.fromFile(FIXTURE_FUNCTION);
    const bytes = fs.readFileSync(FIXTURE_FUNCTION);
    expect(code.code).toBe(bytes.toString('utf8'));
    expect(code.sha256).toBe(require('node:crypto').createHash('sha256').update(bytes).digest('hex'));
    expect(code.source).toBe(path.relative(process.cwd(), FIXTURE_FUNCTION));
  });

  it('reports a missing file with its path', () => {
    expect(() => ConnectionFunctionCode.fromFile('functions/nope.js')).toThrow(/^functions\/nope\.js: connection function code: file not found \(fix: /);
  });

  const reject = (code: string, name = 'fn') =>
    () => new ConnectionFunction(newStack(), 'cf', { code: ConnectionFunctionCode.fromInline(code, 'functions/x.js'), functionName: name });

  it('rejects code over 10 KB', () => {
    const big = GOOD + `// ${'x'.repeat(10 * 1024)}\n`;
    expect(reject(big)).toThrow(/^functions\/x\.js: connection function code is \d+ bytes, over CloudFront's 10 KB limit .*\(fix: shrink/);
  });

  it('accepts code of exactly 10240 bytes', () => {
    const pad = 10240 - Buffer.byteLength(GOOD) - 4;
    const exact = `${GOOD}// ${'x'.repeat(pad)}\n`;
    expect(Buffer.byteLength(exact)).toBe(10240);
    expect(reject(exact)).not.toThrow();
  });

  it('rejects code that does not parse, with line:column', () => {
    expect(reject('function connectionHandler(c) {\n  c.allow(;\n}\n'))
      .toThrow(/^functions\/x\.js:2:11: connection function code does not parse as JavaScript: Unexpected token \(fix: correct the syntax at line 2, column 11\)/);
  });

  it('rejects an export statement', () => {
    expect(reject('export function connectionHandler(c) { c.allow(); }\n'))
      .toThrow(/^functions\/x\.js:1: connection function code has an `export` statement.*\(fix: remove `export`/);
  });

  it('rejects code without a top-level connectionHandler function', () => {
    expect(reject('function handler(c) { c.allow(); }\n'))
      .toThrow(/^functions\/x\.js: connection function code has no top-level `connectionHandler` function \(fix: declare/);
    // Nested is not top level.
    expect(reject('function outer() { function connectionHandler(c) {} }\n')).toThrow(/no top-level `connectionHandler`/);
    // A variable is not the documented entry point either.
    expect(reject('const connectionHandler = (c) => c.allow();\n')).toThrow(/no top-level `connectionHandler`/);
  });

  it('rejects imports cloudfront-js-2.0 does not have, the same way the local runtime does', () => {
    expect(reject("import fs from 'fs';\nfunction connectionHandler(c) { c.allow(); }\n"))
      .toThrow(/^functions\/x\.js:1:1: unsupported import: cloudfront-js-2\.0 only allows `import cf from 'cloudfront'`/);
    expect(() => reject("import cf from 'cloudfront';\nfunction connectionHandler(c) { c.allow(); }\n")()).not.toThrow();
  });

  it('rejects an invalid name', () => {
    expect(reject(GOOD, 'has space')).toThrow(/^ConnectionFunction functionName: invalid name "has space".*\(fix: /);
    expect(reject(GOOD, 'x'.repeat(65))).toThrow(/invalid name/);
  });

  it('rejects reserved conngate: tags', () => {
    expect(() => new ConnectionFunction(newStack(), 'cf', { code: ConnectionFunctionCode.fromInline(GOOD), functionName: 'f', tags: { 'conngate:evidence': 'x' } }))
      .toThrow(/ConnectionFunction tags: key "conngate:evidence" uses the reserved/);
  });
});

describe('MtlsDistribution', () => {
  const base = (over: Partial<MtlsDistributionProps> = {}): MtlsDistributionProps => ({
    mode: 'required',
    trustStore: ViewerTrustStore.fromS3CaBundle('my-trust-store', { bucket: 'ca-bucket', key: 'bundle.pem', region: 'us-east-1', version: 'v1' }),
    origin: { domainName: 'api.example.com' },
    ...over,
  });

  it('serves HTTPS only with viewer mTLS against a trust store built from the S3 CA bundle', () => {
    const stack = newStack();
    const fn = new ConnectionFunction(stack, 'cf', { code: ConnectionFunctionCode.fromInline(GOOD), functionName: 'f' });
    const d = new MtlsDistribution(stack, 'd', base({ connectionFunction: fn, ignoreCertificateExpiry: true, advertiseTrustStoreCaNames: true }));
    const synth = Testing.synth(stack);
    expect(synth).toHaveResourceWithProperties(CloudfrontTrustStore, {
      name: 'my-trust-store',
      ca_certificates_bundle_source: [{ ca_certificates_bundle_s3_location: [{ bucket: 'ca-bucket', key: 'bundle.pem', region: 'us-east-1', version: 'v1' }] }],
    });
    expect(synth).toHaveResourceWithProperties(CloudfrontDistributionWithMtls, {
      enabled: true,
      default_cache_behavior: expect.objectContaining({ viewer_protocol_policy: 'https-only', cache_policy_id: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad' }),
      origin: [expect.objectContaining({ domain_name: 'api.example.com', custom_origin_config: expect.objectContaining({ origin_protocol_policy: 'https-only' }) })],
      viewer_certificate: { cloudfront_default_certificate: true },
      viewer_mtls_config: {
        mode: 'required',
        trust_store_config: {
          trust_store_id: `\${aws_cloudfront_trust_store.${stack.getLogicalId(d.trustStore!)}.id}`,
          ignore_certificate_expiry: true,
          advertise_trust_store_ca_names: true,
        },
      },
      connection_function_association: { id: `\${aws_cloudfront_connection_function.${stack.getLogicalId(fn.resource)}.id}` },
    });
  });

  it('uses an existing trust store id, defaults the flags to false, and can leave the association out', () => {
    const stack = newStack();
    const d = new MtlsDistribution(stack, 'd', base({ mode: 'optional', trustStore: ViewerTrustStore.fromTrustStoreId('ts-existing') }));
    const synth = Testing.synth(stack);
    expect(synth).not.toHaveResource(CloudfrontTrustStore);
    const res = JSON.parse(synth).resource.aws_cloudfront_distribution[stack.getLogicalId(d.distribution)];
    expect(res.viewer_mtls_config).toEqual({
      mode: 'optional',
      trust_store_config: { trust_store_id: 'ts-existing', ignore_certificate_expiry: false, advertise_trust_store_ca_names: false },
    });
    expect(res).not.toHaveProperty('connection_function_association');
  });

  it('uses the ACM certificate with aliases', () => {
    const stack = newStack();
    new MtlsDistribution(stack, 'd', base({ aliases: ['mtls.example.com'], acmCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/x' }));
    expect(Testing.synth(stack)).toHaveResourceWithProperties(CloudfrontDistributionWithMtls, {
      aliases: ['mtls.example.com'],
      viewer_certificate: expect.objectContaining({ acm_certificate_arn: 'arn:aws:acm:us-east-1:123456789012:certificate/x', ssl_support_method: 'sni-only' }),
    });
  });

  it('validates its props, naming the prop and the fix', () => {
    expect(() => new MtlsDistribution(newStack(), 'd', base({ mode: 'sometimes' as never }))).toThrow(/MtlsDistribution mode: invalid viewer mTLS mode "sometimes" \(fix: use "required", "optional" or "passthrough"\)/);
    expect(() => new MtlsDistribution(newStack(), 'd', base({ origin: { domainName: 'https://x.example.com' } }))).toThrow(/MtlsDistribution origin.domainName: invalid origin host/);
    expect(() => new MtlsDistribution(newStack(), 'd', base({ aliases: ['a.example.com'] }))).toThrow(/MtlsDistribution aliases: aliases need a certificate \(fix: set acmCertificateArn/);
    expect(() => ViewerTrustStore.fromS3CaBundle('n', { bucket: '', key: 'k', region: 'r' })).toThrow(/location.bucket: missing bucket/);
    expect(() => ViewerTrustStore.fromTrustStoreId('')).toThrow(/empty trust store id/);
  });
});
