import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { readSnapshot } from '../revocation/store-snapshot';
import { readStore } from '../revocation/sync';
import type { RevokedInput } from './fuzz-types';
import { storeRevokedInput } from './revoked-input';

/**
 * A stage's revoked set, read from its KeyValueStore: the last sync's snapshot when the store's ETag still matches it,
 * else the listed keys (read-only either way). The function sees the store's whole contents.
 */
export async function readStageRevokedInput(client: CloudFrontKeyValueStoreClient, kvsArn: string, snapshotDir: string | undefined,
  stage: string, progress: (line: string) => void = () => undefined): Promise<RevokedInput> {
  const snapshot = snapshotDir ? readSnapshot(snapshotDir, kvsArn) : undefined;
  const store = await readStore(client, kvsArn, snapshot, progress);
  return storeRevokedInput(store.entries, `the KeyValueStore of stage ${stage} (${store.mode === 'snapshot' ? 'its sync snapshot, ETag confirmed' : store.mode})`);
}
