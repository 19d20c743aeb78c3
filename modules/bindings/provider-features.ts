import { UserError } from '../../diagnostics/user-error';

/**
 * What conngate synthesizes that older provider releases do not accept, and the first release that does. A stack
 * is checked against this table when it is synthesized (see {@link applyProviderFeatures}): a feature no released
 * provider has is refused, and the `required_providers` lower bound becomes the newest first release among the
 * features the stack actually uses, so `terraform init` never picks a release that would reject the stack at plan.
 */
export interface ProviderFeature {
  /** Short name used in messages, e.g. `viewer_mtls_config.mode = "passthrough"`. */
  readonly name: string;
  readonly provider: 'aws' | 'awscc';
  /** First released provider version that accepts it, or 'none released'. */
  readonly since: string | 'none released';
  /** Where the version comes from: a changelog entry, a provider source file, or the open issue/PR. */
  readonly source: string;
  /** The supported way while no release has it (only for 'none released'). */
  readonly instead?: string;
  /** The stage config field that asks for it, for the refusal's location. */
  readonly configField?: string;
  /** True when the synthesized stack document uses the feature. */
  readonly usedBy: (doc: TerraformDocument) => boolean;
}

/** The parts of a synthesized Terraform JSON document the checks read. */
export interface TerraformDocument {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  terraform?: { required_providers?: Record<string, { source?: string; version?: string }> };
}

/** The first element of a nested block, written by cdktf either as an object or as a one-element list. */
function block(v: unknown): Record<string, unknown> | undefined {
  const b = Array.isArray(v) ? v[0] : v;
  return b && typeof b === 'object' ? b as Record<string, unknown> : undefined;
}

function resources(doc: TerraformDocument, type: string): Record<string, unknown>[] {
  return Object.values(doc.resource?.[type] ?? {});
}

const hasResource = (type: string) => (doc: TerraformDocument) => resources(doc, type).length > 0;
const distributionUses = (pick: (d: Record<string, unknown>) => unknown) =>
  (doc: TerraformDocument) => resources(doc, 'aws_cloudfront_distribution').some((d) => pick(d) !== undefined && pick(d) !== null);

/** The oldest hashicorp/aws release conngate allows when no feature below asks for more. */
export const AWS_PROVIDER_FLOOR = '6.28.0';
/** The next major release, excluded: its schema changes are unknown. */
export const AWS_PROVIDER_CEILING = '7.0.0';
export const AWSCC_PROVIDER_FLOOR = '1.97.0';
export const AWSCC_PROVIDER_CEILING = '2.0.0';

export const PROVIDER_FEATURES: readonly ProviderFeature[] = [
  {
    name: 'aws_cloudfront_key_value_store', provider: 'aws', since: '5.37.0',
    source: 'hashicorp/terraform-provider-aws CHANGELOG 5.37.0 (New Resource: aws_cloudfront_key_value_store)',
    usedBy: hasResource('aws_cloudfront_key_value_store'),
  },
  {
    name: 'aws_cloudfront_trust_store', provider: 'aws', since: '6.27.0',
    source: 'hashicorp/terraform-provider-aws CHANGELOG 6.27.0: "New Resource: aws_cloudfront_trust_store (#45534)"; internal/service/cloudfront/trust_store.go',
    usedBy: hasResource('aws_cloudfront_trust_store'),
  },
  {
    name: 'aws_cloudfront_connection_function', provider: 'aws', since: '6.28.0',
    source: 'hashicorp/terraform-provider-aws CHANGELOG 6.28.0 (New Resource: aws_cloudfront_connection_function); internal/service/cloudfront/connection_function.go (@FrameworkResource)',
    usedBy: hasResource('aws_cloudfront_connection_function'),
  },
  {
    name: 'aws_cloudfront_distribution viewer_mtls_config', provider: 'aws', since: '6.28.0',
    source: 'hashicorp/terraform-provider-aws CHANGELOG 6.28.0: "resource/aws_cloudfront_distribution: Add connection_function_association and viewer_mtls_config arguments (#45847)"',
    usedBy: distributionUses((d) => d.viewer_mtls_config),
  },
  {
    name: 'aws_cloudfront_distribution connection_function_association', provider: 'aws', since: '6.28.0',
    source: 'hashicorp/terraform-provider-aws CHANGELOG 6.28.0: "resource/aws_cloudfront_distribution: Add connection_function_association and viewer_mtls_config arguments (#45847)"',
    usedBy: distributionUses((d) => d.connection_function_association),
  },
  {
    name: 'aws_cloudfront_key_value_store tags', provider: 'aws', since: '6.66.0',
    source: 'the generated bindings of hashicorp/aws 6.66.0 (@cdktn/provider-aws 25.7.0) have tags on aws_cloudfront_key_value_store; the first release with it is not pinned down here, so the oldest one known to have it is required',
    usedBy: (doc) => resources(doc, 'aws_cloudfront_key_value_store').some((s) => s.tags !== undefined),
  },
  {
    name: 'aws_cloudfront_trust_store tags', provider: 'aws', since: '6.66.0',
    source: 'internal/service/cloudfront/trust_store.go as first released has no tags attribute; the generated bindings of hashicorp/aws 6.66.0 (@cdktn/provider-aws 25.7.0) have it; the first release with it is not pinned down here, so the oldest one known to have it is required',
    usedBy: (doc) => resources(doc, 'aws_cloudfront_trust_store').some((t) => t.tags !== undefined),
  },
  {
    name: 'viewer_mtls_config.mode = "passthrough"', provider: 'aws', since: 'none released',
    source: 'every released hashicorp/aws validates mode against the SDK enum it was built with ("expected mode to be one of [\\"required\\" \\"optional\\"], got passthrough"): hashicorp/terraform-provider-aws issues #47926 and #47929, fix in open PR #47930',
    instead: 'passthrough cannot be deployed with any released hashicorp/aws; use mode "required" or "optional" with a trust store until a release accepts it',
    configField: 'mtls.mode',
    usedBy: distributionUses((d) => (block(d.viewer_mtls_config)?.mode === 'passthrough' ? true : undefined)),
  },
  {
    name: 'aws_cloudfront_trust_store use_client_certificate_ocsp_endpoint', provider: 'aws', since: 'none released',
    source: 'hashicorp/terraform-provider-aws issue #47927, fix in open PR #47931',
    instead: 'set trustStore.ocsp in the stage config: conngate then declares awscc_cloudfront_trust_store, which has the argument',
    configField: 'mtls.trustStore.ocsp',
    usedBy: (doc) => resources(doc, 'aws_cloudfront_trust_store').some((t) => t.use_client_certificate_ocsp_endpoint !== undefined),
  },
  {
    name: 'awscc_cloudfront_trust_store use_client_certificate_ocsp_endpoint', provider: 'awscc', since: AWSCC_PROVIDER_FLOOR,
    source: 'hashicorp/awscc generated schema of awscc_cloudfront_trust_store (the oldest release whose bindings were seen with it; an older one may have it too)',
    usedBy: hasResource('awscc_cloudfront_trust_store'),
  },
];

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** The `required_providers` constraint for `provider` given the features `doc` uses. */
export function providerConstraint(doc: TerraformDocument, provider: 'aws' | 'awscc', features = PROVIDER_FEATURES): string {
  const [floor, ceiling] = provider === 'aws' ? [AWS_PROVIDER_FLOOR, AWS_PROVIDER_CEILING] : [AWSCC_PROVIDER_FLOOR, AWSCC_PROVIDER_CEILING];
  const lower = features
    .filter((f) => f.provider === provider && f.since !== 'none released' && f.usedBy(doc))
    .map((f) => f.since)
    .reduce((max, v) => (compareVersions(v, max) > 0 ? v : max), floor);
  return `>= ${lower}, < ${ceiling}`;
}

/**
 * Refuses a stack that needs a feature no released provider has (one line: the feature, the provider issue, the
 * supported way), and sets the aws (and awscc, when declared) `required_providers` constraints from the features
 * the stack uses. `where` names the place that asked for a refused feature.
 */
export function applyProviderFeatures<T extends TerraformDocument>(doc: T, where: (f: ProviderFeature) => string, features = PROVIDER_FEATURES): T {
  for (const f of features) {
    if (f.since === 'none released' && f.usedBy(doc)) {
      throw new UserError(where(f), `${f.name} is accepted by no released hashicorp/${f.provider} provider (${f.source})`, f.instead ?? 'remove it');
    }
  }
  const providers = doc.terraform?.required_providers;
  if (providers?.aws) providers.aws.version = providerConstraint(doc, 'aws', features);
  if (providers?.awscc) providers.awscc.version = providerConstraint(doc, 'awscc', features);
  return doc;
}
