import { awsccTrustStoreApplier } from './awscc-trust-store-applier';
import { connectionFunctionApplier } from './connection-function-applier';
import { distributionApplier } from './distribution-applier';
import { keyValueStoreApplier } from './key-value-store-applier';
import { keyValueStoreKeyApplier } from './key-value-store-key-applier';
import type { ResourceApplier } from './resource-applier';
import { trustStoreApplier } from './trust-store-applier';

/** Every resource type the local applier supports: exactly what the stage stacks declare. */
export const RESOURCE_APPLIERS: ReadonlyMap<string, ResourceApplier> = new Map(
  [keyValueStoreApplier, keyValueStoreKeyApplier, trustStoreApplier, awsccTrustStoreApplier, connectionFunctionApplier, distributionApplier]
    .map((a) => [a.type, a]),
);

/**
 * Deletion order for resources the stack no longer declares (or replaced ones): dependents before what they use.
 * The supported types form a fixed graph (distribution -> function, trust store; function -> store; key -> store),
 * so a rank per type is exact and does not need the dependencies of resources that are gone from the stack.
 */
export const DESTROY_RANK: Readonly<Record<string, number>> = {
  aws_cloudfront_distribution: 0,
  aws_cloudfront_connection_function: 1,
  aws_cloudfrontkeyvaluestore_key: 2,
  aws_cloudfront_trust_store: 3,
  awscc_cloudfront_trust_store: 3,
  aws_cloudfront_key_value_store: 4,
};
