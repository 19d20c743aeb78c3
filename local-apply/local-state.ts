import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../diagnostics/user-error';
import { jsonSyntaxProblem } from '../diagnostics/json-syntax';
import { makeFolder } from '../host/make-folder';

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

/** Where the stand-in keeps a stage's local state: a file under the state folder, or the stage's S3 backend. */
export interface LocalStateStore {
  /** Names the place in messages (a path or an s3:// URL). */
  readonly where: string;
  /** The stage's state; nothing stored yet is an empty state. */
  read(stage: string): Promise<LocalState>;
  write(state: LocalState): Promise<void>;
}

/** An empty state: nothing applied yet. */
export function emptyLocalState(stage: string): LocalState {
  return { version: 1, stage, stackFile: '', resources: {}, retired: [] };
}

/** Parses a stored state; `where` names the file or object in errors. */
export function parseLocalState(text: string, where: string, stage: string): LocalState {
  let doc: LocalState;
  try {
    doc = JSON.parse(text) as LocalState;
  } catch (err) {
    throw new UserError(where, `local state is not valid JSON (${jsonSyntaxProblem(text, err)})`,
      'restore it, or delete it together with the emulator state so that the stage is created afresh');
  }
  if (doc === null || typeof doc !== 'object' || doc.version !== 1 || typeof doc.resources !== 'object' || doc.resources === null) {
    throw new UserError(where, 'not a conngate local state (version 1)', 'delete it together with the emulator state so that the stage is created afresh');
  }
  // Two stages pointed at one state (a backend key shared through the config's defaults, a copied file) would have
  // the second apply update and delete the first stage's resources as its own: the state must name the stage.
  if (typeof doc.stage === 'string' && doc.stage !== '' && doc.stage !== stage) {
    throw new UserError(where, `holds the state of stage "${doc.stage}", not of "${stage}"`,
      'give each stage its own state (backend.key in conngate.config.json); nothing was applied');
  }
  return { ...doc, stage, retired: doc.retired ?? [] };
}

/** Reads a stage's local state; an absent file is an empty state. */
export function readLocalState(file: string, stage: string): LocalState {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyLocalState(stage);
    throw new UserError(file, `local state unreadable (${(err as Error).message})`, 'check the file permissions');
  }
  return parseLocalState(text, file, stage);
}

/** Writes the state through a temporary file and a rename, so a crash never leaves half a file. */
export function writeLocalState(file: string, state: LocalState): void {
  makeFolder(path.dirname(file));
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/** The default store: `<stateDir>/local-state/<stage>.json` (a local backend; thrown away with the folder). */
export function fileStateStore(stateDir: string): LocalStateStore {
  return {
    where: path.join(stateDir, 'local-state'),
    read: async (stage) => readLocalState(localStatePath(stateDir, stage), stage),
    write: async (state) => writeLocalState(localStatePath(stateDir, state.stage), state),
  };
}
