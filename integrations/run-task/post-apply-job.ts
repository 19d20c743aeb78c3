import * as fs from 'node:fs';
import * as path from 'node:path';
import { setupPipeline } from '../../setup/pipeline-setup';
import { runStagePipeline, type StageRunReport } from '../../orchestrator/pipeline/pipeline';
import { loadStageConfigs } from '../../stacks/stage-config';
import { HcpApiClient, type HcpApiOptions } from './hcp-api-client';
import { apiBaseUrl, type RunTaskRequest } from './request-payload';
import { finalTaskResult, taskResultBody, type TaskResultBody } from './task-result';
import { stageForWorkspace } from './workspace-stage';
import { makeFolder } from '../../host/make-folder';

/** Where and how the run task verifies: the cdktf project, the CloudFront endpoint, the state folder. */
export interface RunTaskSettings {
  dir: string;
  /** Relative to dir, as --state-dir. */
  stateDir: string;
  endpoint?: string;
  liveSuite: 'smoke' | 'full';
  insecureUnsignedEvidence?: boolean;
  /** The URL this server is reachable at from the people reading the run; task results link reports under it. */
  publicUrl?: string;
  api?: HcpApiOptions;
  log(line: string): void;
}

/** What the job finally reported to HCP Terraform, and whether that report was delivered. */
export interface JobResult { status: 'passed' | 'failed'; message: string; delivered: boolean; report?: StageRunReport }

/** A task result id as a folder name: HCP's ids are `taskrs-<alphanumerics>`; anything else is refused. */
export function safeTaskResultId(id: string): string | undefined {
  return /^[A-Za-z0-9_-]{1,100}$/.test(id) ? id : undefined;
}

export function runTaskFolder(settings: Pick<RunTaskSettings, 'dir' | 'stateDir'>, taskResultId: string): string {
  return path.join(path.resolve(settings.dir, settings.stateDir), 'run-task', taskResultId);
}

/**
 * The background work for one run task request. pre_plan / post_plan / pre_apply are passed with a note (conngate
 * checks what was applied). post_apply: map the workspace to its stage, read the workspace's current state-version
 * outputs, run the verify pipeline with them (gate, test DEVELOPMENT, publish, verify LIVE, evidence), and PATCH the
 * result. Never throws: every failure becomes a `failed` task result (when the callback can still be reached).
 */
export async function runTaskJob(req: RunTaskRequest, settings: RunTaskSettings): Promise<JobResult> {
  const api = new HcpApiClient(apiBaseUrl(req), req.accessToken, settings.api);
  const send = async (body: TaskResultBody): Promise<boolean> => {
    try {
      await api.patchTaskResult(req.taskResultCallbackUrl, body);
      return true;
    } catch (e) {
      settings.log(`run task ${req.taskResultId}: could not report "${body.data.attributes.status}": ${(e as Error).message}`);
      return false;
    }
  };
  const finish = async (status: 'passed' | 'failed', message: string, body?: TaskResultBody, report?: StageRunReport): Promise<JobResult> => {
    const delivered = await send(body ?? taskResultBody(status, message));
    settings.log(`run task ${req.taskResultId} (${req.workspaceName}, ${req.stage}): ${status}: ${message}${delivered ? '' : ' (not delivered)'}`);
    return { status, message, delivered, report };
  };

  if (req.stage !== 'post_apply') {
    return finish('passed', `conngate verifies what was applied and runs at post_apply; nothing to check at ${req.stage}`);
  }
  const id = safeTaskResultId(req.taskResultId);
  if (!id) return finish('failed', 'conngate: task_result_id has an unexpected form; nothing was verified');
  try {
    const stage = stageForWorkspace(loadStageConfigs(path.resolve(settings.dir)), req);
    if (!stage) {
      return finish('failed', `conngate: no stage in conngate.config.json has the cloud backend ${req.organizationName}/${req.workspaceName}; nothing was verified (fix: set stages.<name>.backend to this workspace, or detach the run task)`);
    }
    await send(taskResultBody('running', `conngate ${stage.name}: reading the workspace's outputs`));
    const outputs = await api.currentStateOutputs(req.workspaceId);
    const folder = runTaskFolder(settings, id);
    makeFolder(folder);
    const outputsFile = path.join(folder, 'outputs.json');
    fs.writeFileSync(outputsFile, JSON.stringify({ [stage.name]: outputs }, null, 2) + '\n');
    const setup = setupPipeline({
      dir: settings.dir, stateDir: settings.stateDir, outputs: outputsFile, endpoint: settings.endpoint,
      concurrency: '8', rate: '25', liveSuite: settings.liveSuite, quiet: true, insecureUnsignedEvidence: settings.insecureUnsignedEvidence,
    });
    await send(taskResultBody('running', `conngate ${stage.name}: testing DEVELOPMENT, then publishing and verifying LIVE`));
    // The stage's own account (stage config `aws`: profile, role, endpoint), as `conngate verify` reads it.
    setup.forStage(stage.name);
    const report = await runStagePipeline(setup.ctx, stage.name);
    let url: string | undefined;
    if (report.reports?.html) {
      fs.copyFileSync(report.reports.html, path.join(folder, 'report.html'));
      if (settings.publicUrl) url = `${settings.publicUrl.replace(/\/+$/, '')}/reports/${id}/report.html`;
    }
    const body = finalTaskResult(report, url);
    return finish(body.data.attributes.status as 'passed' | 'failed', body.data.attributes.message, body, report);
  } catch (e) {
    return finish('failed', `conngate: ${(e as Error).message}`);
  }
}
