import { UserError } from '../diagnostics/user-error';
import { transformSource } from '../runtime/source-transform';

/** CloudFront's function name rule. */
export const CONNECTION_FUNCTION_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** Rejects a function name CloudFront would refuse, naming the prop that carried it. */
export function validateConnectionFunctionName(name: string, prop = 'functionName'): void {
  if (!CONNECTION_FUNCTION_NAME_PATTERN.test(name)) {
    throw new UserError(`ConnectionFunction ${prop}`, `invalid name "${name}": must be 1-64 characters of a-z A-Z 0-9 - _`,
      `choose a name like "conngate-dev-revocation-check" (namePrefix in conngate.config.json feeds it)`);
  }
}

/**
 * Checks, at synth time, what CloudFront would otherwise reject only at apply or at the first connection: size,
 * syntax, `export` statements, imports other than `import cf from 'cloudfront'`, the `connectionHandler` entry
 * point, and HTML-like comments (`<!--`, `-->`: text a module parser reads as code and a script parser skips).
 * It is the local runtime's own check (runtime/source-transform.ts, the same parse with the same grammar), so synth
 * and `conngate test --local` accept and refuse exactly the same code. `where` is the file path (or label) used in
 * every message.
 */
export function validateConnectionFunctionCode(code: string, where: string): void {
  transformSource(code, where);
}
