import {
  CreateConnectionFunctionCommand, DeleteConnectionFunctionCommand, DescribeConnectionFunctionCommand,
  GetConnectionFunctionCommand, UpdateConnectionFunctionCommand, type FunctionConfig as ConnectionFunctionConfig,
} from '@aws-sdk/client-cloudfront';
import type { ResourceAttributes, StateResource } from './local-state';
import { sameValue, unlessGone, type ApplyContext, type ApplyResult, type ResourceApplier } from './resource-applier';
import { effectiveTags, syncTags } from './resource-tags';

interface FunctionArgs {
  name: string;
  connection_function_code: string;
  publish?: boolean;
  tags?: Record<string, string>;
  connection_function_config: { comment?: string; runtime: string; key_value_store_association?: { key_value_store_arn: string } };
}

function apiConfig(a: FunctionArgs): ConnectionFunctionConfig {
  const arn = a.connection_function_config.key_value_store_association?.key_value_store_arn;
  return {
    Comment: a.connection_function_config.comment ?? '',
    Runtime: a.connection_function_config.runtime as ConnectionFunctionConfig['Runtime'],
    KeyValueStoreAssociations: arn ? { Quantity: 1, Items: [{ KeyValueStoreARN: arn }] } : { Quantity: 0, Items: [] },
  };
}

/**
 * `aws_cloudfront_connection_function`: Terraform owns the DEVELOPMENT stage only. Changes to code or config are an
 * UpdateConnectionFunction with If-Match of the DEVELOPMENT ETag; nothing is ever published (`publish = true` is
 * refused: conngate publishes only after the suite passed). A new name replaces the function, as in the provider.
 */
export const connectionFunctionApplier: ResourceApplier = {
  type: 'aws_cloudfront_connection_function',
  schema: {
    block: {
      name: 'string',
      connection_function_code: 'string',
      publish: 'bool',
      tags: 'string-map',
      connection_function_config: {
        block: { comment: 'string', runtime: 'string', key_value_store_association: { block: { key_value_store_arn: 'string' }, required: ['key_value_store_arn'] } },
        required: ['runtime'],
      },
    },
    required: ['name', 'connection_function_code', 'connection_function_config'],
  },
  exports: ['id', 'name', 'connection_function_arn', 'etag', 'live_stage_etag', 'status'],

  async apply(ctx: ApplyContext, address: string, config: Record<string, unknown>, prior?: StateResource): Promise<ApplyResult> {
    const a = config as unknown as FunctionArgs;
    if (a.publish === true) {
      throw new Error('publish = true is not supported: Terraform owns DEVELOPMENT only and conngate publishes after the suite passed (set publish = false)');
    }
    const code = Buffer.from(a.connection_function_code, 'utf8');
    const desired = apiConfig(a);
    const tags = effectiveTags(ctx, config);

    const create = async (action: ApplyResult['action']): Promise<ApplyResult> => {
      const res = await ctx.cf.send(new CreateConnectionFunctionCommand({ Name: a.name, ConnectionFunctionConfig: desired, ConnectionFunctionCode: code }));
      const id = res.ConnectionFunctionSummary!.Id!;
      await syncTags(ctx, res.ConnectionFunctionSummary!.ConnectionFunctionArn!, tags, undefined);
      return { action, attributes: await readAttributes(ctx, id), retired: action === 'replace' ? prior : undefined };
    };

    if (!prior) return create('create');
    if (prior.applied.name !== a.name) return create('replace');
    const id = String(prior.attributes.id);
    const described = await unlessGone(() => ctx.cf.send(new DescribeConnectionFunctionCommand({ Identifier: id, Stage: 'DEVELOPMENT' })));
    if (!described) return create('recreate');
    const current = await ctx.cf.send(new GetConnectionFunctionCommand({ Identifier: id, Stage: 'DEVELOPMENT' }));
    const remote = described.ConnectionFunctionSummary!.ConnectionFunctionConfig!;
    const sameCode = Buffer.from(current.ConnectionFunctionCode ?? new Uint8Array()).equals(code);
    const sameConfig = sameValue(remote.Comment ?? '', desired.Comment)
      && remote.Runtime === desired.Runtime
      && sameValue((remote.KeyValueStoreAssociations?.Items ?? []).map((i: { KeyValueStoreARN?: string }) => i.KeyValueStoreARN),
        (desired.KeyValueStoreAssociations?.Items ?? []).map((i) => i.KeyValueStoreARN));
    let action: ApplyResult['action'] = 'no-op';
    if (!sameCode || !sameConfig) {
      await ctx.cf.send(new UpdateConnectionFunctionCommand({ Id: id, IfMatch: described.ETag, ConnectionFunctionConfig: desired, ConnectionFunctionCode: code }));
      action = 'update';
    }
    if (await syncTags(ctx, described.ConnectionFunctionSummary!.ConnectionFunctionArn!, tags, prior.applied.tags_all as Record<string, string>)) action = 'update';
    return { action, attributes: await readAttributes(ctx, id) };
  },

  async destroy(ctx: ApplyContext, _address: string, prior: StateResource): Promise<void> {
    const id = String(prior.attributes.id);
    await unlessGone(async () => {
      const d = await ctx.cf.send(new DescribeConnectionFunctionCommand({ Identifier: id, Stage: 'DEVELOPMENT' }));
      await ctx.cf.send(new DeleteConnectionFunctionCommand({ Id: id, IfMatch: d.ETag }));
    });
  },
};

/** The provider's computed attributes: ETags of both stages and the status, read back after the write. */
async function readAttributes(ctx: ApplyContext, id: string): Promise<ResourceAttributes> {
  const dev = await ctx.cf.send(new DescribeConnectionFunctionCommand({ Identifier: id, Stage: 'DEVELOPMENT' }));
  // A function never published has no LIVE stage.
  const live = await unlessGone(() => ctx.cf.send(new DescribeConnectionFunctionCommand({ Identifier: id, Stage: 'LIVE' })));
  const s = dev.ConnectionFunctionSummary!;
  return {
    id: s.Id!, name: s.Name!, connection_function_arn: s.ConnectionFunctionArn!,
    etag: dev.ETag ?? '', live_stage_etag: live?.ETag ?? '', status: s.Status ?? '',
  };
}
