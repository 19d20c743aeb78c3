import type { LintDiagnostic } from './diagnostic';
import { checkCfImport } from './rules/cf-import';
import { checkCodeSize } from './rules/code-size';
import { checkConnectionFields } from './rules/connection-fields';
import { checkDecisionPaths } from './rules/decision-paths';
import { checkEntryPoint } from './rules/entry-point';
import { checkKvsSerialKey } from './rules/kvs-serial-key';
import { checkRuntimeSupport } from './rules/runtime-support';
import { parseSource } from './source-file';

/** Every rule, in reporting order. See docs/lint.md. */
export const LINT_RULES = [
  'syntax', 'code-size', 'entry-point', 'no-decision', 'decision-then-continue', 'cf-import', 'connection-field',
  'kvs-serial-key', 'runtime-syntax', 'runtime-builtin',
] as const;

/** Lints one connection function's source; `file` is only used in the diagnostics. Sorted by position. */
export function lintSource(file: string, text: string): LintDiagnostic[] {
  const out: LintDiagnostic[] = [];
  const src = parseSource(file, text, out);
  if (src) {
    checkCodeSize(src);
    try {
      checkEntryPoint(src);
      checkDecisionPaths(src);
      checkCfImport(src);
      checkConnectionFields(src);
      checkKvsSerialKey(src);
      checkRuntimeSupport(src);
    } catch (err) {
      // The walkers recurse per nesting level; code nested deeply enough (well inside 10 KB) exhausts the stack.
      // That must be a finding, not a crash of every command that lints.
      if (!(err instanceof RangeError)) throw err;
      src.report({ start: 0 }, 'error', 'syntax', 'nested too deeply to analyse (the checker ran out of stack): flatten the code');
    }
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
}
