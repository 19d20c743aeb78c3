import { randomBytes } from 'node:crypto';
import {
  closeSync, constants, existsSync, fstatSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync,
} from 'node:fs';
import { dirname, basename, join } from 'node:path';
import Ajv from 'ajv';
import { UserError } from '../diagnostics/user-error';
import {
  STATE_FORMAT, STATE_VERSION, emptyState,
  type ConnectionFunctionState, type DistributionState, type EmulatorState, type KeyValueStoreState, type TrustStoreState,
} from './emulator-state';

type PersistedStore = Omit<KeyValueStoreState, 'items'> & { items: [string, string][] };

/** The state file: `{ format, version, accountId, connectionFunctions: [...], keyValueStores: [...], ... }`. */
interface PersistedState {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  accountId: string;
  connectionFunctions: ConnectionFunctionState[];
  keyValueStores: PersistedStore[];
  trustStores: TrustStoreState[];
  distributions: DistributionState[];
}

const objectWithId = { type: 'object', required: ['id', 'arn'], properties: { id: { type: 'string' }, arn: { type: 'string' } } };
const persistedSchema = {
  type: 'object',
  required: ['format', 'version', 'accountId', 'connectionFunctions', 'keyValueStores', 'trustStores', 'distributions'],
  properties: {
    format: { const: STATE_FORMAT },
    version: { const: STATE_VERSION },
    accountId: { type: 'string', pattern: '^[0-9]{12}$' },
    connectionFunctions: {
      type: 'array',
      items: { ...objectWithId, required: ['id', 'arn', 'name', 'development', 'tags'] },
    },
    keyValueStores: {
      type: 'array',
      items: {
        ...objectWithId,
        required: ['id', 'arn', 'name', 'items', 'etag', 'dataEtag'],
        properties: {
          ...objectWithId.properties,
          items: { type: 'array', items: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'string' } } },
        },
      },
    },
    trustStores: { type: 'array', items: objectWithId },
    distributions: { type: 'array', items: { ...objectWithId, required: ['id', 'arn', 'config', 'etag'] } },
  },
};
const validatePersisted = new Ajv({ allErrors: false }).compile<PersistedState>(persistedSchema);

function toPersisted(s: EmulatorState): PersistedState {
  return {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    accountId: s.accountId,
    connectionFunctions: [...s.connectionFunctions.values()],
    keyValueStores: [...s.keyValueStores.values()].map((k) => ({ ...k, items: [...k.items.entries()] })),
    trustStores: [...s.trustStores.values()],
    distributions: [...s.distributions.values()],
  };
}

function fromPersisted(p: PersistedState): EmulatorState {
  const state = emptyState(p.accountId);
  for (const f of p.connectionFunctions) state.connectionFunctions.set(f.id, f);
  for (const k of p.keyValueStores) state.keyValueStores.set(k.id, { ...k, items: new Map(k.items) });
  for (const t of p.trustStores) state.trustStores.set(t.id, t);
  for (const d of p.distributions) state.distributions.set(d.id, d);
  return state;
}

function serialize(state: EmulatorState): string {
  return JSON.stringify(toPersisted(state), null, 1);
}

/**
 * Reads a state file's text. A missing file means a fresh account; a file that is not a valid emulator state is
 * refused (never reset), because silently starting empty would lose a user's functions and stores.
 */
function parseStateText(file: string, text: string): EmulatorState {
  const where = `emulator state file ${file}`;
  const fix = 'restore the file from a backup, or point --state at a new path to start an empty emulator '
    + '(the emulator never overwrites a state file it cannot read)';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UserError(where, `is not valid JSON (${(err as Error).message})`, fix);
  }
  if (!validatePersisted(parsed)) {
    const e = validatePersisted.errors?.[0];
    throw new UserError(where, `is not a conngate emulator state (${e?.instancePath || '/'} ${e?.message ?? 'invalid'})`, fix);
  }
  return fromPersisted(parsed);
}

/** Removes a file that may already be gone (a temporary file, a stale record). */
export function tryUnlink(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

/**
 * Writes text to a new temporary file in `dir`, flushed, and returns its path. The name is unpredictable and the
 * file is created exclusively (`wx`), so a symlink planted in the folder is never followed: a predictable name let
 * anyone who can write to the folder point it at another file of the user, which the write then overwrote.
 */
export function writeTempFile(dir: string, prefix: string, text: string): string {
  const tmp = join(dir, `${prefix}.${process.pid}.${randomBytes(8).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx');
  try {
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    tryUnlink(tmp);
    throw err;
  }
  return tmp;
}

/** Writes text atomically: a temporary file in the same folder (see writeTempFile), then renamed over the old one. */
export function writeAtomically(file: string, text: string): void {
  const tmp = writeTempFile(dirname(file), `.${basename(file)}`, text);
  try {
    renameSync(tmp, file);
  } catch (err) {
    tryUnlink(tmp);
    throw err;
  }
}

function notAFile(file: string): UserError {
  return new UserError(`emulator state file ${file}`, 'is not a regular file (a folder, FIFO or device)',
    'point --state at a JSON file, e.g. --state .conngate/emulator.json');
}

/**
 * The state file of a running emulator. It keeps the text it last wrote, so that a change whose save failed can
 * be undone in memory: the emulator then answers as if the request never happened, and a retry starts from the
 * same state the file holds.
 */
export class StateFile {
  private lastSaved: string;
  private failuresToInject = 0;

  private constructor(readonly file: string, text: string) {
    this.lastSaved = text;
  }

  /** Loads the file (or a fresh account when it does not exist) and remembers it as the last saved state. */
  static open(file: string, accountId: string): { stateFile: StateFile; state: EmulatorState } {
    if (!existsSync(file)) {
      const state = emptyState(accountId);
      return { stateFile: new StateFile(file, serialize(state)), state };
    }
    // Opened without blocking and checked on the descriptor: a FIFO or a device (`/dev/zero`) would otherwise
    // hang the start for ever or read without end.
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    let text: string;
    try {
      if (!fstatSync(fd).isFile()) throw notAFile(file);
      text = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
    return { stateFile: new StateFile(file, text), state: parseStateText(file, text) };
  }

  /** Refuses, before anything is created next to it, a `--state` path that exists but is not a regular file. */
  static checkPath(file: string): void {
    let isFile: boolean;
    try {
      isFile = statSync(file).isFile();
    } catch {
      return; // missing: a fresh account (other errors surface when the file is opened)
    }
    if (!isFile) throw notAFile(file);
  }

  /** Fault: the next `count` saves fail as a full disk would, before anything is written. */
  injectSaveFailures(count: number): void {
    this.failuresToInject = count;
  }

  /** Writes the state; throws (and the file keeps its previous contents) when it cannot. */
  save(state: EmulatorState): void {
    if (this.failuresToInject > 0) {
      this.failuresToInject--;
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '${this.file}' (injected fault)`), { code: 'ENOSPC' });
    }
    const text = serialize(state);
    writeAtomically(this.file, text);
    this.lastSaved = text;
  }

  /** Puts the in-memory state back to what the file holds (the last successful save). */
  restore(state: EmulatorState): void {
    const saved = parseStateText(this.file, this.lastSaved);
    state.connectionFunctions = saved.connectionFunctions;
    state.keyValueStores = saved.keyValueStores;
    state.trustStores = saved.trustStores;
    state.distributions = saved.distributions;
  }
}
