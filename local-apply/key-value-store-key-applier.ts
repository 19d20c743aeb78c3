import {
  DeleteKeyCommand, DescribeKeyValueStoreCommand, GetKeyCommand, PutKeyCommand,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
import type { StateResource } from './local-state';
import { unlessGone, type ApplyContext, type ApplyResult, type ResourceApplier } from './resource-applier';

interface KeyArgs { key_value_store_arn: string; key: string; value: string }

/**
 * `aws_cloudfrontkeyvaluestore_key` (the stage's canary serial): written through the KeyValueStore data plane,
 * PutKey with If-Match of the store's data-plane ETag (not the control-plane one). A new key or store replaces the
 * entry: the new one is written and the old one deleted at the end of the apply.
 */
export const keyValueStoreKeyApplier: ResourceApplier = {
  type: 'aws_cloudfrontkeyvaluestore_key',
  schema: { block: { key_value_store_arn: 'string', key: 'string', value: 'string' }, required: ['key_value_store_arn', 'key', 'value'] },
  exports: ['id', 'key', 'value', 'key_value_store_arn', 'total_size_in_bytes'],

  async apply(ctx: ApplyContext, _address: string, config: Record<string, unknown>, prior?: StateResource): Promise<ApplyResult> {
    const a = config as unknown as KeyArgs;
    const moved = prior !== undefined && (prior.applied.key !== a.key || prior.applied.key_value_store_arn !== a.key_value_store_arn);
    // GetKey and PutKey both report the store's total size, so no further read is needed for that attribute.
    const current = await unlessGone(() => ctx.kvs.send(new GetKeyCommand({ KvsARN: a.key_value_store_arn, Key: a.key })));
    let totalSize = current?.TotalSizeInBytes;
    let action: ApplyResult['action'] = 'no-op';
    if (current?.Value !== a.value) {
      const { ETag } = await ctx.kvs.send(new DescribeKeyValueStoreCommand({ KvsARN: a.key_value_store_arn }));
      totalSize = (await ctx.kvs.send(new PutKeyCommand({ KvsARN: a.key_value_store_arn, Key: a.key, Value: a.value, IfMatch: ETag }))).TotalSizeInBytes;
      action = !prior ? 'create' : moved ? 'replace' : current === undefined ? 'recreate' : 'update';
    } else if (moved) {
      action = 'replace';
    }
    return {
      action,
      attributes: { id: `${a.key_value_store_arn},${a.key}`, key: a.key, value: a.value, key_value_store_arn: a.key_value_store_arn,
        total_size_in_bytes: totalSize ?? 0 },
      retired: moved ? prior : undefined,
    };
  },

  async destroy(ctx: ApplyContext, _address: string, prior: StateResource): Promise<void> {
    const arn = String(prior.attributes.key_value_store_arn);
    await unlessGone(async () => {
      await ctx.kvs.send(new GetKeyCommand({ KvsARN: arn, Key: String(prior.attributes.key) }));
      const { ETag } = await ctx.kvs.send(new DescribeKeyValueStoreCommand({ KvsARN: arn }));
      await ctx.kvs.send(new DeleteKeyCommand({ KvsARN: arn, Key: String(prior.attributes.key), IfMatch: ETag }));
    });
  },
};
