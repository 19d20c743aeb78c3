// Typed binding for `aws_cloudfront_trust_store` (hashicorp/aws >= 6.27.0), in the shape of the generated
// @cdktf/provider-aws bindings; the prebuilt 21.x package (provider 6.25.0) has none.
import { Construct } from 'constructs';
import * as cdktf from 'cdktf';
import { definedHclAttributes } from './hcl-attributes';
import { awsResourceConfig } from './resource-config';

/** The `ca_certificates_bundle_s3_location` block: where the PEM bundle of trusted CAs lives. */
export interface CloudfrontTrustStoreCaCertificatesBundleSourceCaCertificatesBundleS3Location {
  /** S3 bucket name (`bucket`). */
  readonly bucket: string;
  /** Object key of the PEM bundle (`key`). */
  readonly key: string;
  /** Region of the bucket (`region`). */
  readonly region: string;
  /** Object version (`version`); the latest when omitted. */
  readonly version?: string;
}

export function cloudfrontTrustStoreCaCertificatesBundleSourceCaCertificatesBundleS3LocationToTerraform(
  struct?: CloudfrontTrustStoreCaCertificatesBundleSourceCaCertificatesBundleS3Location | cdktf.IResolvable,
): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) return struct;
  const s = struct as CloudfrontTrustStoreCaCertificatesBundleSourceCaCertificatesBundleS3Location;
  return {
    bucket: cdktf.stringToTerraform(s.bucket),
    key: cdktf.stringToTerraform(s.key),
    region: cdktf.stringToTerraform(s.region),
    version: cdktf.stringToTerraform(s.version),
  };
}

export function cloudfrontTrustStoreCaCertificatesBundleSourceCaCertificatesBundleS3LocationToHclTerraform(
  struct?: CloudfrontTrustStoreCaCertificatesBundleSourceCaCertificatesBundleS3Location | cdktf.IResolvable,
): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) return struct;
  const s = struct as CloudfrontTrustStoreCaCertificatesBundleSourceCaCertificatesBundleS3Location;
  return definedHclAttributes({
    bucket: { value: cdktf.stringToHclTerraform(s.bucket), isBlock: false, type: 'simple', storageClassType: 'string' },
    key: { value: cdktf.stringToHclTerraform(s.key), isBlock: false, type: 'simple', storageClassType: 'string' },
    region: { value: cdktf.stringToHclTerraform(s.region), isBlock: false, type: 'simple', storageClassType: 'string' },
    version: { value: cdktf.stringToHclTerraform(s.version), isBlock: false, type: 'simple', storageClassType: 'string' },
  });
}

/** The `ca_certificates_bundle_source` block. */
export interface CloudfrontTrustStoreCaCertificatesBundleSource {
  /** The `ca_certificates_bundle_s3_location` block. */
  readonly caCertificatesBundleS3Location?: CloudfrontTrustStoreCaCertificatesBundleSourceCaCertificatesBundleS3Location[] | cdktf.IResolvable;
}

export function cloudfrontTrustStoreCaCertificatesBundleSourceToTerraform(
  struct?: CloudfrontTrustStoreCaCertificatesBundleSource | cdktf.IResolvable,
): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) return struct;
  const s = struct as CloudfrontTrustStoreCaCertificatesBundleSource;
  return {
    ca_certificates_bundle_s3_location: cdktf.listMapper(
      cloudfrontTrustStoreCaCertificatesBundleSourceCaCertificatesBundleS3LocationToTerraform, true)(s.caCertificatesBundleS3Location),
  };
}

export function cloudfrontTrustStoreCaCertificatesBundleSourceToHclTerraform(
  struct?: CloudfrontTrustStoreCaCertificatesBundleSource | cdktf.IResolvable,
): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) return struct;
  const s = struct as CloudfrontTrustStoreCaCertificatesBundleSource;
  return definedHclAttributes({
    ca_certificates_bundle_s3_location: {
      value: cdktf.listMapperHcl(
        cloudfrontTrustStoreCaCertificatesBundleSourceCaCertificatesBundleS3LocationToHclTerraform, true)(s.caCertificatesBundleS3Location),
      isBlock: true,
      type: 'list',
      storageClassType: 'CloudfrontTrustStoreCaCertificatesBundleSourceCaCertificatesBundleS3LocationList',
    },
  });
}

/** The `timeouts` block (Go duration strings such as "30m"). */
export interface CloudfrontTrustStoreTimeouts {
  readonly create?: string;
  readonly update?: string;
  readonly delete?: string;
}

export function cloudfrontTrustStoreTimeoutsToTerraform(struct?: CloudfrontTrustStoreTimeouts | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) return struct;
  const s = struct as CloudfrontTrustStoreTimeouts;
  return {
    create: cdktf.stringToTerraform(s.create),
    delete: cdktf.stringToTerraform(s.delete),
    update: cdktf.stringToTerraform(s.update),
  };
}

export function cloudfrontTrustStoreTimeoutsToHclTerraform(struct?: CloudfrontTrustStoreTimeouts | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) return struct;
  const s = struct as CloudfrontTrustStoreTimeouts;
  return definedHclAttributes({
    create: { value: cdktf.stringToHclTerraform(s.create), isBlock: false, type: 'simple', storageClassType: 'string' },
    delete: { value: cdktf.stringToHclTerraform(s.delete), isBlock: false, type: 'simple', storageClassType: 'string' },
    update: { value: cdktf.stringToHclTerraform(s.update), isBlock: false, type: 'simple', storageClassType: 'string' },
  });
}

/** Configuration of {@link CloudfrontTrustStore}; names follow the provider schema in camelCase. */
export interface CloudfrontTrustStoreConfig extends cdktf.TerraformMetaArguments {
  /** Trust store name (`name`). */
  readonly name: string;
  /** The `ca_certificates_bundle_source` block. */
  readonly caCertificatesBundleSource?: CloudfrontTrustStoreCaCertificatesBundleSource[] | cdktf.IResolvable;
  /** Resource tags (`tags`). */
  readonly tags?: { [key: string]: string };
  /** The `timeouts` block. */
  readonly timeouts?: CloudfrontTrustStoreTimeouts;
}

/** Represents an `aws_cloudfront_trust_store` resource. */
export class CloudfrontTrustStore extends cdktf.TerraformResource {
  public static readonly tfResourceType = 'aws_cloudfront_trust_store';

  /** Generates import configuration for an existing trust store (its id). */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
    return new cdktf.ImportableResource(scope, importToId, {
      terraformResourceType: CloudfrontTrustStore.tfResourceType, importId: importFromId, provider,
    });
  }

  private _name?: string;
  private _caCertificatesBundleSource?: CloudfrontTrustStoreCaCertificatesBundleSource[] | cdktf.IResolvable;
  private _tags?: { [key: string]: string };
  private _timeouts?: CloudfrontTrustStoreTimeouts;

  public constructor(scope: Construct, id: string, config: CloudfrontTrustStoreConfig) {
    super(scope, id, awsResourceConfig(CloudfrontTrustStore.tfResourceType, config));
    this._name = config.name;
    this._caCertificatesBundleSource = config.caCertificatesBundleSource;
    this._tags = config.tags;
    this._timeouts = config.timeouts;
  }

  // computed attributes
  public get id(): string { return this.getStringAttribute('id'); }
  public get arn(): string { return this.getStringAttribute('arn'); }
  public get etag(): string { return this.getStringAttribute('etag'); }
  public get numberOfCaCertificates(): number { return this.getNumberAttribute('number_of_ca_certificates'); }
  public get tagsAll(): cdktf.StringMap { return new cdktf.StringMap(this, 'tags_all'); }

  public get name(): string { return this.getStringAttribute('name'); }
  public set name(value: string) { this._name = value; }
  public get nameInput() { return this._name; }

  public putCaCertificatesBundleSource(value: CloudfrontTrustStoreCaCertificatesBundleSource[] | cdktf.IResolvable) {
    this._caCertificatesBundleSource = value;
  }
  public resetCaCertificatesBundleSource() { this._caCertificatesBundleSource = undefined; }
  public get caCertificatesBundleSourceInput() { return this._caCertificatesBundleSource; }

  public get tags(): { [key: string]: string } { return this.getStringMapAttribute('tags'); }
  public set tags(value: { [key: string]: string }) { this._tags = value; }
  public resetTags() { this._tags = undefined; }
  public get tagsInput() { return this._tags; }

  public putTimeouts(value: CloudfrontTrustStoreTimeouts) { this._timeouts = value; }
  public resetTimeouts() { this._timeouts = undefined; }
  public get timeoutsInput() { return this._timeouts; }

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      name: cdktf.stringToTerraform(this._name),
      tags: cdktf.hashMapper(cdktf.stringToTerraform)(this._tags),
      ca_certificates_bundle_source: cdktf.listMapper(cloudfrontTrustStoreCaCertificatesBundleSourceToTerraform, true)(this._caCertificatesBundleSource),
      timeouts: cloudfrontTrustStoreTimeoutsToTerraform(this._timeouts),
    };
  }

  // cdktf 0.21 renders `cdktf synth --hcl` from this method; without it the resource would come out empty.
  protected synthesizeHclAttributes(): { [name: string]: any } {
    return definedHclAttributes({
      name: { value: cdktf.stringToHclTerraform(this._name), isBlock: false, type: 'simple', storageClassType: 'string' },
      tags: { value: cdktf.hashMapperHcl(cdktf.stringToHclTerraform)(this._tags), isBlock: false, type: 'map', storageClassType: 'stringMap' },
      ca_certificates_bundle_source: {
        value: cdktf.listMapperHcl(cloudfrontTrustStoreCaCertificatesBundleSourceToHclTerraform, true)(this._caCertificatesBundleSource),
        isBlock: true,
        type: 'list',
        storageClassType: 'CloudfrontTrustStoreCaCertificatesBundleSourceList',
      },
      timeouts: {
        value: cloudfrontTrustStoreTimeoutsToHclTerraform(this._timeouts),
        isBlock: true,
        type: 'struct',
        storageClassType: 'CloudfrontTrustStoreTimeouts',
      },
    });
  }
}
