import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../diagnostics/user-error';
import { jsonSyntaxProblem } from '../diagnostics/json-syntax';

/** Scalar attributes a resource exports (what `${type.name.attr}` references read). */
export type ResourceAttributes = Record<string, string | number | boolean>;

/** What the local state remembers of one applied resource: its identity and the arguments it was applied with. */
export interface StateResource {
  type: string;
  attributes: ResourceAttributes;
  /** The resolved, normalized arguments of the last successful apply (compared on the next apply). */
  applied: Record<string, unknown>;
}

/** A resource replaced by a new one (e.g. renamed) whose deletion is still due. */
export interface RetiredResource extends StateResource {
  address: string;
}

/**
 * The local applier's counterpart of a Terraform state: one JSON file per stage mapping each resource address to
 * its id, ARN, ETag and applied arguments. Written after every change, atomically, so an interrupted apply
 * resumes from what really exists.
 */
export interface LocalState {
  version: 1;
  stage: string;
  /** The synthesized stack last applied. */
  stackFile: string;
  resources: Record<string, StateResource>;
  retired: RetiredResource[];
}

/** `<stateDir>/local-state/<stage>.json`. */
export function localStatePath(stateDir: string, stage: string): string {
  return path.join(stateDir, 'local-state', `${stage}.json`);
}

/** Reads a stage's local state; an absent file is an empty state. */
export function readLocalState(file: string, stage: string): LocalState {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, stage, stackFile: '', resources: {}, retired: [] };
    throw new UserError(file, `local state unreadable (${(err as Error).message})`, 'check the file permissions');
  }
  let doc: LocalState;
  try {
    doc = JSON.parse(text) as LocalState;
  } catch (err) {
    throw new UserError(file, `local state is not valid JSON (${jsonSyntaxProblem(text, err)})`,
      'restore it, or delete it together with the emulator state so that the stage is created afresh');
  }
  if (doc.version !== 1 || typeof doc.resources !== 'object' || doc.resources === null) {
    throw new UserError(file, 'not a conngate local state (version 1)', 'delete it together with the emulator state so that the stage is created afresh');
  }
  return { ...doc, stage, retired: doc.retired ?? [] };
}

/** Writes the state through a temporary file and a rename, so a crash never leaves half a file. */
export function writeLocalState(file: string, state: LocalState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(tmp, file);
}
