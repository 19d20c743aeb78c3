import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../diagnostics/user-error';
import { jsonSyntaxProblem } from '../diagnostics/json-syntax';

// The layout `cdktf synth --output <outdir>` writes, read back in one place: the synth summary and the local
// applier both read the same cdk.tf.json files.

/** `<outdir>/stacks/<stage>/cdk.tf.json`. */
export function stackFilePath(outdir: string, stage: string): string {
  return path.join(outdir, 'stacks', stage, 'cdk.tf.json');
}

/** Reads the raw JSON of a synthesized stack; a missing or corrupt file is a UserError naming it. */
export function readStackJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UserError(file, 'no synthesized stack here', 'run `cdktf synth` (or `conngate synth`) and check the stage name');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(file, `not valid JSON (${jsonSyntaxProblem(text, err)})`, 'synthesize the stack again with `cdktf synth`');
  }
}

/** Stage names in `<outdir>/manifest.json` (cdktf lists them alphabetically, not in promotion order). */
export function listSynthesizedStages(outdir: string): string[] {
  const file = path.join(outdir, 'manifest.json');
  let manifest: { stacks?: Record<string, unknown> };
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new UserError(file, 'no cdktf manifest', 'run `conngate synth` (or `cdktf synth`) first');
  }
  return Object.keys(manifest.stacks ?? {});
}
