import * as acorn from 'acorn';
import { UserError } from '../diagnostics/user-error';
import { MAX_CODE_BYTES } from '../runtime/limits';

/** CloudFront's code size limit for a connection function (not adjustable); the local runtime enforces the same one. */
export const MAX_CONNECTION_FUNCTION_BYTES = MAX_CODE_BYTES;

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
 * Checks, at synth time, what CloudFront would otherwise reject only at apply or at the first connection:
 * size, syntax, `export` statements (a syntax error in cloudfront-js-2.0) and the `connectionHandler` entry point.
 * `where` is the file path (or label) used in every message.
 */
export function validateConnectionFunctionCode(code: string, where: string): void {
  const size = Buffer.byteLength(code, 'utf8');
  if (size > MAX_CONNECTION_FUNCTION_BYTES) {
    throw new UserError(where, `connection function code is ${size} bytes, over CloudFront's 10 KB limit (${MAX_CONNECTION_FUNCTION_BYTES} bytes)`,
      'shrink the function (move data into the KeyValueStore, drop comments or minify) below 10240 bytes');
  }

  let program: acorn.Program;
  try {
    // Module source type so `import cf from 'cloudfront'` parses; it also implies strict mode, like the runtime.
    program = acorn.parse(code, { ecmaVersion: 2022, sourceType: 'module', locations: true });
  } catch (e) {
    const err = e as SyntaxError & { loc?: { line: number; column: number } };
    const loc = err.loc ? `${err.loc.line}:${err.loc.column + 1}` : '?';
    const what = err.message.replace(/\s*\(\d+:\d+\)$/, '');
    throw new UserError(`${where}:${loc}`, `connection function code does not parse as JavaScript: ${what}`,
      `correct the syntax at line ${err.loc?.line ?? '?'}, column ${err.loc ? err.loc.column + 1 : '?'}`);
  }

  for (const node of program.body) {
    if (node.type === 'ExportNamedDeclaration' || node.type === 'ExportDefaultDeclaration' || node.type === 'ExportAllDeclaration') {
      const line = node.loc?.start.line ?? '?';
      throw new UserError(`${where}:${line}`, 'connection function code has an `export` statement, which is a syntax error in cloudfront-js-2.0',
        'remove `export`; CloudFront calls the top-level `function connectionHandler(connection)` directly');
    }
  }

  const hasHandler = program.body.some((n) => n.type === 'FunctionDeclaration' && n.id?.name === 'connectionHandler');
  if (!hasHandler) {
    throw new UserError(where, 'connection function code has no top-level `connectionHandler` function',
      'declare `function connectionHandler(connection) { ... }` (or `async function`) at the top level of the file');
  }
}
