import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../diagnostics/user-error';

/**
 * The two CDK frameworks a conngate project can be written in: CDK Terrain (`cdktn`, the maintained continuation)
 * and CDK for Terraform (`cdktf`, archived). They share the construct model, `cdktf.json` and `cdktf.out`, so one
 * conngate serves both; a project installs only its own (conngate's optional peer dependencies).
 */
export type CdkFramework = 'cdktn' | 'cdktf';
export const CDK_FRAMEWORKS: readonly CdkFramework[] = ['cdktn', 'cdktf'];

/** The framework a new project gets (`conngate init` without --framework, in a folder that names none). */
export const DEFAULT_NEW_PROJECT_FRAMEWORK: CdkFramework = 'cdktn';

/** The packages of a framework: its library, its CLI (whose bin has the framework's name) and the prebuilt AWS provider. */
export function frameworkPackages(fw: CdkFramework): { core: string; cli: string; awsProvider: string } {
  return fw === 'cdktn'
    ? { core: 'cdktn', cli: 'cdktn-cli', awsProvider: '@cdktn/provider-aws' }
    : { core: 'cdktf', cli: 'cdktf-cli', awsProvider: '@cdktf/provider-aws' };
}

/** The folder of the conngate package (this file runs from the sources or from dist/). */
export function conngatePackageRoot(): string {
  for (const dir of [path.resolve(__dirname, '..'), path.resolve(__dirname, '..', '..')]) {
    try {
      if ((JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'conngate') return dir;
    } catch { /* not here */ }
  }
  return path.resolve(__dirname, '..');
}

export function isCdkFramework(v: unknown): v is CdkFramework {
  return v === 'cdktn' || v === 'cdktf';
}

/** The framework a package.json's dependencies name, when they name exactly one. */
export function frameworkOfPackageJson(file: string): CdkFramework | undefined {
  let doc: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  try { doc = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return undefined; }
  const deps = { ...doc?.devDependencies, ...doc?.dependencies };
  const named = CDK_FRAMEWORKS.filter((fw) => Object.values(frameworkPackages(fw)).some((p) => p in deps));
  return named.length === 1 ? named[0] : undefined;
}

/** Where a package resolves from `dir` (the project's node_modules), else from conngate's own folder. */
export function resolvePackageFile(pkg: string, file: string, dir: string): string | undefined {
  for (const from of [dir, conngatePackageRoot()]) {
    try { return require.resolve(`${pkg}/${file}`, { paths: [from] }); } catch { /* next */ }
  }
  return undefined;
}

export interface DetectedFramework {
  framework: CdkFramework;
  /** Why this one, for messages: "CONNGATE_FRAMEWORK", "conngate.config.json", "package.json", "installed", "default". */
  from: string;
}

/**
 * The framework of the project in `dir`, first match wins: $CONNGATE_FRAMEWORK; `"framework"` in conngate.config.json;
 * the one framework the project's package.json depends on; the one framework installed; else cdktf (a folder
 * holding both and naming neither, like conngate's own checkout, keeps what conngate always ran).
 */
export function detectFramework(dir: string, env: NodeJS.ProcessEnv = process.env): DetectedFramework {
  const fromEnv = env.CONNGATE_FRAMEWORK;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!isCdkFramework(fromEnv)) throw new UserError('CONNGATE_FRAMEWORK', `"${fromEnv}" is not a framework conngate knows`, 'set it to cdktn or cdktf, or unset it');
    return { framework: fromEnv, from: 'CONNGATE_FRAMEWORK' };
  }
  const configFile = path.join(dir, 'conngate.config.json');
  let configured: unknown;
  try { configured = (JSON.parse(fs.readFileSync(configFile, 'utf8')) as { framework?: unknown })?.framework; } catch { configured = undefined; }
  if (configured !== undefined) {
    if (!isCdkFramework(configured)) throw new UserError(configFile, `framework: ${JSON.stringify(configured)} is not a framework conngate knows`, 'set "framework" to "cdktn" or "cdktf", or remove it');
    return { framework: configured, from: 'conngate.config.json' };
  }
  const declared = frameworkOfPackageJson(path.join(dir, 'package.json'));
  if (declared) return { framework: declared, from: 'package.json' };
  const installed = CDK_FRAMEWORKS.filter((fw) => resolvePackageFile(frameworkPackages(fw).core, 'package.json', dir) !== undefined);
  if (installed.length === 1) return { framework: installed[0], from: 'installed' };
  return { framework: 'cdktf', from: 'default' };
}

/**
 * What a project of `fw` depends on, with the version ranges conngate's own package.json accepts (its peer
 * dependencies are the one place these ranges are written).
 */
export function frameworkDependencies(fw: CdkFramework): Record<string, string> {
  const peers = (JSON.parse(fs.readFileSync(path.join(conngatePackageRoot(), 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> }).peerDependencies;
  const pkgs = frameworkPackages(fw);
  return Object.fromEntries([pkgs.core, pkgs.cli, pkgs.awsProvider, 'constructs'].map((p) => [p, peers[p]]));
}
