import * as path from 'node:path';

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
