import { ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-cloudfront';
import type { ApplyContext } from './resource-applier';

/** Terraform's `tags_all`: the provider's default tags overridden by the resource's own. */
export function effectiveTags(ctx: ApplyContext, config: Record<string, unknown>): Record<string, string> {
  return { ...ctx.defaultTags, ...((config.tags as Record<string, string> | undefined) ?? {}) };
}

/**
 * Makes the resource carry `desired` and drops the keys it managed before that are no longer desired. Keys it
 * never managed are left alone, as the provider's `ignore_tags` asks for the `conngate:` evidence tags the
 * pipeline writes. Returns whether anything was written.
 */
export async function syncTags(ctx: ApplyContext, arn: string, desired: Record<string, string>,
  previouslyManaged: Record<string, string> | undefined): Promise<boolean> {
  const listed = await ctx.cf.send(new ListTagsForResourceCommand({ Resource: arn }));
  const current = Object.fromEntries((listed.Tags?.Items ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  const toSet = Object.entries(desired).filter(([k, v]) => current[k] !== v);
  const toRemove = Object.keys(previouslyManaged ?? {}).filter((k) => !(k in desired) && k in current);
  if (toSet.length > 0) {
    await ctx.cf.send(new TagResourceCommand({ Resource: arn, Tags: { Items: toSet.map(([Key, Value]) => ({ Key, Value })) } }));
  }
  if (toRemove.length > 0) {
    await ctx.cf.send(new UntagResourceCommand({ Resource: arn, TagKeys: { Items: toRemove } }));
  }
  return toSet.length > 0 || toRemove.length > 0;
}
