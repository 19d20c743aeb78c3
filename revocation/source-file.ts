/** Reading a revocation input file, with the one-line error every source kind gives for a path it cannot read. */
import * as fs from 'node:fs';
import { UserError } from '../diagnostics/user-error';

/**
 * The bytes of `file`; a missing or unreadable file is a UserError naming it, what it should have been
 * (`what`, e.g. "CRL file") and the flag that named it.
 */
export function readSourceFile(file: string, what: string, flag: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new UserError(file, `cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, `check the ${flag} path`);
  }
}
