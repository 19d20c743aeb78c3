// The local apply validates values as the pinned hashicorp/aws provider does: for each validated argument one value
// it accepts and one it rejects, with the provider's own message, before any request is sent.
import { UserError } from '../../diagnostics/user-error';
import { PROVIDER_RULES, providerValidationError } from '../../local-apply/provider-validation';
import { RESOURCE_APPLIERS } from '../../local-apply/resource-appliers';
import { parseStackDocument } from '../../local-apply/stack-document';

const FILE = '/out/stacks/dev/cdk.tf.json';

/** Valid configs in the shape cdktf synthesizes (nested blocks as lists or objects, as it writes them). */
const BASE: Record<string, () => Record<string, any>> = {
  aws_cloudfront_connection_function: () => ({
    name: 'fn', connection_function_code: 'function connectionHandler(c) { c.allow(); }', publish: false,
    connection_function_config: [{ comment: 'c', runtime: 'cloudfront-js-2.0' }],
  }),
  aws_cloudfront_trust_store: () => ({
    name: 'ts', ca_certificates_bundle_source: [{ ca_certificates_bundle_s3_location: [{ bucket: 'b', key: 'k', region: 'us-east-1', version: 'v1' }] }],
  }),
  aws_cloudfront_key_value_store: () => ({ name: 'store', comment: 'c' }),
  aws_cloudfront_distribution: () => ({
    enabled: true, comment: 'c', http_version: 'http2',
    origin: [{ origin_id: 'o', domain_name: 'api.example.com', connection_attempts: 3, connection_timeout: 10,
      custom_origin_config: { http_port: 80, https_port: 443, origin_protocol_policy: 'https-only', origin_ssl_protocols: ['TLSv1.2'], origin_read_timeout: 30 } }],
    default_cache_behavior: { target_origin_id: 'o', viewer_protocol_policy: 'https-only', allowed_methods: ['GET'], cached_methods: ['GET'], cache_policy_id: 'p' },
    restrictions: { geo_restriction: { restriction_type: 'none' } },
    viewer_certificate: { cloudfront_default_certificate: true, ssl_support_method: 'sni-only' },
    viewer_mtls_config: { mode: 'required', trust_store_config: { trust_store_id: 'ts-1' } },
  }),
};

/** Sets (or with `undefined`, removes) the argument at a dotted path, into the first element of list blocks. */
function withValue(config: Record<string, any>, path: string, value: unknown): Record<string, any> {
  const parts = path.split('.');
  let at: any = config;
  for (const p of parts.slice(0, -1)) at = Array.isArray(at[p]) ? at[p][0] : at[p];
  if (value === undefined) delete at[parts[parts.length - 1]];
  else at[parts[parts.length - 1]] = value;
  return config;
}

const ABSENT = undefined;
const CASES: [type: string, path: string, accepted: unknown, rejected: unknown, message: string][] = [
  ['aws_cloudfront_connection_function', 'name', 'conngate-dev_fn-1', 'bad name!', `Attribute name value must match regular expression '^[a-zA-Z0-9-_]{1,64}$', got: bad name!`],
  ['aws_cloudfront_connection_function', 'connection_function_config', [{ comment: 'c', runtime: 'cloudfront-js-2.0' }], ABSENT, 'Block connection_function_config must have a configuration value as the provider has marked it as required'],
  ['aws_cloudfront_connection_function', 'connection_function_config.runtime', 'cloudfront-js-1.0', 'cloudfront-js-3.0', 'Invalid String Enum Value: The provided value does not match any valid values. Path: connection_function_config[0].runtime Given Value: cloudfront-js-3.0 Valid Values: [cloudfront-js-1.0 cloudfront-js-2.0 ]'],
  ['aws_cloudfront_trust_store', 'ca_certificates_bundle_source', [{ ca_certificates_bundle_s3_location: [{ bucket: 'b', key: 'k', region: 'r' }] }], ABSENT, 'Block ca_certificates_bundle_source must have a configuration value as the provider has marked it as required'],
  ['aws_cloudfront_trust_store', 'ca_certificates_bundle_source.ca_certificates_bundle_s3_location', [{ bucket: 'b', key: 'k', region: 'r' }], ABSENT, 'Block ca_certificates_bundle_s3_location must have a configuration value as the provider has marked it as required'],
  ['aws_cloudfront_key_value_store', 'name', 'x'.repeat(64), 'x'.repeat(65), 'Attribute name string length must be between 1 and 64, got: 65'],
  ['aws_cloudfront_key_value_store', 'name', 'revoked_serials-1', 'revoked.serials', 'Attribute name must contain only alphanumeric characters, hyphens, and underscores, got: revoked.serials'],
  ['aws_cloudfront_distribution', 'viewer_mtls_config.mode', 'optional', 'passthrough', 'expected mode to be one of ["required" "optional"], got passthrough'],
  ['aws_cloudfront_distribution', 'comment', 'c'.repeat(128), 'c'.repeat(129), `expected length of comment to be in the range (0 - 128), got ${'c'.repeat(129)}`],
  ['aws_cloudfront_distribution', 'http_version', 'http2and3', 'http2.5', 'expected http_version to be one of ["http1.1" "http2" "http3" "http2and3"], got http2.5'],
  ['aws_cloudfront_distribution', 'default_cache_behavior.viewer_protocol_policy', 'redirect-to-https', 'https', 'expected viewer_protocol_policy to be one of ["allow-all" "https-only" "redirect-to-https"], got https'],
  ['aws_cloudfront_distribution', 'restrictions.geo_restriction.restriction_type', 'whitelist', 'allowlist', 'expected restriction_type to be one of ["blacklist" "whitelist" "none"], got allowlist'],
  ['aws_cloudfront_distribution', 'origin.connection_attempts', 1, 4, 'expected connection_attempts to be in the range (1 - 3), got 4'],
  ['aws_cloudfront_distribution', 'origin.connection_timeout', 1, 11, 'expected connection_timeout to be in the range (1 - 10), got 11'],
  ['aws_cloudfront_distribution', 'origin.custom_origin_config.origin_protocol_policy', 'match-viewer', 'https', 'expected origin_protocol_policy to be one of ["http-only" "match-viewer" "https-only"], got https'],
  ['aws_cloudfront_distribution', 'origin.custom_origin_config.origin_read_timeout', 180, 181, 'expected origin_read_timeout to be in the range (1 - 180), got 181'],
  ['aws_cloudfront_distribution', 'viewer_certificate.ssl_support_method', 'vip', 'sni', 'expected ssl_support_method to be one of ["sni-only" "vip" "static-ip"], got sni'],
];

test('every rule has its accepted/rejected case here', () => {
  const covered = new Set(CASES.map(([type, path]) => `${type} ${path}`));
  for (const r of PROVIDER_RULES) expect(covered).toContain(`${r.type} ${r.path}`);
});

describe.each(CASES)('%s %s', (type, path, accepted, rejected, message) => {
  test('accepts the valid value', () => {
    expect(providerValidationError(type, withValue(BASE[type](), path, accepted))).toBeUndefined();
  });
  test('rejects the invalid one with the provider\'s message', () => {
    expect(providerValidationError(type, withValue(BASE[type](), path, rejected))).toBe(message);
  });
});

test('a value that is still a reference is left to the apply, as Terraform leaves unknown values', () => {
  expect(providerValidationError('aws_cloudfront_distribution',
    withValue(BASE.aws_cloudfront_distribution(), 'viewer_mtls_config.mode', '${aws_x.y.mode}'))).toBeUndefined();
});

test('a stack with mode passthrough fails the local apply before any request, in one line with the provider message', () => {
  const doc = { resource: { aws_cloudfront_distribution: { D: withValue(BASE.aws_cloudfront_distribution(), 'viewer_mtls_config.mode', 'passthrough') } } };
  let err: unknown;
  try { parseStackDocument(doc, FILE, RESOURCE_APPLIERS); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(UserError);
  expect((err as Error).message).toBe(`${FILE} aws_cloudfront_distribution.D: hashicorp/aws would reject this: `
    + 'expected mode to be one of ["required" "optional"], got passthrough (fix: change the value in the stage config or construct that produced it, then synthesize again)');
});
