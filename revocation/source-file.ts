/** Reading a revocation input file, with the one-line error every source kind gives for a path it cannot read. */
import * as fs from 'node:fs';
import { UserError } from '../diagnostics/user-error';

/** Whether `file` is a regular file (not missing, a device, a pipe or a folder). */
export function isRegularFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** `file` is there but is not a regular file. */
class NotRegularFile extends Error {
  constructor(file: string) {
    super(`${file} is not a regular file`);
  }
}

/**
 * The bytes of `file`, read only when it is a regular file: /dev/zero never ends (the read grows to 2 GB), and
 * opening a pipe with no writer blocks forever, before any deadline could apply. Opened without blocking and checked
 * on the descriptor it is read from, so a path swapped for a pipe after a check cannot block the read either.
 * Throws a plain Error otherwise, for callers that word their own message.
 */
export function readRegularFile(file: string): Buffer {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    if (!fs.fstatSync(fd).isFile()) throw new NotRegularFile(file);
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The bytes of `file` (a regular file only, see readRegularFile); a missing or unreadable file is a UserError naming
 * it, what it should have been (`what`, e.g. "CRL file") and the flag that named it.
 */
export function readSourceFile(file: string, what: string, flag: string): Buffer {
  try {
    return readRegularFile(file);
  } catch (e) {
    if (e instanceof NotRegularFile) {
      throw new UserError(file, `cannot read ${what} (not a regular file: a device, pipe or folder)`,
        `save the input to a file and pass that to ${flag}`);
    }
    throw new UserError(file, `cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, `check the ${flag} path`);
  }
}
