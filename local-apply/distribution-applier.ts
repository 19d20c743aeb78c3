import {
  CreateDistributionCommand, DeleteDistributionCommand, GetDistributionCommand, GetDistributionConfigCommand,
  UpdateDistributionCommand, type Distribution,
} from '@aws-sdk/client-cloudfront';
import { DISTRIBUTION_SCHEMA, distributionMatches, mergeForUpdate, toDistributionConfig } from './distribution-config';
import type { ResourceAttributes, StateResource } from './local-state';
import { unlessGone, waitUntil, type ApplyContext, type ApplyResult, type ResourceApplier } from './resource-applier';
import { effectiveTags, syncTags } from './resource-tags';

/** CloudFront's fixed Route 53 hosted zone for distribution domains (the provider's `hosted_zone_id`). */
const CLOUDFRONT_HOSTED_ZONE_ID = 'Z2FDTNDATAQYW2';

function attributesOf(d: Distribution, etag: string | undefined): ResourceAttributes {
  return {
    id: d.Id!, arn: d.ARN!, domain_name: d.DomainName!, etag: etag ?? '', status: d.Status ?? '',
    hosted_zone_id: CLOUDFRONT_HOSTED_ZONE_ID, caller_reference: d.DistributionConfig?.CallerReference ?? '',
  };
}

/**
 * `aws_cloudfront_distribution`: the snake_case blocks become a DistributionConfig; an existing distribution is
 * compared field by field with GetDistributionConfig and updated with If-Match only when a managed field differs
 * (this is how a connection-function association is added, or removed when the stack leaves it out). Like the
 * provider it waits until the distribution is Deployed unless `wait_for_deployment = false`, and deletes by
 * disabling first.
 */
export const distributionApplier: ResourceApplier = {
  type: 'aws_cloudfront_distribution',
  schema: DISTRIBUTION_SCHEMA,
  exports: ['id', 'arn', 'domain_name', 'etag', 'status', 'hosted_zone_id', 'caller_reference'],

  async apply(ctx: ApplyContext, address: string, config: Record<string, unknown>, prior?: StateResource): Promise<ApplyResult> {
    const desired = toDistributionConfig(config);
    const tags = effectiveTags(ctx, config);
    const settle = async (id: string): Promise<ResourceAttributes> => {
      const read = () => ctx.cf.send(new GetDistributionCommand({ Id: id }));
      const got = config.wait_for_deployment === false ? await read()
        : await waitUntil(ctx, `distribution ${id} to be Deployed`, read, (g) => g.Distribution?.Status === 'Deployed');
      return attributesOf(got.Distribution!, got.ETag);
    };
    const create = async (action: ApplyResult['action']): Promise<ApplyResult> => {
      const callerReference = `conngate-local-${address}-${Date.now()}`;
      const res = await ctx.cf.send(new CreateDistributionCommand({ DistributionConfig: { ...desired, CallerReference: callerReference } }));
      await syncTags(ctx, res.Distribution!.ARN!, tags, undefined);
      return { action, attributes: await settle(res.Distribution!.Id!) };
    };

    if (!prior) return create('create');
    const id = String(prior.attributes.id);
    const current = await unlessGone(() => ctx.cf.send(new GetDistributionConfigCommand({ Id: id })));
    if (!current) return create('recreate');
    let action: ApplyResult['action'] = 'no-op';
    if (!distributionMatches(desired, current.DistributionConfig!)) {
      await ctx.cf.send(new UpdateDistributionCommand({ Id: id, IfMatch: current.ETag, DistributionConfig: mergeForUpdate(desired, current.DistributionConfig!) }));
      action = 'update';
    }
    const attributes = await settle(id);
    if (await syncTags(ctx, String(attributes.arn), tags, prior.applied.tags_all as Record<string, string> | undefined)) action = 'update';
    return { action, attributes };
  },

  async destroy(ctx: ApplyContext, _address: string, prior: StateResource): Promise<void> {
    const id = String(prior.attributes.id);
    await unlessGone(async () => {
      let current = await ctx.cf.send(new GetDistributionConfigCommand({ Id: id }));
      if (current.DistributionConfig!.Enabled !== false) {
        await ctx.cf.send(new UpdateDistributionCommand({ Id: id, IfMatch: current.ETag, DistributionConfig: { ...current.DistributionConfig!, Enabled: false } }));
      }
      if (prior.applied.retain_on_delete === true) return;
      await waitUntil(ctx, `distribution ${id} to be Deployed (disabled)`, () => ctx.cf.send(new GetDistributionCommand({ Id: id })),
        (g) => g.Distribution?.Status === 'Deployed');
      current = await ctx.cf.send(new GetDistributionConfigCommand({ Id: id }));
      await ctx.cf.send(new DeleteDistributionCommand({ Id: id, IfMatch: current.ETag }));
    });
  },
};
