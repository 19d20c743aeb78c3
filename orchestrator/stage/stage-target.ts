import { resolveTarget, type Target } from '../../aws/clients';
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
