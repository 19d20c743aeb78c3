import * as path from 'node:path';
import { UserError } from '../../diagnostics/user-error';
import { detectFramework, frameworkDependencies, frameworkPackages, resolvePackageFile, type CdkFramework } from '../../framework/cdk-framework';

/** The framework CLI a project runs: its name for messages (`cdktn` or `cdktf`) and the command line to start it. */
export interface FrameworkCli {
  name: CdkFramework;
  command: string[];
}

/** cdktn-cli's engines: on an older Node it crashes at start (util.markAsUncloneable), so say it in one line first. */
const CDKTN_MIN_NODE = [22, 19];

/**
 * The project's own framework CLI (`cdktn` or `cdktf`, framework/cdk-framework.ts says which), resolved from the
 * project's node_modules (else conngate's own) and run by this Node: `npx` would try to download one for a project
 * outside conngate's folder. $CONNGATE_CDKTF replaces the command (a global install, or a stand-in in tests).
 */
export function frameworkCli(dir: string): FrameworkCli {
  const { framework } = detectFramework(dir);
  if (process.env.CONNGATE_CDKTF) return { name: framework, command: process.env.CONNGATE_CDKTF.split(' ').filter(Boolean) };
  const cli = frameworkPackages(framework).cli;
  const pkgFile = resolvePackageFile(cli, 'package.json', dir);
  if (!pkgFile) {
    const deps = frameworkDependencies(framework);
    throw new UserError(dir, `${cli} is not installed (the project's framework is ${framework})`,
      `npm install --save-dev ${Object.entries(deps).map(([p, r]) => `"${p}@${r}"`).join(' ')}`);
  }
  if (framework === 'cdktn') {
    const [major, minor] = process.versions.node.split('.').map(Number);
    if (major < CDKTN_MIN_NODE[0] || (major === CDKTN_MIN_NODE[0] && minor < CDKTN_MIN_NODE[1])) {
      throw new UserError(cli, `needs Node >= ${CDKTN_MIN_NODE.join('.')} (this is Node ${process.versions.node})`, 'run conngate on Node 22.19 or later');
    }
  }
  const bin = (require(pkgFile) as { bin: Record<string, string> }).bin[framework];
  return { name: framework, command: [process.execPath, path.join(path.dirname(pkgFile), bin)] };
}

/** The command line of the project's framework CLI (frameworkCli without the name). */
export function cdktfCommand(dir: string = process.cwd()): string[] {
  return frameworkCli(dir).command;
}

/**
 * The error for a framework CLI run that failed. When the app itself refused the input (main.ts prints a bad stage
 * config or function file as one `conngate: <where>: <what> (fix: ...)` line), that line is the error; otherwise the
 * exit status with `fix`. `appWhere` names the CLI's synth step that ran the app. Every caller of the CLI reports failures through this, so they read the same.
 */
export function cdktfFailure(where: string, output: string, exit: number | string | null | undefined, fix: string,
  appWhere: string): UserError {
  const userLine = output.split('\n').map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim()).find((l) => l.startsWith('conngate: '));
  if (userLine) return new UserError(appWhere, userLine.slice('conngate: '.length), '');
  return new UserError(where, `exited with code ${exit ?? 'unknown'}`, fix, 1);
}
