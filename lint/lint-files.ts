import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../diagnostics/user-error';
import { formatDiagnostic, type LintDiagnostic } from './diagnostic';
import { lintSource } from './lint-source';

/** Lints files from disk; an unreadable file is bad input (UserError), not a finding. Paths shown relative to cwd. */
export function lintFiles(files: string[], cwd: string = process.cwd()): LintDiagnostic[] {
  return files.flatMap((f) => {
    let text: string;
    try {
      text = fs.readFileSync(path.resolve(cwd, f), 'utf8');
    } catch {
      throw new UserError(f, 'cannot be read', 'pass the path of a connection-function .js file');
    }
    const rel = path.relative(cwd, path.resolve(cwd, f));
    return lintSource(rel && !rel.startsWith('..') ? rel : f, text);
  });
}

/**
 * The lint step other commands run before they work with a function: findings go to stderr, one per line; an
 * error stops the command (exit 1) so nothing is tested, applied or published with it.
 */
export function lintBeforeUse(files: string[], write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
  const found = lintFiles([...new Set(files)]);
  for (const d of found) write(formatDiagnostic(d));
  const errors = found.filter((d) => d.severity === 'error').length;
  if (errors > 0) {
    throw new UserError(`conngate lint ${[...new Set(files)].map((f) => path.relative(process.cwd(), f) || f).join(' ')}`,
      `${errors} error${errors === 1 ? '' : 's'} in the connection function`, 'fix the findings above (rules: docs/lint.md)', 1);
  }
}
