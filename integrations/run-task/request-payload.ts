/** The run stages HCP Terraform calls a run task at. */
export const RUN_TASK_STAGES = ['pre_plan', 'post_plan', 'pre_apply', 'post_apply'] as const;
export type RunTaskStage = (typeof RUN_TASK_STAGES)[number];

/** The access token HCP Terraform sends in the request it makes when a run task is created or its URL checked. */
export const VERIFICATION_TOKEN = 'test-token';

/** The fields of a run task request (payload_version 1) this integration reads. */
export interface RunTaskRequest {
  payloadVersion: 1;
  accessToken: string;
  stage: RunTaskStage;
  taskResultId: string;
  taskResultCallbackUrl: string;
  runId: string;
  organizationName: string;
  workspaceId: string;
  workspaceName: string;
  isSpeculative: boolean;
  runAppUrl?: string;
}

export class PayloadError extends Error {}

function str(doc: Record<string, unknown>, key: string, required = true): string {
  const v = doc[key];
  if (typeof v === 'string' && v !== '') return v;
  if (!required && (v === undefined || v === null || v === '')) return '';
  throw new PayloadError(`"${key}" is missing or not a string`);
}

/**
 * Parses a signed request body. Only the fields used are checked; the callback URL must be https, or http to a
 * loopback host (a stand-in API in tests), because the access token is sent to it.
 */
export function parseRunTaskRequest(raw: Buffer | string): RunTaskRequest {
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString());
  } catch (e) {
    throw new PayloadError(`not JSON (${(e as Error).message})`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new PayloadError('not a JSON object');
  const d = doc as Record<string, unknown>;
  if (d.payload_version !== 1) throw new PayloadError(`payload_version ${JSON.stringify(d.payload_version)} is not supported (only 1)`);
  const stage = str(d, 'stage');
  if (!(RUN_TASK_STAGES as readonly string[]).includes(stage)) throw new PayloadError(`stage "${stage}" is not one of ${RUN_TASK_STAGES.join(', ')}`);
  const callback = str(d, 'task_result_callback_url');
  let url: URL;
  try {
    url = new URL(callback);
  } catch {
    throw new PayloadError('task_result_callback_url is not a URL');
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new PayloadError('task_result_callback_url must be https (the access token is sent to it)');
  }
  return {
    payloadVersion: 1,
    accessToken: str(d, 'access_token'),
    stage: stage as RunTaskStage,
    taskResultId: str(d, 'task_result_id'),
    taskResultCallbackUrl: callback,
    runId: str(d, 'run_id', false),
    organizationName: str(d, 'organization_name', false),
    workspaceId: str(d, 'workspace_id', false),
    workspaceName: str(d, 'workspace_name', false),
    isSpeculative: d.is_speculative === true,
    runAppUrl: str(d, 'run_app_url', false) || undefined,
  };
}

/** The API base (`https://host/api/v2`) of the HCP Terraform instance that sent the request, from its callback URL. */
export function apiBaseUrl(req: RunTaskRequest): string {
  return `${new URL(req.taskResultCallbackUrl).origin}/api/v2`;
}
