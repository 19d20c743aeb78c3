import { Construct } from 'constructs';
import { CloudfrontDistributionWithMtls } from './bindings/cloudfront-distribution-mtls';
import { AwsccCloudfrontTrustStore } from './bindings/awscc-cloudfront-trust-store';
import { CloudfrontTrustStore } from './bindings/cloudfront-trust-store';
import { checkPassthroughConditions } from './passthrough-conditions';
import type { MtlsDistributionProps } from './mtls-distribution-props';
import { UserError } from '../diagnostics/user-error';

/** AWS managed cache policy "CachingDisabled": an mTLS front door should not serve one client's response to another. */
export const CACHING_DISABLED_POLICY_ID = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

export type { IConnectionFunctionRef, MtlsDistributionProps, MtlsOrigin } from './mtls-distribution-props';

/**
 * A CloudFront distribution that serves HTTPS only, requires (or offers) viewer mTLS against a trust store, and
 * runs a connection function on every new TLS connection once associated.
 */
export class MtlsDistribution extends Construct {
  /** The distribution resource. */
  public readonly distribution: CloudfrontDistributionWithMtls;
  /** The trust store resource, when this construct created it. */
  public readonly trustStore?: CloudfrontTrustStore | AwsccCloudfrontTrustStore;
  /** Trust store id (token or literal); empty in passthrough mode. */
  public readonly trustStoreId: string;
  /** Whether the trust store checks client certificates' OCSP responders (false when unknown or passthrough). */
  public readonly ocsp: boolean;
  /** True when the connection function association is declared. */
  public readonly functionAssociated: boolean;

  public constructor(scope: Construct, id: string, props: MtlsDistributionProps) {
    super(scope, id);
    if (props.mode !== 'required' && props.mode !== 'optional' && props.mode !== 'passthrough') {
      throw new UserError('MtlsDistribution mode', `invalid viewer mTLS mode "${String(props.mode)}"`, 'use "required", "optional" or "passthrough"');
    }
    if (props.mode === 'passthrough') checkPassthroughConditions(props, CACHING_DISABLED_POLICY_ID);
    else if (!props.trustStore) {
      throw new UserError('MtlsDistribution trustStore', `mode "${props.mode}" needs a trust store`,
        'pass ViewerTrustStore.fromS3CaBundle(...) or .fromTrustStoreId(...), or use mode "passthrough"');
    }
    if (!props.origin?.domainName || /[/:]/.test(props.origin.domainName)) {
      throw new UserError('MtlsDistribution origin.domainName', `invalid origin host "${props.origin?.domainName ?? ''}"`,
        'give a bare host name such as "api.example.com" (no scheme, port or path)');
    }
    if (props.aliases && props.aliases.length > 0 && !props.acmCertificateArn) {
      throw new UserError('MtlsDistribution aliases', 'aliases need a certificate', 'set acmCertificateArn to an ACM certificate in us-east-1 covering the aliases');
    }
    const bound = props.trustStore?.bind(this, props.tags);
    this.trustStore = bound?.resource;
    this.trustStoreId = bound?.trustStoreId ?? '';
    this.ocsp = bound?.ocsp ?? false;
    this.functionAssociated = props.connectionFunction !== undefined;
    const originId = 'origin';

    this.distribution = new CloudfrontDistributionWithMtls(this, 'Distribution', {
      enabled: true,
      comment: props.comment ?? 'conngate viewer-mTLS distribution',
      priceClass: props.priceClass ?? 'PriceClass_100',
      httpVersion: 'http2',
      aliases: props.aliases && props.aliases.length > 0 ? props.aliases : undefined,
      origin: [{
        originId,
        domainName: props.origin.domainName,
        originPath: props.origin.originPath,
        originShield: props.originShieldRegion ? { enabled: true, originShieldRegion: props.originShieldRegion } : undefined,
        customOriginConfig: {
          httpPort: 80,
          httpsPort: 443,
          originProtocolPolicy: 'https-only',
          originSslProtocols: ['TLSv1.2'],
        },
      }],
      defaultCacheBehavior: {
        targetOriginId: originId,
        viewerProtocolPolicy: 'https-only',
        allowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'],
        cachedMethods: ['GET', 'HEAD'],
        cachePolicyId: props.cachePolicyId ?? CACHING_DISABLED_POLICY_ID,
        compress: true,
        lambdaFunctionAssociation: props.lambdaFunctionAssociations && props.lambdaFunctionAssociations.length > 0
          ? props.lambdaFunctionAssociations : undefined,
      },
      restrictions: { geoRestriction: { restrictionType: 'none' } },
      viewerCertificate: props.acmCertificateArn
        ? { acmCertificateArn: props.acmCertificateArn, sslSupportMethod: 'sni-only', minimumProtocolVersion: 'TLSv1.2_2021' }
        : { cloudfrontDefaultCertificate: true },
      viewerMtlsConfig: {
        mode: props.mode,
        trustStoreConfig: bound ? {
          trustStoreId: bound.trustStoreId,
          ignoreCertificateExpiry: props.ignoreCertificateExpiry ?? false,
          advertiseTrustStoreCaNames: props.advertiseTrustStoreCaNames ?? false,
        } : undefined,
      },
      connectionFunctionAssociation: props.connectionFunction ? { id: props.connectionFunction.functionId } : undefined,
      tags: props.tags && Object.keys(props.tags).length > 0 ? props.tags : undefined,
    });
  }

  /** Distribution id token. */
  public get distributionId(): string { return this.distribution.id; }
  /** Distribution domain name token (d123.cloudfront.net). */
  public get domainName(): string { return this.distribution.domainName; }
}
