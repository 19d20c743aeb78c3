import {
  DescribeKeyValueStoreCommand as DescribeStoreData,
  GetKeyCommand,
  UpdateKeysCommand,
  type CloudFrontKeyValueStoreClient,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
import { whileAssumingRole } from '../../diagnostics/operational-error';
import { isReservedKey } from '../../revocation/reserved-keys';
import { advanceSnapshot } from '../../revocation/store-snapshot';

/** KeyValueStore values hold at most 1 KB; conngate keeps each of its own values under that. */
export const MAX_RESERVED_VALUE_BYTES = 1000;

function errName(e: unknown): string {
  return (e as { name?: string })?.name ?? '';
}

export function isConflict(e: unknown): boolean {
  const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return errName(e) === 'ConflictException' || errName(e) === 'PreconditionFailed' || status === 409 || status === 412;
}

/** One atomic write to conngate's own keys. */
export interface StoreWrites { puts: { key: string; value: string }[]; deletes?: string[] }

/**
 * conngate's own keys in a stage's KeyValueStore (`conngate:*`, a form no serial takes), read and written with
 * compare-and-swap: every write carries If-Match with the store's ETag read before the values it replaces, so two
 * writers racing on one key cannot both succeed. Each write also moves the revocation sync's snapshot forward, so
 * conngate's own writes do not cost the sync its snapshot.
 */
export class ReservedStore {
  constructor(readonly kvs: CloudFrontKeyValueStoreClient, readonly kvsArn: string, private readonly snapshotDir?: string) {}

  async etag(): Promise<string> {
    const d = await this.kvs.send(new DescribeStoreData({ KvsARN: this.kvsArn }));
    if (!d.ETag) throw new Error(`DescribeKeyValueStore for ${this.kvsArn} returned no ETag`);
    return d.ETag;
  }

  /** The value of a reserved key, or undefined when it is absent. */
  async get(key: string): Promise<string | undefined> {
    try {
      const out = await this.kvs.send(new GetKeyCommand({ KvsARN: this.kvsArn, Key: key }));
      return out.Value;
    } catch (e) {
      // A 404 from STS while assuming the stage's role is not an absent key.
      if (!whileAssumingRole(e) && (errName(e) === 'ResourceNotFoundException' || (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404)) return undefined;
      throw e;
    }
  }

  /** One atomic UpdateKeys with If-Match `etag`; throws a conflict (isConflict) when the store moved since. */
  async write(etag: string, puts: { key: string; value: string }[], deletes: string[] = []): Promise<string> {
    for (const k of [...puts.map((p) => p.key), ...deletes]) {
      if (!isReservedKey(k)) throw new Error(`${k} is not a conngate reserved key`);
    }
    for (const p of puts) {
      if (Buffer.byteLength(p.value) > MAX_RESERVED_VALUE_BYTES) throw new Error(`value of ${p.key} is over ${MAX_RESERVED_VALUE_BYTES} bytes`);
    }
    const out = await this.kvs.send(new UpdateKeysCommand({
      KvsARN: this.kvsArn, IfMatch: etag,
      Puts: puts.length ? puts.map((p) => ({ Key: p.key, Value: p.value })) : undefined,
      Deletes: deletes.length ? deletes.map((Key) => ({ Key })) : undefined,
    }));
    if (!out.ETag) throw new Error(`UpdateKeys on ${this.kvsArn} returned no ETag`);
    // The revocation sync's snapshot learns of this write to reserved keys, so the next sync still trusts it
    // instead of listing the whole store.
    if (this.snapshotDir) advanceSnapshot(this.snapshotDir, this.kvsArn, etag, out.ETag, { puts, deletes });
    return out.ETag;
  }

  /**
   * Compare-and-swap with retries: reads the store's ETag, builds the write from what the store holds then (`build`
   * reads through this store), and writes it with If-Match; a conflict (another writer in between) starts over, at
   * most `attempts` times.
   */
  async update(build: () => Promise<StoreWrites>, attempts = 6): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const etag = await this.etag();
      const w = await build();
      try {
        return await this.write(etag, w.puts, w.deletes);
      } catch (e) {
        if (!isConflict(e) || attempt >= attempts) throw e;
      }
    }
  }
}
