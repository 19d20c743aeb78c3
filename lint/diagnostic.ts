/** One finding of `conngate lint`. */
export interface LintDiagnostic {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  severity: 'error' | 'warning';
  rule: string;
  message: string;
}

/** `file:line:col severity rule message`, the form editors and CI annotations parse. */
export function formatDiagnostic(d: LintDiagnostic): string {
  return `${d.file}:${d.line}:${d.column} ${d.severity} ${d.rule} ${d.message}`;
}
