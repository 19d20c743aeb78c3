import type { Target } from '../aws/clients';
import { UserError } from '../diagnostics/user-error';
import { STAGE_CONFIG_FILE, type StageConfig } from '../stacks/stage-config';
import { stagePlaceholders } from '../stacks/stage-placeholders';

/** True when the environment says it is a CI run (GitHub Actions, GitLab, CircleCI... all set CI). */
export function runningInCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.CI?.trim().toLowerCase();
  return v !== undefined && v !== '' && v !== '0' && v !== 'false';
}

/**
 * What a deploy to the real AWS must not start with, checked before anything is applied: a local Terraform backend
 * in CI (the runner throws the state away, so the next run would plan to create everything again) and the
 * placeholders of a new project. An emulator target skips both: its state is throwaway by design and the demo
 * and the tests deploy the placeholders on purpose.
 */
export function checkDeployable(config: StageConfig, target: Target, env: NodeJS.ProcessEnv = process.env): void {
  if (target.endpoint) return;
  if (runningInCi(env) && config.backend.type === 'local') {
    throw new UserError(`${STAGE_CONFIG_FILE} stages.${config.name}.backend`,
      'a local Terraform backend in CI: the state is lost after this run, so the next one would create everything again',
      'keep the state in S3 or HCP Terraform: `conngate init --backend s3 --state-bucket <bucket> --force` (or set backend {"type":"s3","bucket":"<bucket>"} in conngate.config.json)');
  }
  const placeholders = stagePlaceholders(config);
  if (placeholders.length > 0) {
    const [first] = placeholders;
    const more = placeholders.length > 1 ? `; and ${placeholders.length - 1} more placeholder(s): ${placeholders.slice(1).map((p) => p.where).join(', ')}` : '';
    throw new UserError(first.where, `${first.what}; a deploy to AWS needs your own value${more}`, `${first.fix}; \`conngate doctor ${config.name}\` lists every check`);
  }
}
