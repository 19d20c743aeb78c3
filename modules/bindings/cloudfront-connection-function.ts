// Typed binding for `aws_cloudfront_connection_function` (hashicorp/aws >= 6.28.0), written in the shape of the
// generated @cdktf/provider-aws bindings because the prebuilt 21.x package (provider 6.25.0) has none.
import { Construct } from 'constructs';
import * as cdktf from 'cdktf';
import { definedHclAttributes } from './hcl-attributes';
import { awsResourceConfig } from './resource-config';

/** One `key_value_store_association` block inside `connection_function_config`. */
export interface CloudfrontConnectionFunctionConnectionFunctionConfigKeyValueStoreAssociation {
  /** ARN of the KeyValueStore the function reads through `cf.kvs()` (`key_value_store_arn`). */
  readonly keyValueStoreArn: string;
}

export function cloudfrontConnectionFunctionConnectionFunctionConfigKeyValueStoreAssociationToTerraform(
  struct?: CloudfrontConnectionFunctionConnectionFunctionConfigKeyValueStoreAssociation | cdktf.IResolvable,
): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) return struct;
  const s = struct as CloudfrontConnectionFunctionConnectionFunctionConfigKeyValueStoreAssociation;
  return { key_value_store_arn: cdktf.stringToTerraform(s.keyValueStoreArn) };
}

export function cloudfrontConnectionFunctionConnectionFunctionConfigKeyValueStoreAssociationToHclTerraform(
  struct?: CloudfrontConnectionFunctionConnectionFunctionConfigKeyValueStoreAssociation | cdktf.IResolvable,
): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) return struct;
  const s = struct as CloudfrontConnectionFunctionConnectionFunctionConfigKeyValueStoreAssociation;
  return definedHclAttributes({
    key_value_store_arn: { value: cdktf.stringToHclTerraform(s.keyValueStoreArn), isBlock: false, type: 'simple', storageClassType: 'string' },
  });
}

/** The `connection_function_config` block. */
export interface CloudfrontConnectionFunctionConnectionFunctionConfig {
  /** Free-text comment shown in the console (`comment`). */
  readonly comment: string;
  /** Function runtime (`runtime`); CloudFront accepts only `cloudfront-js-2.0` for connection functions. */
  readonly runtime: string;
  /** `key_value_store_association` blocks (CloudFront allows one store per function). */
  readonly keyValueStoreAssociation?: CloudfrontConnectionFunctionConnectionFunctionConfigKeyValueStoreAssociation[] | cdktf.IResolvable;
}

export function cloudfrontConnectionFunctionConnectionFunctionConfigToTerraform(
  struct?: CloudfrontConnectionFunctionConnectionFunctionConfig | cdktf.IResolvable,
): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) return struct;
  const s = struct as CloudfrontConnectionFunctionConnectionFunctionConfig;
  return {
    comment: cdktf.stringToTerraform(s.comment),
    runtime: cdktf.stringToTerraform(s.runtime),
    key_value_store_association: cdktf.listMapper(
      cloudfrontConnectionFunctionConnectionFunctionConfigKeyValueStoreAssociationToTerraform, true)(s.keyValueStoreAssociation),
  };
}

export function cloudfrontConnectionFunctionConnectionFunctionConfigToHclTerraform(
  struct?: CloudfrontConnectionFunctionConnectionFunctionConfig | cdktf.IResolvable,
): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) return struct;
  const s = struct as CloudfrontConnectionFunctionConnectionFunctionConfig;
  return definedHclAttributes({
    comment: { value: cdktf.stringToHclTerraform(s.comment), isBlock: false, type: 'simple', storageClassType: 'string' },
    runtime: { value: cdktf.stringToHclTerraform(s.runtime), isBlock: false, type: 'simple', storageClassType: 'string' },
    key_value_store_association: {
      value: cdktf.listMapperHcl(cloudfrontConnectionFunctionConnectionFunctionConfigKeyValueStoreAssociationToHclTerraform, true)(s.keyValueStoreAssociation),
      isBlock: true,
      type: 'list',
      storageClassType: 'CloudfrontConnectionFunctionConnectionFunctionConfigKeyValueStoreAssociationList',
    },
  });
}

/** Configuration of {@link CloudfrontConnectionFunction}; names follow the provider schema in camelCase. */
export interface CloudfrontConnectionFunctionConfig extends cdktf.TerraformMetaArguments {
  /** Function name, `[a-zA-Z0-9-_]{1,64}`; changing it replaces the function (`name`). */
  readonly name: string;
  /** The JavaScript source (`connection_function_code`). */
  readonly connectionFunctionCode: string;
  /** The `connection_function_config` block (comment, runtime, store association). */
  readonly connectionFunctionConfig?: CloudfrontConnectionFunctionConnectionFunctionConfig[] | cdktf.IResolvable;
  /** Publish DEVELOPMENT to LIVE after every change (`publish`); the provider default is false. */
  readonly publish?: boolean | cdktf.IResolvable;
  /** Resource tags (`tags`). */
  readonly tags?: { [key: string]: string };
}

/** Represents an `aws_cloudfront_connection_function` resource. */
export class CloudfrontConnectionFunction extends cdktf.TerraformResource {
  public static readonly tfResourceType = 'aws_cloudfront_connection_function';

  /** Generates import configuration for an existing connection function (its id, e.g. `cf_30c2...`). */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
    return new cdktf.ImportableResource(scope, importToId, {
      terraformResourceType: CloudfrontConnectionFunction.tfResourceType, importId: importFromId, provider,
    });
  }

  private _name?: string;
  private _connectionFunctionCode?: string;
  private _connectionFunctionConfig?: CloudfrontConnectionFunctionConnectionFunctionConfig[] | cdktf.IResolvable;
  private _publish?: boolean | cdktf.IResolvable;
  private _tags?: { [key: string]: string };

  public constructor(scope: Construct, id: string, config: CloudfrontConnectionFunctionConfig) {
    super(scope, id, awsResourceConfig(CloudfrontConnectionFunction.tfResourceType, config));
    this._name = config.name;
    this._connectionFunctionCode = config.connectionFunctionCode;
    this._connectionFunctionConfig = config.connectionFunctionConfig;
    this._publish = config.publish;
    this._tags = config.tags;
  }

  // computed attributes
  public get id(): string { return this.getStringAttribute('id'); }
  public get connectionFunctionArn(): string { return this.getStringAttribute('connection_function_arn'); }
  /** ETag of the DEVELOPMENT stage. */
  public get etag(): string { return this.getStringAttribute('etag'); }
  /** ETag of the LIVE stage (empty until published). */
  public get liveStageEtag(): string { return this.getStringAttribute('live_stage_etag'); }
  public get status(): string { return this.getStringAttribute('status'); }
  public get tagsAll(): cdktf.StringMap { return new cdktf.StringMap(this, 'tags_all'); }

  public get name(): string { return this.getStringAttribute('name'); }
  public set name(value: string) { this._name = value; }
  public get nameInput() { return this._name; }

  public get connectionFunctionCode(): string { return this.getStringAttribute('connection_function_code'); }
  public set connectionFunctionCode(value: string) { this._connectionFunctionCode = value; }
  public get connectionFunctionCodeInput() { return this._connectionFunctionCode; }

  public putConnectionFunctionConfig(value: CloudfrontConnectionFunctionConnectionFunctionConfig[] | cdktf.IResolvable) {
    this._connectionFunctionConfig = value;
  }
  public resetConnectionFunctionConfig() { this._connectionFunctionConfig = undefined; }
  public get connectionFunctionConfigInput() { return this._connectionFunctionConfig; }

  public get publish(): cdktf.IResolvable { return this.getBooleanAttribute('publish'); }
  public set publish(value: boolean | cdktf.IResolvable) { this._publish = value; }
  public resetPublish() { this._publish = undefined; }
  public get publishInput() { return this._publish; }

  public get tags(): { [key: string]: string } { return this.getStringMapAttribute('tags'); }
  public set tags(value: { [key: string]: string }) { this._tags = value; }
  public resetTags() { this._tags = undefined; }
  public get tagsInput() { return this._tags; }

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      connection_function_code: cdktf.stringToTerraform(this._connectionFunctionCode),
      name: cdktf.stringToTerraform(this._name),
      publish: cdktf.booleanToTerraform(this._publish),
      tags: cdktf.hashMapper(cdktf.stringToTerraform)(this._tags),
      connection_function_config: cdktf.listMapper(cloudfrontConnectionFunctionConnectionFunctionConfigToTerraform, true)(this._connectionFunctionConfig),
    };
  }

  // cdktf 0.21 renders `cdktf synth --hcl` from this method; without it the resource would come out empty.
  protected synthesizeHclAttributes(): { [name: string]: any } {
    return definedHclAttributes({
      connection_function_code: { value: cdktf.stringToHclTerraform(this._connectionFunctionCode), isBlock: false, type: 'simple', storageClassType: 'string' },
      name: { value: cdktf.stringToHclTerraform(this._name), isBlock: false, type: 'simple', storageClassType: 'string' },
      publish: { value: cdktf.booleanToHclTerraform(this._publish), isBlock: false, type: 'simple', storageClassType: 'boolean' },
      tags: { value: cdktf.hashMapperHcl(cdktf.stringToHclTerraform)(this._tags), isBlock: false, type: 'map', storageClassType: 'stringMap' },
      connection_function_config: {
        value: cdktf.listMapperHcl(cloudfrontConnectionFunctionConnectionFunctionConfigToHclTerraform, true)(this._connectionFunctionConfig),
        isBlock: true,
        type: 'list',
        storageClassType: 'CloudfrontConnectionFunctionConnectionFunctionConfigList',
      },
    });
  }
}

