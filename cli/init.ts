import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../diagnostics/user-error';
import { conngatePackageRoot, DEFAULT_NEW_PROJECT_FRAMEWORK, frameworkDependencies, frameworkOfPackageJson, isCdkFramework, type CdkFramework } from '../framework/cdk-framework';
import type { CommandModule } from './command-module';
import { askInitAnswers, initAnswersFromFlags, renderStageConfig, renderWorkflow, wantsPrompts, type InitAnswers, type InitFlags } from './init-answers';
import { makeFolder } from '../host/make-folder';

/** What a folder may already hold and still count as empty: npm's and git's own files, from `npm install conngate`. */
const TOLERATED_ENTRIES = new Set(['package.json', 'package-lock.json', 'node_modules', '.git', '.npmrc']);

/** The conngate package folder, checked to hold the project templates. */
function packageRoot(): string {
  const dir = conngatePackageRoot();
  if (fs.existsSync(path.join(dir, 'templates', 'project', 'cdktf.json'))) return dir;
  throw new UserError('conngate init', 'the project templates are missing from this conngate installation', 'reinstall conngate (npm install conngate)', 1);
}

/** Every file `init` writes: project path -> source path in the package, or literal content. */
function scaffoldFiles(root: string, answers: InitAnswers, framework: CdkFramework): Map<string, { from: string } | { content: string }> {
  const tpl = (f: string) => ({ from: path.join(root, 'templates', 'project', f) });
  const rendered = (f: string, render: (text: string) => string) => ({ content: render(fs.readFileSync(path.join(root, 'templates', 'project', f), 'utf8')) });
  const named = (t: string) => t.replaceAll('{{FRAMEWORK}}', framework);
  const files = new Map<string, { from: string } | { content: string }>([
    // cdktn reads the same cdktf.json (and writes the same cdktf.out) as cdktf: one file serves both.
    ['cdktf.json', tpl('cdktf.json')],
    ['main.ts', rendered('main.ts', named)],
    ['conngate.config.json', rendered('conngate.config.json', (t) => renderStageConfig(t, answers))],
    ['.gitignore', tpl('gitignore')],
    ['.github/workflows/conngate.yml', rendered('conngate-workflow.yml', (t) => named(renderWorkflow(t, answers)))],
  ]);
  const fnDir = path.join(root, 'functions');
  for (const f of ['revocation-check.js', 'revocation-check.suite.json', 'suite.schema.json']) files.set(`functions/${f}`, { from: path.join(fnDir, f) });
  for (const f of fs.readdirSync(path.join(fnDir, 'fixtures')).sort()) files.set(`functions/fixtures/${f}`, { from: path.join(fnDir, 'fixtures', f) });
  return files;
}

type PackageDoc = { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };

/** The folder's own package.json, parsed once; it must be a JSON object for dependencies to be added to it. */
function readExistingPackageJson(file: string): PackageDoc | undefined {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch { return undefined; }
  let doc: unknown;
  try { doc = JSON.parse(text); } catch { throw new UserError(file, 'is not valid JSON', 'fix or remove package.json, then run conngate init again'); }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new UserError(file, 'is not a JSON object', 'fix or remove package.json, then run conngate init again');
  return doc as PackageDoc;
}

/**
 * The project's package.json: a new private package depending on conngate and the framework, or the folder's own
 * with the framework's packages added to its dependencies (entries it already has are kept as they are).
 */
function packageJson(root: string, name: string, existing: PackageDoc | undefined, framework: CdkFramework): string {
  const fwDeps = frameworkDependencies(framework);
  if (existing !== undefined) {
    const doc = existing;
    const have = { ...doc.devDependencies, ...doc.dependencies };
    doc.dependencies = { ...doc.dependencies, ...Object.fromEntries(Object.entries(fwDeps).filter(([p]) => !(p in have))) };
    return JSON.stringify(doc, null, 2) + '\n';
  }
  const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const safeName = name.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || 'conngate-project';
  return JSON.stringify({ name: safeName, private: true, dependencies: { conngate: `^${version}`, ...fwDeps } }, null, 2) + '\n';
}

/**
 * The framework of the new project: --framework, else the one the folder's package.json already depends on, else
 * cdktn. A --framework that contradicts the package.json is a migration, not an init, so it is refused.
 */
export function initFramework(dir: string, flag: string | undefined): CdkFramework {
  if (flag !== undefined && !isCdkFramework(flag)) throw new UserError('--framework', `"${flag}" is not a framework conngate knows`, 'pass --framework cdktn or --framework cdktf');
  const declared = frameworkOfPackageJson(path.join(dir, 'package.json'));
  if (flag && declared && flag !== declared) {
    throw new UserError(`conngate init ${dir}`, `package.json already depends on ${declared}, not ${flag}`,
      declared === 'cdktf' ? 'omit --framework, or move the project to cdktn first (docs/package.md, "From cdktf to cdktn")' : 'omit --framework, or pass a new folder');
  }
  return (flag as CdkFramework | undefined) ?? declared ?? DEFAULT_NEW_PROJECT_FRAMEWORK;
}

/**
 * Writes a new conngate project into `dir`. Everything is checked before the first write: a folder holding anything
 * but npm's and git's files is refused unless `force`, and even then a folder standing where a file goes is. Files
 * are created exclusively (a replaced file is unlinked first), so a symbolic link planted at a file's path is
 * replaced, never written through.
 */
export function initProject(dir: string, force: boolean, answers: InitAnswers = initAnswersFromFlags({}), frameworkFlag?: string): string[] {
  const target = path.resolve(dir);
  let stat: fs.Stats | undefined;
  try { stat = fs.lstatSync(target); } catch { stat = undefined; }
  if (stat && !stat.isDirectory()) {
    throw new UserError(`conngate init ${dir}`, stat.isSymbolicLink() ? 'is a symbolic link' : 'is a file, not a folder', 'pass a new or empty folder');
  }
  const extra = stat ? fs.readdirSync(target).filter((e) => !TOLERATED_ENTRIES.has(e)) : [];
  if (extra.length > 0 && !force) {
    throw new UserError(`conngate init ${dir}`, `folder is not empty (${extra.slice(0, 3).join(', ')}${extra.length > 3 ? ', ...' : ''})`,
      'pass a new or empty folder, or --force to write the project files over it');
  }
  const framework = initFramework(target, frameworkFlag);
  const root = packageRoot();
  const files = scaffoldFiles(root, answers, framework);
  const existing = readExistingPackageJson(path.join(target, 'package.json'));
  files.set('package.json', { content: packageJson(root, path.basename(target), existing, framework) });
  for (const rel of files.keys()) {
    const st = (() => { try { return fs.lstatSync(path.join(target, rel)); } catch { return undefined; } })();
    if (st?.isDirectory()) throw new UserError(`conngate init ${dir}`, `${rel} is a folder where a file goes`, `move ${rel} away first`);
  }
  const written: string[] = [];
  for (const [rel, src] of files) {
    const dest = path.join(target, rel);
    makeFolder(path.dirname(dest));
    fs.rmSync(dest, { force: true });
    fs.writeFileSync(dest, 'from' in src ? fs.readFileSync(src.from) : src.content, { flag: 'wx' });
    written.push(rel);
  }
  return written;
}

/** `conngate init [dir]`: scaffolds a project that depends on conngate. */
export const initCommand: CommandModule = {
  register(program: Command): void {
    program
      .command('init')
      .description('make a new conngate project (cdktn or cdktf): package.json dependencies, cdktf.json, main.ts, conngate.config.json, functions/ with a suite, .gitignore and a CI workflow')
      .argument('[dir]', 'the project folder (created when missing)', '.')
      .option('--force', 'write into a folder that already has other files (files conngate writes are replaced)')
      .option('--framework <name>', 'the CDK framework: cdktn (CDK Terrain) or cdktf (default: the one package.json depends on, else cdktn)')
      .option('--backend <type>', 'where Terraform keeps each stage\'s state: s3 (with its lock file), cloud (an HCP Terraform workspace per stage) or local (emulator only)')
      .option('--state-bucket <bucket>', 'the S3 bucket of the s3 backend (state at conngate/<stage>/terraform.tfstate)')
      .option('--state-region <region>', 'the state bucket\'s region (default: --region)')
      .option('--hcp-organization <org>', 'the HCP Terraform organization of the cloud backend (workspaces conngate-<stage>)')
      .option('--hcp-hostname <host>', 'HCP Terraform / Terraform Enterprise host name (default: app.terraform.io)')
      .option('--region <region>', 'the AWS region of the stages (default: us-east-1)')
      .option('--origin <host>', 'the host name of the HTTPS origin behind the distribution')
      .option('--ca-bundle <s3-url>', 'the client CA bundle (PEM) the trust store is made from: s3://<bucket>/<key>')
      .option('--ca-bundle-version <id>', 'the S3 object version of the CA bundle (aws s3api put-object prints it)')
      .addHelpText('after', '\nAsks for the backend, region, origin and CA bundle when run in a terminal without these flags; with any of them, or'
        + '\nwhen stdin is not a terminal, it asks nothing (missing values stay placeholders the emulator accepts and a deploy to AWS refuses).'
        + '\n\nExamples:\n  npm install conngate && npx conngate init\n  npx conngate init infra/mtls --force\n'
        + '  npx conngate init --backend s3 --state-bucket acme-tfstate --region eu-west-1 --origin api.acme.com \\\n'
        + '      --ca-bundle s3://acme-mtls/ca-bundle.pem --ca-bundle-version 3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY\n'
        + '  npx conngate init --backend cloud --hcp-organization acme --origin api.acme.com --ca-bundle s3://acme-mtls/ca-<sha256>.pem\n'
        + '\nThen: npx conngate doctor dev, npx conngate deploy dev (README: "From the demo to your AWS account").\n')
      .action(async (dir: string, flags: InitFlags & { framework?: string }) => {
        const framework = initFramework(path.resolve(dir), flags.framework);
        const answers = wantsPrompts(flags, process.stdin) ? await askInitAnswers(flags) : initAnswersFromFlags(flags);
        const written = initProject(dir, flags.force ?? false, answers, framework);
        process.stdout.write(`conngate init: wrote ${written.length} files in ${path.resolve(dir)} (framework: ${framework}, state backend: ${answers.backend.type})\n`
          + `next: npm install (installs ${framework}), npx conngate test --local, npx ${framework} synth, npx conngate doctor dev\n`);
        for (const line of answers.placeholders) process.stderr.write(`conngate init: ${line}\n`);
      });
  },
};
