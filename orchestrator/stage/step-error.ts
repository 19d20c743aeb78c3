import { UserError } from '../../diagnostics/user-error';

/**
 * A pipeline step that failed for a reason the operator must act on: names the step, what happened and what to
 * do. The CLI prints it as one line, like any UserError, and exits 1 (the input was fine; the run was refused).
 */
export class StepError extends UserError {
  readonly step: string;
  constructor(step: string, what: string, fix = '', exitCode = 1) {
    super(step, what, fix, exitCode);
    this.name = 'StepError';
    this.step = step;
  }
}

/**
 * A step that stopped before anything reached LIVE (a lost publish race, a lost lease): the run certainly changed
 * nothing there, so it ends as failed without a rollback. Known by its type, never by its message.
 */
export class NothingPublished extends StepError {
  constructor(step: string, what: string, fix = '') {
    super(step, what, fix);
    this.name = 'NothingPublished';
  }
}
