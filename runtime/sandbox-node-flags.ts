import { WORKER_HEAP_MB } from './limits';

/**
 * Node command-line flags of a sandbox worker process. The permission model is `--permission` from Node 22.13 /
 * 23.5 and `--experimental-permission` before; with no `--allow-*` flag the worker may not read or write files,
 * start processes or workers, or load addons. The V8 heap is capped so an allocation bomb ends only the worker,
 * and code generation from strings is off in every context of the worker, not only in the function's own.
 */
export function sandboxNodeArgs(): string[] {
  const permission = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';
  return [
    permission,
    '--no-addons',
    '--disallow-code-generation-from-strings',
    `--max-old-space-size=${WORKER_HEAP_MB}`,
    '--max-semi-space-size=2',
    '--no-warnings',
  ];
}
