import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { StageStack } from './stage-stack';
import type { StageConfig } from './stage-config';
import { readStackJson, stackFilePath } from './synth-output';

/**
 * One stage's stack as Terraform JSON, synthesized in this process (no `cdktf synth` child, no provider download):
 * what a deploy would apply, for a preview. Stacks a project's own main.ts adds are not part of it.
 */
export function stageStackJson(config: StageConfig, opts: { unassociated: boolean }): unknown {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-plan-'));
  try {
    const app = new App({ outdir, skipValidation: true });
    new StageStack(app, config, { unassociated: opts.unassociated });
    app.synth();
    return readStackJson(stackFilePath(outdir, config.name));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
