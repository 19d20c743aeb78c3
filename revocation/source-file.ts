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

/**
 * The bytes of `file`, read only when it is a regular file: /dev/zero never ends (the read grows to 2 GB), and
 * opening a pipe with no writer blocks forever, before any deadline could apply. Throws a plain Error otherwise, for
 * callers that word their own message.
 */
export function readRegularFile(file: string): Buffer {
  if (!isRegularFile(file)) throw new Error(`${file} is not a regular file`);
  return fs.readFileSync(file);
}

/**
 * The bytes of `file` (a regular file only, see readRegularFile); a missing or unreadable file is a UserError naming
 * it, what it should have been (`what`, e.g. "CRL file") and the flag that named it.
 */
export function readSourceFile(file: string, what: string, flag: string): Buffer {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) {
      throw new UserError(file, `cannot read ${what} (not a regular file: a device, pipe or folder)`,
        `save the input to a file and pass that to ${flag}`);
    }
    return fs.readFileSync(file);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(file, `cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, `check the ${flag} path`);
  }
}
