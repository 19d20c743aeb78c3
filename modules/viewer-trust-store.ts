import { Construct } from 'constructs';
import { AwsccCloudfrontTrustStore } from './bindings/awscc-cloudfront-trust-store';
import { CloudfrontTrustStore } from './bindings/cloudfront-trust-store';
import { checkCaBundleRotates } from './ca-bundle-rotation';
import { UserError } from '../diagnostics/user-error';

/** Where a PEM bundle of trusted client-certificate CAs lives in S3. */
export interface CaBundleS3Location {
  /** Bucket name. */
  readonly bucket: string;
  /** Object key of the PEM bundle. */
  readonly key: string;
  /** Region of the bucket. */
  readonly region: string;
  /**
   * Object version. Required unless the key is content-derived (holds the bundle's SHA-256): CloudFront reads the
   * bundle once, at creation, so only a new version or key rotates the CAs.
   * @default none (then the key must be content-derived)
   */
  readonly version?: string;
}

/** Options of {@link ViewerTrustStore.fromS3CaBundle}. */
export interface S3CaBundleOptions {
  /**
   * Make CloudFront check each client certificate's OCSP responder (UseClientCertificateOCSPEndpoint); connection
   * functions then receive `clientCertificate.revocationStatus`. hashicorp/aws cannot set this, so the trust store
   * is declared as `awscc_cloudfront_trust_store` (hashicorp/awscc) instead.
   * @default false
   */
  readonly ocsp?: boolean;
  /**
   * Accept a location without version or content-derived key. Only for a placeholder that is never deployed for
   * real (the built-in default stage config); such a trust store would never pick up a new bundle.
   * @default false
   */
  readonly unversionedPlaceholder?: boolean;
  /**
   * Tags for the awscc trust store (OCSP): hashicorp/aws `default_tags` do not reach awscc resources.
   * @default the tags passed to bind()
   */
  readonly awsccTags?: Record<string, string>;
}

/** What a distribution's viewer mTLS validates client certificates against, after binding into a scope. */
export interface BoundViewerTrustStore {
  /** Trust store id (token or literal). */
  readonly trustStoreId: string;
  /** The trust store resource, when this stack creates it. */
  readonly resource?: CloudfrontTrustStore | AwsccCloudfrontTrustStore;
  /** Whether CloudFront checks client certificates' OCSP responders (only known for stores created here). */
  readonly ocsp?: boolean;
}

/** The trust store of a viewer-mTLS distribution: created here from an S3 CA bundle, or an existing one by id. */
export abstract class ViewerTrustStore {
  /** Creates a trust store named `trustStoreName` from the PEM CA bundle at `location`. */
  public static fromS3CaBundle(trustStoreName: string, location: CaBundleS3Location, options: S3CaBundleOptions = {}): ViewerTrustStore {
    if (!trustStoreName) {
      throw new UserError('ViewerTrustStore.fromS3CaBundle trustStoreName', 'empty trust store name', 'pass a name such as "conngate-dev-trust-store"');
    }
    for (const k of ['bucket', 'key', 'region'] as const) {
      if (!location[k]) {
        throw new UserError(`ViewerTrustStore.fromS3CaBundle location.${k}`, `missing ${k} of the CA bundle in S3`,
          'give bucket, key and region of the PEM bundle (mtls.trustStore.caBundle in conngate.config.json)');
      }
    }
    if (!options.unversionedPlaceholder) checkCaBundleRotates(location, 'ViewerTrustStore.fromS3CaBundle location.version');
    return new S3BundleTrustStore(trustStoreName, location, options.ocsp ?? false, options.awsccTags);
  }

  /** Uses a trust store that already exists (managed elsewhere). */
  public static fromTrustStoreId(trustStoreId: string): ViewerTrustStore {
    if (!trustStoreId) {
      throw new UserError('ViewerTrustStore.fromTrustStoreId', 'empty trust store id',
        'pass the id shown by `aws cloudfront list-trust-stores`');
    }
    return new ExistingTrustStore(trustStoreId);
  }

  /** Declares whatever the source needs in `scope` and returns the trust store id to reference. */
  public abstract bind(scope: Construct, tags?: Record<string, string>): BoundViewerTrustStore;
}

class S3BundleTrustStore extends ViewerTrustStore {
  constructor(private readonly name: string, private readonly location: CaBundleS3Location, private readonly ocsp: boolean,
    private readonly awsccTags?: Record<string, string>) {
    super();
  }
  bind(scope: Construct, tags?: Record<string, string>): BoundViewerTrustStore {
    if (this.ocsp) {
      const cc = new AwsccCloudfrontTrustStore(scope, 'TrustStore', {
        name: this.name,
        caCertificatesBundleSource: { caCertificatesBundleS3Location: { ...this.location } },
        useClientCertificateOcspEndpoint: true,
        tags: { ...(this.awsccTags ?? {}), ...(tags ?? {}) },
      });
      return { trustStoreId: cc.trustStoreId, resource: cc, ocsp: true };
    }
    const resource = new CloudfrontTrustStore(scope, 'TrustStore', {
      name: this.name,
      caCertificatesBundleSource: [{
        caCertificatesBundleS3Location: [{
          bucket: this.location.bucket,
          key: this.location.key,
          region: this.location.region,
          version: this.location.version,
        }],
      }],
      tags: tags && Object.keys(tags).length > 0 ? tags : undefined,
    });
    return { trustStoreId: resource.id, resource, ocsp: false };
  }
}

class ExistingTrustStore extends ViewerTrustStore {
  constructor(private readonly id: string) {
    super();
  }
  bind(): BoundViewerTrustStore {
    return { trustStoreId: this.id };
  }
}
