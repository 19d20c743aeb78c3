import { resolveTarget, type Target } from '../aws/clients';
import { UserError } from '../diagnostics/user-error';
import type { StageConfig } from '../stacks/stage-config';

/**
 * Where the orchestrator reaches one stage: the command's target (`--endpoint` / CONNGATE_ENDPOINT / AWS) with the
 * stage's own access on top (stage config `aws`): its profile, its region, and an endpoint standing in for its
 * account. A role to assume is taken from a profile (`role_arn` + `source_profile`), which the SDK assumes itself.
 */
export function stageTarget(base: Target, config: StageConfig | undefined, flagEndpoint: boolean): Target {
  const access = config?.aws;
  if (!access) return base;
  const endpoint = flagEndpoint ? base.endpoint : (access.endpoint ? resolveTarget({ endpoint: access.endpoint }).endpoint : base.endpoint);
  if (access.roleArn && !access.profile && !endpoint) {
    throw new UserError(`conngate.config.json stages.${config!.name}.aws`, 'the orchestrator assumes a stage\'s role through an AWS profile',
      `add a profile with role_arn = ${access.roleArn} and source_profile, and set aws.profile to it (the stack keeps roleArn)`);
  }
  return { ...base, ...(endpoint ? { endpoint } : {}), ...(access.region ? { region: access.region } : {}), ...(access.profile && !endpoint ? { profile: access.profile } : {}) };
}
