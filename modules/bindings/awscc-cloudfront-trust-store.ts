// Typed binding for `awscc_cloudfront_trust_store` (hashicorp/awscc, generated from the CloudFormation resource
// AWS::CloudFront::TrustStore). It is the managed way to set UseClientCertificateOCSPEndpoint while hashicorp/aws
// cannot. Unlike the aws binding, awscc models nested objects as attributes (nesting "single"), not blocks, and
// tags as a list of {key, value}.
import { Construct } from 'constructs';
import * as cdktf from 'cdktf';
import { definedHclAttributes } from './hcl-attributes';
import { AWSCC_PROVIDER_METADATA } from './provider-metadata';
import { awsResourceConfig } from './resource-config';

/** The `ca_certificates_bundle_s3_location` attribute. */
export interface AwsccCloudfrontTrustStoreS3Location {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  /** S3 object version: CloudFront reads the bundle once, so a new version is what rotates the CAs. */
  readonly version?: string;
}

/** Configuration of {@link AwsccCloudfrontTrustStore}; names follow the awscc schema in camelCase. */
export interface AwsccCloudfrontTrustStoreConfig extends cdktf.TerraformMetaArguments {
  /** Trust store name (`name`, required). */
  readonly name: string;
  /** `ca_certificates_bundle_source.ca_certificates_bundle_s3_location`. */
  readonly caCertificatesBundleSource: { readonly caCertificatesBundleS3Location: AwsccCloudfrontTrustStoreS3Location };
  /** Check each client certificate's OCSP responder (`use_client_certificate_ocsp_endpoint`). */
  readonly useClientCertificateOcspEndpoint?: boolean;
  /** Tags (`tags`, a list of key/value objects in awscc). */
  readonly tags?: { [key: string]: string };
}

function s3LocationToTerraform(l: AwsccCloudfrontTrustStoreS3Location): Record<string, unknown> {
  return {
    bucket: cdktf.stringToTerraform(l.bucket),
    key: cdktf.stringToTerraform(l.key),
    region: cdktf.stringToTerraform(l.region),
    version: cdktf.stringToTerraform(l.version),
  };
}

function tagsToTerraform(tags?: { [key: string]: string }): Array<{ key: string; value: string }> | undefined {
  if (!tags || Object.keys(tags).length === 0) return undefined;
  return Object.entries(tags).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => ({ key, value }));
}

/** Represents an `awscc_cloudfront_trust_store` resource. */
export class AwsccCloudfrontTrustStore extends cdktf.TerraformResource {
  public static readonly tfResourceType = 'awscc_cloudfront_trust_store';

  private readonly config: AwsccCloudfrontTrustStoreConfig;

  public constructor(scope: Construct, id: string, config: AwsccCloudfrontTrustStoreConfig) {
    super(scope, id, awsResourceConfig(AwsccCloudfrontTrustStore.tfResourceType, config, AWSCC_PROVIDER_METADATA));
    this.config = config;
  }

  /** CloudFront's trust store id (`trust_store_id`), what a distribution's trust_store_config references. */
  public get trustStoreId(): string { return this.getStringAttribute('trust_store_id'); }
  /** Cloud Control identifier (`id`). */
  public get id(): string { return this.getStringAttribute('id'); }
  public get arn(): string { return this.getStringAttribute('arn'); }
  public get eTag(): string { return this.getStringAttribute('e_tag'); }
  public get status(): string { return this.getStringAttribute('status'); }
  public get numberOfCaCertificates(): number { return this.getNumberAttribute('number_of_ca_certificates'); }
  public get useClientCertificateOcspEndpointInput(): boolean | undefined { return this.config.useClientCertificateOcspEndpoint; }

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      name: cdktf.stringToTerraform(this.config.name),
      ca_certificates_bundle_source: {
        ca_certificates_bundle_s3_location: s3LocationToTerraform(this.config.caCertificatesBundleSource.caCertificatesBundleS3Location),
      },
      use_client_certificate_ocsp_endpoint: cdktf.booleanToTerraform(this.config.useClientCertificateOcspEndpoint),
      tags: tagsToTerraform(this.config.tags),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    const loc = this.config.caCertificatesBundleSource.caCertificatesBundleS3Location;
    return definedHclAttributes({
      name: { value: cdktf.stringToHclTerraform(this.config.name), isBlock: false, type: 'simple', storageClassType: 'string' },
      ca_certificates_bundle_source: {
        value: { ca_certificates_bundle_s3_location: Object.fromEntries(Object.entries(s3LocationToTerraform(loc)).filter(([, v]) => v !== undefined)) },
        isBlock: false, type: 'simple', storageClassType: 'CloudfrontTrustStoreCaCertificatesBundleSource',
      },
      use_client_certificate_ocsp_endpoint: {
        value: cdktf.booleanToHclTerraform(this.config.useClientCertificateOcspEndpoint), isBlock: false, type: 'simple', storageClassType: 'boolean',
      },
      tags: { value: tagsToTerraform(this.config.tags), isBlock: false, type: 'list', storageClassType: 'CloudfrontTrustStoreTagsList' },
    });
  }
}
