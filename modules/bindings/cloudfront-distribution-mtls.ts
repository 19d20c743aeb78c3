// The distribution's `viewer_mtls_config` and `connection_function_association` blocks (hashicorp/aws >= 6.28.0)
// as a typed extension of the prebuilt CloudfrontDistribution binding, which predates them.
import { Construct } from 'constructs';
import * as cdktf from 'cdktf';
import { CloudfrontDistribution, CloudfrontDistributionConfig } from '@cdktf/provider-aws/lib/cloudfront-distribution';
import { definedHclAttributes } from './hcl-attributes';

/** The `trust_store_config` block inside `viewer_mtls_config`. */
export interface CloudfrontDistributionViewerMtlsConfigTrustStoreConfig {
  /** Id of the trust store whose CAs validate client certificates (`trust_store_id`). */
  readonly trustStoreId: string;
  /** Send the trust store's CA names in the TLS CertificateRequest (`advertise_trust_store_ca_names`). */
  readonly advertiseTrustStoreCaNames?: boolean | cdktf.IResolvable;
  /** Accept expired client certificates; the connection function still sees them (`ignore_certificate_expiry`). */
  readonly ignoreCertificateExpiry?: boolean | cdktf.IResolvable;
}

export function cloudfrontDistributionViewerMtlsConfigTrustStoreConfigToTerraform(
  struct?: CloudfrontDistributionViewerMtlsConfigTrustStoreConfig | cdktf.IResolvable,
): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) return struct;
  const s = struct as CloudfrontDistributionViewerMtlsConfigTrustStoreConfig;
  return {
    advertise_trust_store_ca_names: cdktf.booleanToTerraform(s.advertiseTrustStoreCaNames),
    ignore_certificate_expiry: cdktf.booleanToTerraform(s.ignoreCertificateExpiry),
    trust_store_id: cdktf.stringToTerraform(s.trustStoreId),
  };
}

export function cloudfrontDistributionViewerMtlsConfigTrustStoreConfigToHclTerraform(
  struct?: CloudfrontDistributionViewerMtlsConfigTrustStoreConfig | cdktf.IResolvable,
): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) return struct;
  const s = struct as CloudfrontDistributionViewerMtlsConfigTrustStoreConfig;
  return definedHclAttributes({
    advertise_trust_store_ca_names: { value: cdktf.booleanToHclTerraform(s.advertiseTrustStoreCaNames), isBlock: false, type: 'simple', storageClassType: 'boolean' },
    ignore_certificate_expiry: { value: cdktf.booleanToHclTerraform(s.ignoreCertificateExpiry), isBlock: false, type: 'simple', storageClassType: 'boolean' },
    trust_store_id: { value: cdktf.stringToHclTerraform(s.trustStoreId), isBlock: false, type: 'simple', storageClassType: 'string' },
  });
}

/**
 * Viewer mTLS mode: `required` rejects handshakes without a client certificate, `optional` lets them through, and
 * `passthrough` (no trust store) hands every connection, with or without a certificate, to the connection function.
 */
export type ViewerMtlsMode = 'required' | 'optional' | 'passthrough';

/** The `viewer_mtls_config` block. */
export interface CloudfrontDistributionViewerMtlsConfig {
  /** `required`, `optional` or `passthrough` (`mode`); set it explicitly, the provider's default is not documented. */
  readonly mode?: ViewerMtlsMode | string;
  /** The `trust_store_config` block; absent in passthrough mode. */
  readonly trustStoreConfig?: CloudfrontDistributionViewerMtlsConfigTrustStoreConfig;
}

export function cloudfrontDistributionViewerMtlsConfigToTerraform(
  struct?: CloudfrontDistributionViewerMtlsConfig | cdktf.IResolvable,
): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) return struct;
  const s = struct as CloudfrontDistributionViewerMtlsConfig;
  return {
    mode: cdktf.stringToTerraform(s.mode),
    trust_store_config: cloudfrontDistributionViewerMtlsConfigTrustStoreConfigToTerraform(s.trustStoreConfig),
  };
}

export function cloudfrontDistributionViewerMtlsConfigToHclTerraform(
  struct?: CloudfrontDistributionViewerMtlsConfig | cdktf.IResolvable,
): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) return struct;
  const s = struct as CloudfrontDistributionViewerMtlsConfig;
  return definedHclAttributes({
    mode: { value: cdktf.stringToHclTerraform(s.mode), isBlock: false, type: 'simple', storageClassType: 'string' },
    trust_store_config: {
      value: cloudfrontDistributionViewerMtlsConfigTrustStoreConfigToHclTerraform(s.trustStoreConfig),
      isBlock: true,
      type: 'list',
      storageClassType: 'CloudfrontDistributionViewerMtlsConfigTrustStoreConfigList',
    },
  });
}

/** The `connection_function_association` block. */
export interface CloudfrontDistributionConnectionFunctionAssociation {
  /** The connection function's id (not its ARN); the function must be LIVE (`id`). */
  readonly id: string;
}

export function cloudfrontDistributionConnectionFunctionAssociationToTerraform(
  struct?: CloudfrontDistributionConnectionFunctionAssociation | cdktf.IResolvable,
): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) return struct;
  const s = struct as CloudfrontDistributionConnectionFunctionAssociation;
  return { id: cdktf.stringToTerraform(s.id) };
}

export function cloudfrontDistributionConnectionFunctionAssociationToHclTerraform(
  struct?: CloudfrontDistributionConnectionFunctionAssociation | cdktf.IResolvable,
): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) return struct;
  const s = struct as CloudfrontDistributionConnectionFunctionAssociation;
  return definedHclAttributes({
    id: { value: cdktf.stringToHclTerraform(s.id), isBlock: false, type: 'simple', storageClassType: 'string' },
  });
}

/** CloudfrontDistributionConfig plus the two blocks provider 6.28.0 added. */
export interface CloudfrontDistributionWithMtlsConfig extends CloudfrontDistributionConfig {
  /** The `viewer_mtls_config` block. */
  readonly viewerMtlsConfig?: CloudfrontDistributionViewerMtlsConfig;
  /** The `connection_function_association` block. */
  readonly connectionFunctionAssociation?: CloudfrontDistributionConnectionFunctionAssociation;
}

/**
 * An `aws_cloudfront_distribution` with typed `viewer_mtls_config` and `connection_function_association` blocks.
 * Everything else is the prebuilt binding; the two blocks join its synthesized attributes.
 */
export class CloudfrontDistributionWithMtls extends CloudfrontDistribution {
  // Not `_viewerMtlsConfig` / `_connectionFunctionAssociation`: @cdktn/provider-aws's newer base class has fields of
  // those names (its own blocks), and a subclass field of the same name would replace them under its synthesis.
  private _mtlsViewerMtlsConfig?: CloudfrontDistributionViewerMtlsConfig;
  private _mtlsConnectionFunctionAssociation?: CloudfrontDistributionConnectionFunctionAssociation;

  public constructor(scope: Construct, id: string, config: CloudfrontDistributionWithMtlsConfig) {
    super(scope, id, config);
    this._mtlsViewerMtlsConfig = config.viewerMtlsConfig;
    this._mtlsConnectionFunctionAssociation = config.connectionFunctionAssociation;
  }

  public putViewerMtlsConfig(value: CloudfrontDistributionViewerMtlsConfig) { this._mtlsViewerMtlsConfig = value; }
  public resetViewerMtlsConfig() { this._mtlsViewerMtlsConfig = undefined; }
  public get viewerMtlsConfigInput() { return this._mtlsViewerMtlsConfig; }

  public putConnectionFunctionAssociation(value: CloudfrontDistributionConnectionFunctionAssociation) {
    this._mtlsConnectionFunctionAssociation = value;
  }
  public resetConnectionFunctionAssociation() { this._mtlsConnectionFunctionAssociation = undefined; }
  public get connectionFunctionAssociationInput() { return this._mtlsConnectionFunctionAssociation; }

  /** The associated connection function id as Terraform sees it after apply. */
  public get connectionFunctionAssociationId(): string {
    return this.getStringAttribute('connection_function_association.0.id');
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      ...super.synthesizeAttributes(),
      viewer_mtls_config: cloudfrontDistributionViewerMtlsConfigToTerraform(this._mtlsViewerMtlsConfig),
      connection_function_association: cloudfrontDistributionConnectionFunctionAssociationToTerraform(this._mtlsConnectionFunctionAssociation),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    return {
      ...super.synthesizeHclAttributes(),
      ...definedHclAttributes({
        viewer_mtls_config: {
          value: cloudfrontDistributionViewerMtlsConfigToHclTerraform(this._mtlsViewerMtlsConfig),
          isBlock: true,
          type: 'list',
          storageClassType: 'CloudfrontDistributionViewerMtlsConfigList',
        },
        connection_function_association: {
          value: cloudfrontDistributionConnectionFunctionAssociationToHclTerraform(this._mtlsConnectionFunctionAssociation),
          isBlock: true,
          type: 'list',
          storageClassType: 'CloudfrontDistributionConnectionFunctionAssociationList',
        },
      }),
    };
  }
}
