/**
 * A JSON.parse error as a person fixes it: `line 3, column 1: expected double-quoted property name`. V8 names only a
 * character offset (`at position 11`), and only some Node versions add the line; an offset in a 40-line config is
 * no help, so the line and column are computed from the text that failed to parse.
 */
export function jsonSyntaxProblem(text: string, err: unknown): string {
  const message = String((err as Error)?.message ?? err);
  const what = message
    .replace(/\s*\(line \d+ column \d+\)\s*$/, '')
    .replace(/\s+(?:in JSON\s+)?at position \d+.*$/, '')
    .replace(/\s+in JSON$/, '')
    .replace(/^Unexpected end of JSON input$/, 'the JSON ends too early')
    .trim();
  const at = /at position (\d+)/.exec(message);
  const offset = at ? Number(at[1]) : /end of JSON input/.test(message) ? text.length : undefined;
  const lower = what.charAt(0).toLowerCase() + what.slice(1);
  if (offset === undefined) return lower;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line}, column ${column}: ${lower}`;
}
