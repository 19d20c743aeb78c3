import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../diagnostics/user-error';
import type { CommandModule } from './command-module';
import { askInitAnswers, initAnswersFromFlags, renderStageConfig, renderWorkflow, wantsPrompts, type InitAnswers, type InitFlags } from './init-answers';

/** What a folder may already hold and still count as empty: npm's and git's own files, from `npm install conngate`. */
const TOLERATED_ENTRIES = new Set(['package.json', 'package-lock.json', 'node_modules', '.git', '.npmrc']);

/** The conngate package folder (this file runs from the sources or from dist/). */
function packageRoot(): string {
  for (const dir of [path.resolve(__dirname, '..'), path.resolve(__dirname, '..', '..')]) {
    if (fs.existsSync(path.join(dir, 'templates', 'project', 'cdktf.json'))) return dir;
  }
  throw new UserError('conngate init', 'the project templates are missing from this conngate installation', 'reinstall conngate (npm install conngate)', 1);
}

/** Every file `init` writes: project path -> source path in the package, or literal content. */
function scaffoldFiles(root: string, answers: InitAnswers): Map<string, { from: string } | { content: string }> {
  const tpl = (f: string) => ({ from: path.join(root, 'templates', 'project', f) });
  const rendered = (f: string, render: (text: string) => string) => ({ content: render(fs.readFileSync(path.join(root, 'templates', 'project', f), 'utf8')) });
  const files = new Map<string, { from: string } | { content: string }>([
    ['cdktf.json', tpl('cdktf.json')],
    ['main.ts', tpl('main.ts')],
    ['conngate.config.json', rendered('conngate.config.json', (t) => renderStageConfig(t, answers))],
    ['.gitignore', tpl('gitignore')],
    ['.github/workflows/conngate.yml', rendered('conngate-workflow.yml', (t) => renderWorkflow(t, answers))],
  ]);
  const fnDir = path.join(root, 'functions');
  for (const f of ['revocation-check.js', 'revocation-check.suite.json', 'suite.schema.json']) files.set(`functions/${f}`, { from: path.join(fnDir, f) });
  for (const f of fs.readdirSync(path.join(fnDir, 'fixtures')).sort()) files.set(`functions/fixtures/${f}`, { from: path.join(fnDir, 'fixtures', f) });
  return files;
}

function packageJson(root: string, name: string): string {
  const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const safeName = name.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || 'conngate-project';
  return JSON.stringify({ name: safeName, private: true, dependencies: { conngate: `^${version}` } }, null, 2) + '\n';
}

/**
 * Writes a new conngate project into `dir`. Everything is checked before the first write: a folder holding anything
 * but npm's and git's files is refused unless `force`, and even then a folder standing where a file goes is. Files
 * are created exclusively (a replaced file is unlinked first), so a symbolic link planted at a file's path is
 * replaced, never written through.
 */
export function initProject(dir: string, force: boolean, answers: InitAnswers = initAnswersFromFlags({})): string[] {
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
  const root = packageRoot();
  const files = scaffoldFiles(root, answers);
  if (!fs.existsSync(path.join(target, 'package.json'))) files.set('package.json', { content: packageJson(root, path.basename(target)) });
  for (const rel of files.keys()) {
    const st = (() => { try { return fs.lstatSync(path.join(target, rel)); } catch { return undefined; } })();
    if (st?.isDirectory()) throw new UserError(`conngate init ${dir}`, `${rel} is a folder where a file goes`, `move ${rel} away first`);
  }
  const written: string[] = [];
  for (const [rel, src] of files) {
    const dest = path.join(target, rel);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
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
      .description('make a new conngate project: cdktf.json, main.ts, conngate.config.json, functions/ with a suite, .gitignore and a CI workflow')
      .argument('[dir]', 'the project folder (created when missing)', '.')
      .option('--force', 'write into a folder that already has other files (files conngate writes are replaced)')
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
      .action(async (dir: string, flags: InitFlags) => {
        const answers = wantsPrompts(flags, process.stdin) ? await askInitAnswers(flags) : initAnswersFromFlags(flags);
        const written = initProject(dir, flags.force ?? false, answers);
        process.stdout.write(`conngate init: wrote ${written.length} files in ${path.resolve(dir)} (state backend: ${answers.backend.type})\n`
          + `next: npm install (if conngate is not installed yet), npx conngate test --local, npx conngate doctor dev\n`);
        for (const line of answers.placeholders) process.stderr.write(`conngate init: ${line}\n`);
      });
  },
};
