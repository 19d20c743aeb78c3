import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { GetDistributionConfigCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { ChildOrder } from './pipeline-child';
import { PROJECT_DIR } from './campaign-project';

const CHILD = path.join(__dirname, 'pipeline-child.ts');

export interface ChildExit { killed: boolean; code: number | null; stdout: string; stderr: string }

/** Runs one pipeline in a child process that SIGKILLs itself at the order's kill point; bounded by a deadline. */
export function runChild(order: ChildOrder, deadlineMs = 90_000): Promise<ChildExit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(order)], {
      cwd: PROJECT_DIR, env: { ...process.env, CI: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGTERM'), deadlineMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ killed: signal === 'SIGKILL', code, stdout, stderr });
    });
  });
}

/** The function id the distribution is associated with, if any. */
export async function associatedFunction(cf: CloudFrontClient, distributionId: string): Promise<string | undefined> {
  const out = await cf.send(new GetDistributionConfigCommand({ Id: distributionId }));
  return (out.DistributionConfig as { ConnectionFunctionAssociation?: { Id?: string } } | undefined)?.ConnectionFunctionAssociation?.Id;
}
