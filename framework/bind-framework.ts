import Module = require('node:module');
import * as path from 'node:path';
import { isUserError } from '../diagnostics/user-error';
import { conngatePackageRoot, detectFramework, type CdkFramework } from './cdk-framework';

/**
 * conngate's sources are written against cdktf's API, which CDK Terrain keeps unchanged: they import `cdktf` and
 * `@cdktf/provider-aws/lib/...`. In a cdktn project this file, loaded before any of them (index.ts, main.ts and the
 * CLI import it first), resolves those two names to `cdktn` and `@cdktn/provider-aws/lib/...` for conngate's own
 * files only, from the project's node_modules: conngate's stacks then extend the very `TerraformStack` class the
 * project's `App` comes from. Nothing else in the process is redirected, and a cdktf project runs unchanged.
 */
const ALIASES: Record<string, string> = { cdktf: 'cdktn', '@cdktf/provider-aws': '@cdktn/provider-aws' };

let bound: CdkFramework | undefined;

/** `request` with the cdktf package name swapped for cdktn's (the rest of a deep path is the same in both). */
export function cdktnRequest(request: string): string {
  for (const [from, to] of Object.entries(ALIASES)) {
    if (request === from || request.startsWith(`${from}/`)) return to + request.slice(from.length);
  }
  return request;
}

/** Binds conngate's framework imports to `fw` (once per process; the first framework bound stays). */
export function bindFramework(fw: CdkFramework): CdkFramework {
  if (bound) return bound;
  bound = fw;
  if (fw === 'cdktf') return fw;
  const root = conngatePackageRoot();
  const ownFile = (file: string | undefined): boolean => {
    if (!file) return false;
    const rel = path.relative(root, file);
    return !rel.startsWith('..') && !path.isAbsolute(rel) && rel.split(path.sep)[0] !== 'node_modules';
  };
  type Resolve = (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string;
  const loader = Module as unknown as { _resolveFilename: Resolve };
  const resolve = loader._resolveFilename;
  loader._resolveFilename = function (this: unknown, request, parent, ...rest) {
    return resolve.call(this, ownFile(parent?.filename) ? cdktnRequest(request) : request, parent, ...rest);
  };
  return fw;
}

try {
  bindFramework(detectFramework(process.cwd()).framework);
} catch (err) {
  // A bad CONNGATE_FRAMEWORK or "framework" is the user's to fix: one line, before anything else runs.
  if (!isUserError(err)) throw err;
  process.stderr.write(`conngate: ${err.message}\n`);
  process.exit(err.exitCode);
}
