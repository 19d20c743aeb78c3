import {
  CreateKeyValueStoreCommand, DeleteKeyValueStoreCommand, DescribeKeyValueStoreCommand, UpdateKeyValueStoreCommand,
  type KeyValueStore,
} from '@aws-sdk/client-cloudfront';
import type { ResourceAttributes, StateResource } from './local-state';
import { unlessGone, waitUntil, type ApplyContext, type ApplyResult, type ResourceApplier } from './resource-applier';
import { effectiveTags, syncTags } from './resource-tags';

interface StoreArgs { name: string; comment?: string }

function attributesOf(s: KeyValueStore, etag: string | undefined): ResourceAttributes {
  // The provider's id is the store name.
  return { id: s.Name!, name: s.Name!, arn: s.ARN!, etag: etag ?? '', comment: s.Comment ?? '' };
}

/**
 * `aws_cloudfront_key_value_store`: created empty (the provider has no import source), then waited on until READY,
 * because data-plane writes (the canary key) fail while the store is PROVISIONING. A new name replaces the store.
 * Tags (hashicorp/aws >= 6.66.0, default_tags included) are synced like the other taggable resources.
 */
export const keyValueStoreApplier: ResourceApplier = {
  type: 'aws_cloudfront_key_value_store',
  schema: { block: { name: 'string', comment: 'string', tags: 'string-map' }, required: ['name'] },
  exports: ['id', 'name', 'arn', 'etag', 'comment'],

  async apply(ctx: ApplyContext, _address: string, config: Record<string, unknown>, prior?: StateResource): Promise<ApplyResult> {
    const a = config as unknown as StoreArgs;
    const tags = effectiveTags(ctx, config);
    const create = async (action: ApplyResult['action']): Promise<ApplyResult> => {
      await ctx.cf.send(new CreateKeyValueStoreCommand({ Name: a.name, Comment: a.comment }));
      const described = await waitUntil(ctx, `key value store ${a.name} to be READY`,
        () => ctx.cf.send(new DescribeKeyValueStoreCommand({ Name: a.name })), (d) => d.KeyValueStore?.Status === 'READY');
      await syncTags(ctx, described.KeyValueStore!.ARN!, tags, undefined);
      return { action, attributes: attributesOf(described.KeyValueStore!, described.ETag), retired: action === 'replace' ? prior : undefined };
    };

    if (!prior) return create('create');
    if (prior.applied.name !== a.name) return create('replace');
    const described = await unlessGone(() => ctx.cf.send(new DescribeKeyValueStoreCommand({ Name: a.name })));
    if (!described) return create('recreate');
    const retagged = await syncTags(ctx, described.KeyValueStore!.ARN!, tags, prior.applied.tags_all as Record<string, string> | undefined);
    if ((described.KeyValueStore?.Comment ?? '') === (a.comment ?? '')) {
      return { action: retagged ? 'update' : 'no-op', attributes: attributesOf(described.KeyValueStore!, described.ETag) };
    }
    const updated = await ctx.cf.send(new UpdateKeyValueStoreCommand({ Name: a.name, Comment: a.comment ?? '', IfMatch: described.ETag }));
    return { action: 'update', attributes: attributesOf(updated.KeyValueStore!, updated.ETag) };
  },

  async destroy(ctx: ApplyContext, _address: string, prior: StateResource): Promise<void> {
    const name = String(prior.attributes.name);
    await unlessGone(async () => {
      const d = await ctx.cf.send(new DescribeKeyValueStoreCommand({ Name: name }));
      // A store of the same name created by someone else since is not ours to delete.
      if (d.KeyValueStore?.ARN !== prior.attributes.arn) return;
      await ctx.cf.send(new DeleteKeyValueStoreCommand({ Name: name, IfMatch: d.ETag }));
    });
  },
};
