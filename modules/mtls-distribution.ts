import { Construct } from 'constructs';
import { CloudfrontDistributionWithMtls, ViewerMtlsMode } from './bindings/cloudfront-distribution-mtls';
import { AwsccCloudfrontTrustStore } from './bindings/awscc-cloudfront-trust-store';
import { CloudfrontTrustStore } from './bindings/cloudfront-trust-store';
import { checkPassthroughConditions } from './passthrough-conditions';
import { ViewerTrustStore } from './viewer-trust-store';
import { UserError } from '../diagnostics/user-error';

/** AWS managed cache policy "CachingDisabled": an mTLS front door should not serve one client's response to another. */
export const CACHING_DISABLED_POLICY_ID = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

/** A connection function to associate; a ConnectionFunction fits. */
export interface IConnectionFunctionRef {
  /** The function id (not the ARN). */
  readonly functionId: string;
}

/** The origin behind the distribution. */
export interface MtlsOrigin {
  /** Origin host name, e.g. "api.example.com" (no scheme, no path). */
  readonly domainName: string;
  /**
   * Path prefix added to origin requests.
   * @default none
   */
  readonly originPath?: string;
}

/** Properties of an {@link MtlsDistribution}. */
export interface MtlsDistributionProps {
  /**
   * Viewer mTLS mode, set explicitly: `required` rejects handshakes without a client certificate; `passthrough`
   * has no trust store and hands every connection to the connection function.
   */
  readonly mode: ViewerMtlsMode;
  /**
   * Trust store validating client certificates: `ViewerTrustStore.fromS3CaBundle` or `.fromTrustStoreId`.
   * Required in `required` and `optional` mode; must be absent in `passthrough` mode.
   * @default none (passthrough only)
   */
  readonly trustStore?: ViewerTrustStore;
  /**
   * Cache policy of the default behavior. Passthrough mode accepts only CachingDisabled.
   * @default CACHING_DISABLED_POLICY_ID
   */
  readonly cachePolicyId?: string;
  /**
   * Origin Shield region; not allowed in passthrough mode.
   * @default no Origin Shield
   */
  readonly originShieldRegion?: string;
  /**
   * Lambda@Edge associations of the default behavior; not allowed in passthrough mode.
   * @default none
   */
  readonly lambdaFunctionAssociations?: { eventType: string; lambdaArn: string; includeBody?: boolean }[];
  /** The HTTPS origin requests go to. */
  readonly origin: MtlsOrigin;
  /**
   * Let expired client certificates through trust-store validation (the connection function still sees them).
   * @default false
   */
  readonly ignoreCertificateExpiry?: boolean;
  /**
   * Advertise the trust store's CA names in the TLS handshake so clients can pick a certificate.
   * @default false
   */
  readonly advertiseTrustStoreCaNames?: boolean;
  /**
   * Connection function to associate; it must be LIVE, so a first deploy leaves it out.
   * @default not associated
   */
  readonly connectionFunction?: IConnectionFunctionRef;
  /**
   * Alternate domain names; they need `acmCertificateArn`.
   * @default none (the *.cloudfront.net name)
   */
  readonly aliases?: string[];
  /**
   * ACM certificate (us-east-1) for the aliases.
   * @default the CloudFront default certificate
   */
  readonly acmCertificateArn?: string;
  /**
   * Comment on the distribution.
   * @default "conngate viewer-mTLS distribution"
   */
  readonly comment?: string;
  /**
   * CloudFront price class.
   * @default "PriceClass_100"
   */
  readonly priceClass?: string;
  /**
   * Tags on the distribution and the trust store it creates.
   * @default no tags
   */
  readonly tags?: Record<string, string>;
}

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
