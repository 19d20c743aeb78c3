import { Construct } from 'constructs';
import { CloudfrontTrustStore } from './bindings/cloudfront-trust-store';
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
   * Object version.
   * @default the latest version
   */
  readonly version?: string;
}

/** What a distribution's viewer mTLS validates client certificates against, after binding into a scope. */
export interface BoundViewerTrustStore {
  /** Trust store id (token or literal). */
  readonly trustStoreId: string;
  /** The trust store resource, when this stack creates it. */
  readonly resource?: CloudfrontTrustStore;
}

/** The trust store of a viewer-mTLS distribution: created here from an S3 CA bundle, or an existing one by id. */
export abstract class ViewerTrustStore {
  /** Creates a trust store named `trustStoreName` from the PEM CA bundle at `location`. */
  public static fromS3CaBundle(trustStoreName: string, location: CaBundleS3Location): ViewerTrustStore {
    if (!trustStoreName) {
      throw new UserError('ViewerTrustStore.fromS3CaBundle trustStoreName', 'empty trust store name', 'pass a name such as "conngate-dev-trust-store"');
    }
    for (const k of ['bucket', 'key', 'region'] as const) {
      if (!location[k]) {
        throw new UserError(`ViewerTrustStore.fromS3CaBundle location.${k}`, `missing ${k} of the CA bundle in S3`,
          'give bucket, key and region of the PEM bundle (mtls.trustStore.caBundle in conngate.config.json)');
      }
    }
    return new S3BundleTrustStore(trustStoreName, location);
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
  constructor(private readonly name: string, private readonly location: CaBundleS3Location) {
    super();
  }
  bind(scope: Construct, tags?: Record<string, string>): BoundViewerTrustStore {
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
    return { trustStoreId: resource.id, resource };
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
