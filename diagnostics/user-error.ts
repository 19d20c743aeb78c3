/**
 * An error caused by the user's input or environment rather than by a bug: the CLI prints it as one line
 * (`conngate: <where>: <what> (fix: <how>)`) and exits non-zero, without a stack trace.
 */
export class UserError extends Error {
  readonly where: string;
  readonly fix: string;
  readonly exitCode: number;

  constructor(where: string, what: string, fix: string, exitCode = 2) {
    super(`${where}: ${what}${fix ? ` (fix: ${fix})` : ''}`);
    this.name = 'UserError';
    this.where = where;
    this.fix = fix;
    this.exitCode = exitCode;
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}
