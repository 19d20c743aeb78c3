import type { DistributionConfig, Origin } from '@aws-sdk/client-cloudfront';
import type { BlockSpec } from './resource-schema';

/**
 * The `aws_cloudfront_distribution` arguments the local applier supports, translated to the API's
 * DistributionConfig the way the hashicorp/aws provider builds it (including the provider's defaults for
 * arguments left unset, e.g. origin timeouts, so that a re-apply compares like with like).
 */
export const DISTRIBUTION_SCHEMA: BlockSpec = {
  block: {
    aliases: 'string-list',
    comment: 'string',
    default_root_object: 'string',
    enabled: 'bool',
    http_version: 'string',
    is_ipv6_enabled: 'bool',
    price_class: 'string',
    web_acl_id: 'string',
    tags: 'string-map',
    // Terraform-side behaviour, not sent to the API.
    wait_for_deployment: 'bool',
    retain_on_delete: 'bool',
    origin: {
      list: true,
      block: {
        domain_name: 'string',
        origin_id: 'string',
        origin_path: 'string',
        connection_attempts: 'number',
        connection_timeout: 'number',
        custom_origin_config: {
          block: {
            http_port: 'number', https_port: 'number', origin_protocol_policy: 'string', origin_ssl_protocols: 'string-list',
            origin_read_timeout: 'number', origin_keepalive_timeout: 'number',
          },
          required: ['http_port', 'https_port', 'origin_protocol_policy', 'origin_ssl_protocols'],
        },
      },
      required: ['domain_name', 'origin_id', 'custom_origin_config'],
    },
    default_cache_behavior: {
      block: {
        allowed_methods: 'string-list', cached_methods: 'string-list', target_origin_id: 'string', viewer_protocol_policy: 'string',
        cache_policy_id: 'string', origin_request_policy_id: 'string', response_headers_policy_id: 'string', compress: 'bool',
      },
      required: ['allowed_methods', 'cached_methods', 'target_origin_id', 'viewer_protocol_policy', 'cache_policy_id'],
    },
    restrictions: {
      block: { geo_restriction: { block: { restriction_type: 'string', locations: 'string-list' }, required: ['restriction_type'] } },
      required: ['geo_restriction'],
    },
    viewer_certificate: {
      block: {
        cloudfront_default_certificate: 'bool', acm_certificate_arn: 'string', iam_certificate_id: 'string',
        ssl_support_method: 'string', minimum_protocol_version: 'string',
      },
    },
    viewer_mtls_config: {
      block: {
        mode: 'string',
        trust_store_config: {
          block: { trust_store_id: 'string', advertise_trust_store_ca_names: 'bool', ignore_certificate_expiry: 'bool' },
          required: ['trust_store_id'],
        },
      },
    },
    connection_function_association: { block: { id: 'string' }, required: ['id'] },
  },
  required: ['enabled', 'origin', 'default_cache_behavior', 'restrictions', 'viewer_certificate'],
};

/** The top-level DistributionConfig fields the stack manages; the others (e.g. Logging) are left as they are. */
const MANAGED_FIELDS = [
  'Aliases', 'DefaultRootObject', 'Origins', 'DefaultCacheBehavior', 'Comment', 'PriceClass', 'Enabled',
  'ViewerCertificate', 'Restrictions', 'WebACLId', 'HttpVersion', 'IsIPV6Enabled', 'ViewerMtlsConfig',
  'ConnectionFunctionAssociation',
] as const satisfies readonly (keyof DistributionConfig)[];

type Args = Record<string, any>;

const list = <T>(items: T[] | undefined) => ({ Quantity: items?.length ?? 0, Items: items ?? [] });

/** Translates resolved, normalized arguments to the managed part of a DistributionConfig (no CallerReference). */
export function toDistributionConfig(a: Args): Omit<DistributionConfig, 'CallerReference'> {
  const dcb = a.default_cache_behavior as Args;
  const vc = a.viewer_certificate as Args;
  const geo = a.restrictions.geo_restriction as Args;
  const mtls = a.viewer_mtls_config as Args | undefined;
  return {
    Aliases: list(a.aliases as string[] | undefined),
    DefaultRootObject: a.default_root_object ?? '',
    Origins: list((a.origin as Args[]).map(toOrigin)),
    DefaultCacheBehavior: {
      TargetOriginId: dcb.target_origin_id,
      ViewerProtocolPolicy: dcb.viewer_protocol_policy,
      AllowedMethods: { ...list(dcb.allowed_methods), CachedMethods: list(dcb.cached_methods) },
      Compress: dcb.compress ?? false,
      CachePolicyId: dcb.cache_policy_id,
      OriginRequestPolicyId: dcb.origin_request_policy_id,
      ResponseHeadersPolicyId: dcb.response_headers_policy_id,
    },
    Comment: a.comment ?? '',
    PriceClass: a.price_class ?? 'PriceClass_All',
    Enabled: a.enabled,
    ViewerCertificate: {
      CloudFrontDefaultCertificate: vc.cloudfront_default_certificate ?? false,
      ACMCertificateArn: vc.acm_certificate_arn,
      IAMCertificateId: vc.iam_certificate_id,
      SSLSupportMethod: vc.ssl_support_method,
      MinimumProtocolVersion: vc.minimum_protocol_version ?? 'TLSv1',
    },
    Restrictions: { GeoRestriction: { RestrictionType: geo.restriction_type, ...list(geo.locations as string[] | undefined) } },
    WebACLId: a.web_acl_id ?? '',
    HttpVersion: a.http_version ?? 'http2',
    IsIPV6Enabled: a.is_ipv6_enabled ?? false,
    ViewerMtlsConfig: mtls ? {
      Mode: mtls.mode,
      TrustStoreConfig: mtls.trust_store_config ? {
        TrustStoreId: mtls.trust_store_config.trust_store_id,
        AdvertiseTrustStoreCaNames: mtls.trust_store_config.advertise_trust_store_ca_names ?? false,
        IgnoreCertificateExpiry: mtls.trust_store_config.ignore_certificate_expiry ?? false,
      } : undefined,
    } : undefined,
    ConnectionFunctionAssociation: a.connection_function_association ? { Id: a.connection_function_association.id } : undefined,
  };
}

function toOrigin(o: Args): Origin {
  const c = o.custom_origin_config as Args;
  return {
    Id: o.origin_id,
    DomainName: o.domain_name,
    OriginPath: o.origin_path ?? '',
    CustomHeaders: { Quantity: 0, Items: [] },
    ConnectionAttempts: o.connection_attempts ?? 3,
    ConnectionTimeout: o.connection_timeout ?? 10,
    CustomOriginConfig: {
      HTTPPort: c.http_port,
      HTTPSPort: c.https_port,
      OriginProtocolPolicy: c.origin_protocol_policy,
      OriginSslProtocols: list(c.origin_ssl_protocols),
      OriginReadTimeout: c.origin_read_timeout ?? 30,
      OriginKeepaliveTimeout: c.origin_keepalive_timeout ?? 5,
    },
  };
}

/**
 * True when `remote` already carries every managed value of `desired`. Fields CloudFront adds on its own (inside
 * a managed field) are not a difference; a managed field the stack leaves out but the remote has (such as a
 * connection-function association removed from the stack) is.
 */
export function distributionMatches(desired: Omit<DistributionConfig, 'CallerReference'>, remote: DistributionConfig): boolean {
  return MANAGED_FIELDS.every((f) => {
    const d = (desired as Record<string, unknown>)[f];
    const r = (remote as unknown as Record<string, unknown>)[f];
    return d === undefined ? isEmpty(r) : covers(d, r);
  });
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)
    || (typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every(isEmpty));
}

function covers(d: unknown, r: unknown): boolean {
  if (d === undefined) return true;
  if (Array.isArray(d)) {
    const ra = Array.isArray(r) ? r : [];
    return d.length === ra.length && d.every((v, i) => covers(v, ra[i]));
  }
  if (d && typeof d === 'object') {
    if (!r || typeof r !== 'object') return isEmpty(d);
    return Object.entries(d).every(([k, v]) => covers(v, (r as Record<string, unknown>)[k]));
  }
  if (d === '' || d === 0 || d === false) return r === d || r === undefined || r === null || r === '';
  return d === r;
}

/** The config to send on update: the remote one with the managed fields replaced (CallerReference kept). */
export function mergeForUpdate(desired: Omit<DistributionConfig, 'CallerReference'>, remote: DistributionConfig): DistributionConfig {
  const next: Record<string, unknown> = { ...(remote as unknown as Record<string, unknown>) };
  for (const f of MANAGED_FIELDS) {
    const d = (desired as Record<string, unknown>)[f];
    if (d === undefined) delete next[f];
    else next[f] = d;
  }
  return next as unknown as DistributionConfig;
}
