import * as path from 'node:path';
import { UserError } from '../../diagnostics/user-error';

/**
 * The cdktf CLI to run: $CONNGATE_CDKTF when set (a global install, or `cdktn` for CDK Terrain), else the
 * cdktf-cli that conngate itself depends on, run by this Node; `npx cdktf` only as a last resort. Resolving our own
 * copy matters because cdktf projects may live outside conngate's folder, where `npx` would try to download it.
 */
export function cdktfCommand(): string[] {
  if (process.env.CONNGATE_CDKTF) return process.env.CONNGATE_CDKTF.split(' ').filter(Boolean);
  try {
    const pkgFile = require.resolve('cdktf-cli/package.json');
    const bin = (require(pkgFile) as { bin: Record<string, string> }).bin.cdktf;
    return [process.execPath, path.join(path.dirname(pkgFile), bin)];
  } catch {
    return ['npx', 'cdktf'];
  }
}

/**
 * The error for a cdktf run that failed. When the app itself refused the input (main.ts prints a bad stage config
 * or function file as one `conngate: <where>: <what> (fix: ...)` line), that line is the error; otherwise the exit
 * status with `fix`. Every caller of the cdktf CLI reports failures through this, so they read the same.
 */
export function cdktfFailure(where: string, output: string, exit: number | string | null | undefined, fix: string): UserError {
  const userLine = output.split('\n').map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim()).find((l) => l.startsWith('conngate: '));
  if (userLine) return new UserError('cdktf synth', userLine.slice('conngate: '.length), '');
  return new UserError(where, `exited with code ${exit ?? 'unknown'}`, fix, 1);
}
