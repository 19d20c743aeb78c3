import type { StageConfig } from '../../stacks/stage-config';
import type { RunTaskRequest } from './request-payload';

/**
 * The stage whose cloud backend names the run's workspace (and organization), or undefined when no stage's state
 * lives there. The organization must match too: two organizations may both have a workspace "conngate-prod".
 */
export function stageForWorkspace(configs: StageConfig[], req: Pick<RunTaskRequest, 'organizationName' | 'workspaceName'>): StageConfig | undefined {
  return configs.find((c) => c.backend.type === 'cloud' && c.backend.workspace === req.workspaceName && c.backend.organization === req.organizationName);
}
