import * as path from 'node:path';
import { UserError } from '../diagnostics/user-error';
import { isRegularFile, readRegularFile } from '../revocation/source-file';
import { formatDiagnostic, type LintDiagnostic } from './diagnostic';
import { lintSource } from './lint-source';

/** Lints files from disk; an unreadable file is bad input (UserError), not a finding. Paths shown relative to cwd. */
export function lintFiles(files: string[], cwd: string = process.cwd()): LintDiagnostic[] {
  return files.flatMap((f) => {
    const full = path.resolve(cwd, f);
    let text: string;
    try {
      text = readRegularFile(full).toString('utf8');
    } catch {
      throw new UserError(f, 'cannot be read', 'pass the path of a connection-function .js file');
    }
    const rel = path.relative(cwd, full);
    return lintSource(rel && !rel.startsWith('..') ? rel : f, text);
  });
}

/**
 * The lint step `test --local`, `synth`, `deploy` and `verify` run before they work with a function: each finding is
 * written as one line, with a summary line when there are any. It reports and never stops the command: the suites
 * (locally, and in DEVELOPMENT before any publish) are the gate, and suites of deliberately hostile code must run.
 * `conngate lint` is the check that fails (exit 1) on an error. A file that cannot be read is left to the command,
 * which reports it in its own words.
 */
export function lintBeforeUse(files: string[], write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
  const readable = [...new Set(files)].filter(isRegularFile);
  const found = lintFiles(readable);
  if (found.length === 0) return;
  for (const d of found) write(formatDiagnostic(d));
  const errors = found.filter((d) => d.severity === 'error').length;
  write(`conngate lint: ${errors} error(s), ${found.length - errors} warning(s) (rules: docs/lint.md; \`conngate lint\` fails on errors)`);
}
