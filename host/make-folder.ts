import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * `mkdir -p`: makes `dir` and its missing parents, one folder at a time. Not `fs.mkdirSync(dir, { recursive: true })`:
 * under a pseudo file system that refuses new folders (a path in /proc) Node's recursive form retries for ever, and a
 * mistyped flag would hang the command instead of failing in one line. This form throws the refusal (ENOENT, EACCES,
 * ENOTDIR, ...) for the caller to word.
 */
export function makeFolder(dir: string, mode?: number): void {
  const missing: string[] = [];
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    if (fs.existsSync(p)) {
      if (!fs.statSync(p).isDirectory()) throw Object.assign(new Error(`ENOTDIR: ${p} is not a folder`), { code: 'ENOTDIR', path: p });
      break;
    }
    missing.push(p);
    if (p === path.dirname(p)) break;
  }
  for (const p of missing.reverse()) {
    try {
      fs.mkdirSync(p, mode === undefined ? undefined : { mode });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
