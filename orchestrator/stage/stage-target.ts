import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { createCloudFrontClient, createKvsClient, resolveTarget, type Target } from '../../aws/clients';
import type { StageConfig } from '../../stacks/stage-config';

/**
 * Where the orchestrator reaches one stage: the command's target (`--endpoint` / CONNGATE_ENDPOINT / AWS) with the
 * stage's own access on top (stage config `aws`): its profile, its region, the role to assume with them (as the
 * stage stack's aws provider does: profile credentials, then `assume_role`), and an endpoint standing in for its
 * account.
 */
export function stageTarget(base: Target, config: StageConfig | undefined, flagEndpoint: boolean): Target {
  const access = config?.aws;
  if (!access) return base;
  const endpoint = flagEndpoint ? base.endpoint : (access.endpoint ? resolveTarget({ endpoint: access.endpoint }).endpoint : base.endpoint);
  return {
    ...base, ...(endpoint ? { endpoint } : {}), ...(access.region ? { region: access.region } : {}),
    ...(access.profile && !endpoint ? { profile: access.profile } : {}),
    ...(access.roleArn ? { roleArn: access.roleArn, roleSessionName: `conngate-${config!.name}` } : {}),
  };
}

/** Where a stage is reached and the clients that reach it. */
export interface StageTargetClients { target: Target; cf: CloudFrontClient; kvs: CloudFrontKeyValueStoreClient }

/**
 * Each stage's clients, through its own account (stage config `aws`), made once per stage. A stage with no access
 * of its own is reached with the command's clients: `base` when given, else one pair made when first needed.
 */
export function clientsPerStage(target: Target, configs: StageConfig[], flagEndpoint: boolean,
  base?: { cf: CloudFrontClient; kvs: CloudFrontKeyValueStoreClient }): (stage: string) => StageTargetClients {
  const clients = new Map<string, StageTargetClients>();
  let shared: StageTargetClients | undefined = base ? { target, ...base } : undefined;
  return (stage) => {
    let c = clients.get(stage);
    if (!c) {
      const t = stageTarget(target, configs.find((x) => x.name === stage), flagEndpoint);
      c = t === target
        ? shared ??= { target, cf: createCloudFrontClient(target), kvs: createKvsClient(target) }
        : { target: t, cf: createCloudFrontClient(t), kvs: createKvsClient(t) };
      clients.set(stage, c);
    }
    return c;
  };
}
