import { DescribeKeyValueStoreCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { isNotFound } from './function-stages';

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
