import { DescribeKeyValueStoreCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { isNotFound } from '../stage/function-stages';
import { ReservedStore } from './reserved-store';

/**
 * The stage's KeyValueStore ARN by the name its stack declares, looked up with `cf` (so in the account `cf` reaches),
 * or undefined before the stage's first apply.
 */
export async function findStoreArn(cf: CloudFrontClient, storeName: string | undefined): Promise<string | undefined> {
  if (!storeName) return undefined;
  try {
    return (await cf.send(new DescribeKeyValueStoreCommand({ Name: storeName }))).KeyValueStore?.ARN;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** The stage's reserved keys, in the store found by its declared name; undefined when the store does not exist yet. */
export async function findStageStore(cf: CloudFrontClient, kvs: CloudFrontKeyValueStoreClient, storeName: string | undefined, snapshotDir?: string): Promise<ReservedStore | undefined> {
  const arn = await findStoreArn(cf, storeName);
  return arn ? new ReservedStore(kvs, arn, snapshotDir) : undefined;
}
