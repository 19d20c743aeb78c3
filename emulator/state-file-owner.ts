import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../diagnostics/user-error';
import { tryUnlink, writeAtomically, writeTempFile } from './state-file';
import { processAlive } from '../host/process-alive';
import { makeFolder } from '../host/make-folder';

/**
 * One emulator owns a `--state` file at a time; a second one refuses to start, so that two emulators never
 * overwrite each other's changes. A crashed owner leaves a record whose process is gone (or whose pid now belongs
 * to another process, told apart by the process start time), and the next emulator takes the file over.
 *
 * Ownership is a numbered record in the folder `.<state file>.owner/`: the owner holds the highest number. Taking
 * over creates the next number with `link()`, which fails when the name exists, so of many emulators that judged
 * the same owner dead exactly one wins; the record appears complete or not at all. The highest record is never
 * deleted (only the numbers below it are, by their successor), so the number never goes back, and a claim that
 * finds a higher number after it was made has lost. Before every save the owner checks it still holds the highest
 * number, so an emulator that was wrongly judged dead cannot overwrite its successor's state.
 */
interface OwnerRecord {
  format: 'conngate-emulator-state-owner';
  pid: number;
  host: string;
  /** Identifies the process beyond its pid (start time since boot); absent where it cannot be read. */
  processStart?: string;
  token: string;
  since: string;
  released?: boolean;
}

const CLAIM_ROUNDS = 64;
const GENERATION = /^\d{1,15}$/;

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

/** The start time of a process, so that a reused pid is not mistaken for the owner; undefined if it is gone. */
export function processStartOf(pid: number): string | undefined {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Field 22 (starttime, clock ticks since boot); the command name (field 2) may hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return `${bootId()}:${fields[19]}`;
    } catch {
      return undefined;
    }
  }
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return out || undefined;
  } catch {
    return undefined;
  }
}

function ownerIsAlive(r: OwnerRecord): boolean {
  if (r.released) return false;
  // A record written on another machine (a shared folder) cannot be checked from here: assume it is alive.
  if (r.host !== hostname()) return true;
  if (!processAlive(r.pid)) return false;
  if (r.processStart === undefined) return true;
  return processStartOf(r.pid) === r.processStart;
}

function generations(dir: string): number[] {
  return readdirSync(dir).filter((n) => GENERATION.test(n)).map(Number).sort((a, b) => a - b);
}

type ReadResult = { kind: 'missing' } | { kind: 'record'; record: OwnerRecord } | { kind: 'unreadable' };

function readRecord(file: string): ReadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw err;
  }
  try {
    const r = JSON.parse(text) as OwnerRecord;
    if (r?.format === 'conngate-emulator-state-owner' && typeof r.pid === 'number') return { kind: 'record', record: r };
  } catch {
    // falls through: a record that does not parse was not written by an emulator and protects nothing
  }
  return { kind: 'unreadable' };
}

/** The folder that holds the ownership records of a state file. */
export function ownerFolderOf(stateFile: string): string {
  return join(dirname(stateFile), `.${basename(stateFile)}.owner`);
}

export class StateFileOwnership {
  private released = false;

  private constructor(readonly stateFile: string, private readonly dir: string, readonly generation: number,
    private readonly record: OwnerRecord) {}

  /**
   * Takes ownership of the state file or throws a UserError naming the emulator that holds it. A dead owner's
   * record is taken over.
   */
  static acquire(stateFile: string): StateFileOwnership {
    const dir = ownerFolderOf(stateFile);
    try {
      makeFolder(dir);
    } catch (err) {
      throw new UserError(`emulator state file ${stateFile}`, `cannot create ${dir} (${(err as Error).message})`,
        'point --state at a file in a folder you can write to');
    }
    const record: OwnerRecord = {
      format: 'conngate-emulator-state-owner', pid: process.pid, host: hostname(), processStart: processStartOf(process.pid),
      token: randomBytes(12).toString('hex'), since: new Date().toISOString(),
    };
    for (let round = 0; round < CLAIM_ROUNDS; round++) {
      const top = generations(dir).at(-1) ?? 0;
      if (top > 0) {
        const current = readRecord(join(dir, String(top)));
        if (current.kind === 'missing') continue;
        if (current.kind === 'record' && ownerIsAlive(current.record)) {
          const r = current.record;
          throw new UserError(`emulator state file ${stateFile}`,
            `is in use by another emulator (pid ${r.pid} on ${r.host}, since ${r.since})`,
            `stop that emulator first, or point --state at another file${r.host !== hostname()
              ? `; if it no longer runs on ${r.host}, delete ${dir}` : ''}`);
        }
      }
      const mine = top + 1;
      // A number past the pattern would be invisible to every later listing: this emulator could never save, and
      // the next one would start again from 1 beside it (two owners). Only a stray file can get the count there.
      if (!GENERATION.test(String(mine))) {
        throw new UserError(`emulator state file ${stateFile}`, `its ownership folder ${dir} holds a record numbered ${top}, past the last usable number`,
          `stop any emulator using it, then delete ${dir}`);
      }
      const tmp = writeTempFile(dir, '.claim', JSON.stringify(record));
      try {
        linkSync(tmp, join(dir, String(mine)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw err;
      } finally {
        tryUnlink(tmp);
      }
      // A claimant that listed the folder before a successor cleaned up can create a number below the highest:
      // it has lost, and its record is not the highest, so deleting it is safe.
      const after = generations(dir);
      if (after.at(-1)! > mine) {
        tryUnlink(join(dir, String(mine)));
        continue;
      }
      for (const g of after) if (g < mine) tryUnlink(join(dir, String(g)));
      return new StateFileOwnership(stateFile, dir, mine, record);
    }
    throw new UserError(`emulator state file ${stateFile}`, 'could not take ownership: other emulators kept claiming it',
      'start one emulator per state file');
  }

  /** False also when the folder cannot be read any more (removed, say, by a clean-up of dot folders). */
  private holdsHighest(): boolean {
    try {
      const top = generations(this.dir).at(-1);
      const current = readRecord(join(this.dir, String(this.generation)));
      return top === this.generation && current.kind === 'record' && current.record.token === this.record.token;
    } catch {
      return false;
    }
  }

  /** Throws unless this emulator still holds the state file (checked before every save). */
  assertOwner(): void {
    if (this.released) throw new Error(`the emulator no longer owns ${this.stateFile}`);
    if (!this.holdsHighest()) {
      throw new Error(`another emulator has taken over ${this.stateFile} (or its ownership record in ${this.dir} was removed); `
        + 'this one no longer saves to it');
    }
  }

  /**
   * Gives the file up, so the next emulator starts without judging this one dead. Never throws: a record that
   * cannot be marked released still names this process, and the next emulator judges it by that.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (!this.holdsHighest()) return; // taken over (or the folder is gone): the successor's record stays as it is
    try {
      writeAtomically(join(this.dir, String(this.generation)), JSON.stringify({ ...this.record, released: true }));
    } catch {
      // stays as it was: names this process
    }
  }
}
