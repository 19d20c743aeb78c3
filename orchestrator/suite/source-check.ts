import * as fs from 'node:fs';
import { UserError } from '../../diagnostics/user-error';
import { validateConnectionFunctionCode } from '../../modules/connection-function-validation';
import type { StageSpec } from '../stage/stage-spec';
import { loadRemoteCases } from './suite-cases';

/**
 * The checks `conngate test --local` and synth make, run before a pipeline touches anything: the stage exists, its
 * function file is code CloudFront would accept (size, syntax, imports, entry point) and its suite is valid. A
 * syntax error then stops `deploy` in well under a second with one line, instead of deep inside `cdktf synth`.
 */
export function checkStageSources(stages: StageSpec[], stage: string): void {
  const spec = stages.find((s) => s.name === stage);
  if (!spec) {
    throw new UserError(stage, `unknown stage "${stage}"`, `use one of: ${stages.map((s) => s.name).join(', ')}`);
  }
  let code: string;
  try {
    code = fs.readFileSync(spec.functionFile, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'EISDIR' ? 'is a folder, not a function file' : 'function file not found or unreadable';
    throw new UserError(spec.functionFile, why, `check stages.${spec.name}.functionFile in conngate.config.json`);
  }
  validateConnectionFunctionCode(code, spec.functionFile);
  loadRemoteCases(spec);
}
