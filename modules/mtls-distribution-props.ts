import type { ViewerMtlsMode } from './bindings/cloudfront-distribution-mtls';
import type { ViewerTrustStore } from './viewer-trust-store';

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
