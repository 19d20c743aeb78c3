import * as cdktf from 'cdktf';
import { CONNGATE_AWS_PROVIDER_METADATA } from './provider-metadata';

/**
 * What a binding here hands to `TerraformResource`: its resource type, the provider metadata these bindings model,
 * and the Terraform meta-arguments (provider, depends_on, count, for_each, lifecycle, provisioners, connection) from
 * the caller's config. The generated bindings spell this list out in every constructor; here it is written once so
 * no binding can drop one.
 */
export function awsResourceConfig(terraformResourceType: string, config: cdktf.TerraformMetaArguments,
  terraformGeneratorMetadata: cdktf.TerraformProviderGeneratorMetadata = CONNGATE_AWS_PROVIDER_METADATA): cdktf.TerraformResourceConfig {
  return {
    terraformResourceType,
    terraformGeneratorMetadata,
    provider: config.provider,
    dependsOn: config.dependsOn,
    count: config.count,
    lifecycle: config.lifecycle,
    provisioners: config.provisioners,
    connection: config.connection,
    forEach: config.forEach,
  };
}
