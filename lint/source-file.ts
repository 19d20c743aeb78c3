import * as acorn from 'acorn';
import type { LintDiagnostic } from './diagnostic';

/** A parsed function file and the way rules report on it. */
export interface SourceFile {
  readonly file: string;
  readonly text: string;
  readonly program: acorn.Program;
  report(node: acorn.Node | { start: number }, severity: LintDiagnostic['severity'], rule: string, message: string): void;
}

/** acorn's line/column (0-based column) of a character offset, made 1-based. */
function position(text: string, offset: number): { line: number; column: number } {
  const loc = acorn.getLineInfo(text, offset);
  return { line: loc.line, column: loc.column + 1 };
}

/**
 * Parses with the newest grammar acorn knows, as a module (the runtime's `import cf from 'cloudfront'` needs it),
 * so that syntax the runtime lacks parses and can be named by a rule instead of failing as a bare syntax error.
 */
export function parseSource(file: string, text: string, sink: LintDiagnostic[]): SourceFile | undefined {
  let program: acorn.Program;
  try {
    program = acorn.parse(text, { ecmaVersion: 'latest', sourceType: 'module', locations: true, allowHashBang: false });
  } catch (err) {
    const e = err as SyntaxError & { pos?: number };
    const at = position(text, e.pos ?? 0);
    sink.push({ file, ...at, severity: 'error', rule: 'syntax', message: e.message.replace(/ \(\d+:\d+\)$/, '') });
    return undefined;
  }
  return {
    file, text, program,
    report(node, severity, rule, message) {
      sink.push({ file, ...position(text, node.start), severity, rule, message });
    },
  };
}
