import type { AccountResource } from '../emulator-state';
import type { HandlerContext, OperationHandler } from '../handler-context';
import { LIMITS } from '../limits';
import { ApiError } from '../wire/api-error';

/** Merges `{Items:[{Key,Value}]}` into `into`, checking CloudFront's tag limits. */
export function tagsFromInput(tags: { Items?: { Key?: string; Value?: string }[] } | undefined,
  into: Record<string, string>): Record<string, string> {
  const out = { ...into };
  for (const t of tags?.Items ?? []) {
    if (!t.Key || t.Key.length > LIMITS.tagKeyChars || t.Key.startsWith('aws:')) {
      throw new ApiError('InvalidTagging', 400,
        `Tag key "${t.Key ?? ''}" must be 1-${LIMITS.tagKeyChars} characters and must not start with "aws:".`);
    }
    if ((t.Value ?? '').length > LIMITS.tagValueChars) {
      throw new ApiError('InvalidTagging', 400, `The value of tag "${t.Key}" is longer than ${LIMITS.tagValueChars} characters.`);
    }
    out[t.Key] = t.Value ?? '';
  }
  if (Object.keys(out).length > LIMITS.tagsPerResource) {
    throw new ApiError('InvalidTagging', 400, `A resource can have at most ${LIMITS.tagsPerResource} tags.`);
  }
  return out;
}

function findTagged(ctx: HandlerContext, arn: unknown): AccountResource {
  if (typeof arn !== 'string' || !/^arn:aws:cloudfront::\d{12}:[a-z-]+\/.+$/.test(arn)) {
    throw new ApiError('InvalidArgument', 400, `Resource must be a CloudFront ARN, got "${String(arn ?? '')}".`);
  }
  const s = ctx.state;
  const found: AccountResource | undefined = [...s.connectionFunctions.values(), ...s.distributions.values(),
    ...s.trustStores.values(), ...s.keyValueStores.values()].find((r) => r.arn === arn);
  if (!found) throw new ApiError('NoSuchResource', 404, `The resource ${arn} does not exist.`);
  return found;
}

const tagResource: OperationHandler = (ctx, input) => {
  const r = findTagged(ctx, input.Resource);
  r.tags = tagsFromInput(input.Tags, r.tags);
  ctx.changed();
  return {};
};

const untagResource: OperationHandler = (ctx, input) => {
  const r = findTagged(ctx, input.Resource);
  const keys: string[] = input.TagKeys?.Items ?? [];
  const next = { ...r.tags };
  for (const k of keys) delete next[k];
  r.tags = next;
  ctx.changed();
  return {};
};

const listTags: OperationHandler = (ctx, input) => {
  const r = findTagged(ctx, input.Resource);
  return { Tags: { Items: Object.entries(r.tags).map(([Key, Value]) => ({ Key, Value })) } };
};

export const taggingHandlers = {
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTags,
};
