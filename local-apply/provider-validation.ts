/**
 * The value checks the pinned hashicorp/aws provider makes before it plans, for the arguments conngate emits, so
 * that a stack the real provider would reject also fails the local apply, with the provider's own wording (one
 * line: the provider's multi-line diagnostics are joined). Each rule cites the provider source file and validator;
 * docs/local-apply.md lists them. Values that are still references are checked after they resolve, as Terraform
 * does with unknown values, i.e. not here.
 */

/** One validated argument of one resource type. */
export interface ProviderRule {
  readonly type: string;
  /** Dotted argument path; nested blocks are walked whatever their multiplicity. */
  readonly path: string;
  /** terraform-provider-aws file and validator the rule follows. */
  readonly source: string;
  /** The provider's message for a rejected value, or undefined when it accepts it (absent values pass). */
  readonly check: (value: unknown) => string | undefined;
}

const CF = 'internal/service/cloudfront';
const quoted = (values: readonly string[]) => `[${values.map((v) => `"${v}"`).join(' ')}]`;
const isRef = (v: unknown) => typeof v === 'string' && v.includes('${');

/** SDKv2 `enum.Validate[T]()` / `validation.StringInSlice` through ToDiagFunc: the message names the last path step. */
function stringInSlice(attr: string, values: readonly string[]) {
  return (v: unknown) => (typeof v === 'string' && !values.includes(v) ? `expected ${attr} to be one of ${quoted(values)}, got ${v}` : undefined);
}

/** SDKv2 `validation.IntBetween`. */
function intBetween(attr: string, min: number, max: number) {
  return (v: unknown) => (typeof v === 'number' && (v < min || v > max || !Number.isInteger(v)) ? `expected ${attr} to be in the range (${min} - ${max}), got ${v}` : undefined);
}

/** SDKv2 `validation.StringLenBetween`. */
function stringLenBetween(attr: string, min: number, max: number) {
  return (v: unknown) => (typeof v === 'string' && (v.length < min || v.length > max) ? `expected length of ${attr} to be in the range (${min} - ${max}), got ${v}` : undefined);
}

/** Framework `stringvalidator.RegexMatches` (the description is the message when one is given). */
function regexMatches(attr: string, re: RegExp, message?: string) {
  return (v: unknown) => (typeof v === 'string' && !re.test(v)
    ? `Attribute ${attr} ${message ?? `value must match regular expression '${re.source}'`}, got: ${v}` : undefined);
}

/** Framework `stringvalidator.LengthBetween`. */
function lengthBetween(attr: string, min: number, max: number) {
  return (v: unknown) => (typeof v === 'string' && (v.length < min || v.length > max) ? `Attribute ${attr} string length must be between ${min} and ${max}, got: ${v.length}` : undefined);
}

/** Framework `fwtypes.StringEnumType[T]` (ValidateAttribute; the provider appends "" to the valid values). */
function stringEnum(path: string, values: readonly string[]) {
  return (v: unknown) => (typeof v === 'string' && v !== '' && !values.includes(v)
    ? `Invalid String Enum Value: The provided value does not match any valid values. Path: ${path} Given Value: ${v} Valid Values: [${[...values, ''].join(' ')}]` : undefined);
}

/** Framework `listvalidator.IsRequired()` on a block. */
function blockRequired(block: string) {
  return (v: unknown) => (v === undefined || (Array.isArray(v) && v.length === 0)
    ? `Block ${block} must have a configuration value as the provider has marked it as required` : undefined);
}

export const PROVIDER_RULES: readonly ProviderRule[] = [
  // aws_cloudfront_connection_function (terraform-plugin-framework)
  { type: 'aws_cloudfront_connection_function', path: 'name', source: `${CF}/connection_function.go: stringvalidator.RegexMatches(^[a-zA-Z0-9-_]{1,64}$, ""); RequiresReplace`,
    check: regexMatches('name', /^[a-zA-Z0-9-_]{1,64}$/) },
  { type: 'aws_cloudfront_connection_function', path: 'connection_function_config', source: `${CF}/connection_function.go: listvalidator.IsRequired(), SizeAtLeast(1), SizeAtMost(1)`,
    check: blockRequired('connection_function_config') },
  { type: 'aws_cloudfront_connection_function', path: 'connection_function_config.runtime', source: `${CF}/connection_function.go: fwtypes.StringEnumType[awstypes.FunctionRuntime]`,
    check: stringEnum('connection_function_config[0].runtime', ['cloudfront-js-1.0', 'cloudfront-js-2.0']) },
  // aws_cloudfront_trust_store (terraform-plugin-framework)
  { type: 'aws_cloudfront_trust_store', path: 'ca_certificates_bundle_source', source: `${CF}/trust_store.go: listvalidator.SizeAtMost(1), IsRequired()`,
    check: blockRequired('ca_certificates_bundle_source') },
  { type: 'aws_cloudfront_trust_store', path: 'ca_certificates_bundle_source.ca_certificates_bundle_s3_location', source: `${CF}/trust_store.go: listvalidator.SizeAtMost(1), IsRequired()`,
    check: blockRequired('ca_certificates_bundle_s3_location') },
  // aws_cloudfront_key_value_store (terraform-plugin-framework)
  { type: 'aws_cloudfront_key_value_store', path: 'name', source: `${CF}/key_value_store.go: stringvalidator.LengthBetween(1, 64); RequiresReplace`,
    check: lengthBetween('name', 1, 64) },
  { type: 'aws_cloudfront_key_value_store', path: 'name', source: `${CF}/key_value_store.go: stringvalidator.RegexMatches(^[a-zA-Z0-9-_]{1,64}$, "must contain only alphanumeric characters, hyphens, and underscores")`,
    check: regexMatches('name', /^[a-zA-Z0-9-_]{1,64}$/, 'must contain only alphanumeric characters, hyphens, and underscores') },
  // aws_cloudfront_distribution (terraform-plugin-sdk v2)
  { type: 'aws_cloudfront_distribution', path: 'viewer_mtls_config.mode', source: `${CF}/distribution.go: enum.Validate[awstypes.ViewerMtlsMode]() (SDK enum of the released providers; hashicorp/terraform-provider-aws #47926)`,
    check: stringInSlice('mode', ['required', 'optional']) },
  { type: 'aws_cloudfront_distribution', path: 'comment', source: `${CF}/distribution.go: validation.StringLenBetween(0, 128)`,
    check: stringLenBetween('comment', 0, 128) },
  { type: 'aws_cloudfront_distribution', path: 'http_version', source: `${CF}/distribution.go: StringInSlice(HttpVersion values)`,
    check: stringInSlice('http_version', ['http1.1', 'http2', 'http3', 'http2and3']) },
  { type: 'aws_cloudfront_distribution', path: 'default_cache_behavior.viewer_protocol_policy', source: `${CF}/distribution.go: StringInSlice(ViewerProtocolPolicy values)`,
    check: stringInSlice('viewer_protocol_policy', ['allow-all', 'https-only', 'redirect-to-https']) },
  { type: 'aws_cloudfront_distribution', path: 'restrictions.geo_restriction.restriction_type', source: `${CF}/distribution.go: StringInSlice(GeoRestrictionType values)`,
    check: stringInSlice('restriction_type', ['blacklist', 'whitelist', 'none']) },
  { type: 'aws_cloudfront_distribution', path: 'origin.connection_attempts', source: `${CF}/distribution.go: validation.IntBetween(1, 3)`,
    check: intBetween('connection_attempts', 1, 3) },
  { type: 'aws_cloudfront_distribution', path: 'origin.connection_timeout', source: `${CF}/distribution.go: validation.IntBetween(1, 10)`,
    check: intBetween('connection_timeout', 1, 10) },
  { type: 'aws_cloudfront_distribution', path: 'origin.custom_origin_config.origin_protocol_policy', source: `${CF}/distribution.go: StringInSlice(OriginProtocolPolicy values)`,
    check: stringInSlice('origin_protocol_policy', ['http-only', 'match-viewer', 'https-only']) },
  { type: 'aws_cloudfront_distribution', path: 'origin.custom_origin_config.origin_read_timeout', source: `${CF}/distribution.go: validation.IntBetween(1, 180)`,
    check: intBetween('origin_read_timeout', 1, 180) },
  { type: 'aws_cloudfront_distribution', path: 'viewer_certificate.ssl_support_method', source: `${CF}/distribution.go: StringInSlice(SSLSupportMethod values)`,
    check: stringInSlice('ssl_support_method', ['sni-only', 'vip', 'static-ip']) },
];

/** Every value at `path` in a normalized config (blocks are objects or arrays of objects). */
function valuesAt(config: unknown, path: string[]): unknown[] {
  if (path.length === 0) return [config];
  const items = Array.isArray(config) ? config : [config];
  return items.flatMap((item) => (item && typeof item === 'object' ? valuesAt((item as Record<string, unknown>)[path[0]], path.slice(1)) : []));
}

/**
 * The first provider message for `config` of resource `type` (already normalized by the local-apply schema), or
 * undefined when the provider would accept it. A required block is checked only where its parent exists.
 */
export function providerValidationError(type: string, config: Record<string, unknown>, rules = PROVIDER_RULES): string | undefined {
  for (const rule of rules) {
    if (rule.type !== type) continue;
    const path = rule.path.split('.');
    const parents = valuesAt(config, path.slice(0, -1)).filter((p) => p && typeof p === 'object');
    for (const parent of parents) {
      for (const v of valuesAt(parent, path.slice(-1))) {
        if (isRef(v)) continue;
        const problem = rule.check(v);
        if (problem) return problem;
      }
    }
  }
  return undefined;
}
