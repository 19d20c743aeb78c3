import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../diagnostics/user-error';
import { canonicalSerial } from '../revocation/canonical-serial';
import { resultTable } from '../runtime/result-table';
import { findSuiteFor, loadSuite } from '../runtime/suite';
import { runSuiteLocally } from '../runtime/suite-runner';
import { DEFAULT_CANARY_SERIAL } from '../revocation/canonical-serial';
import { summarize, type SuiteRunSummary } from '../orchestrator/suite/case-result';
import { junitXml } from '../orchestrator/reports/junit-report';
import type { CommandModule } from './command-module';
import { testRunJson } from './run-json';
import { lintBeforeUse } from '../lint/lint-files';

interface TestFlags { local?: boolean; junit?: string; canarySerial: string; functionsDir: string; json?: boolean }

/** Resolves CLI targets (function files, suite files, or names) to suite files. */
function resolveSuites(targets: string[], dir: string): string[] {
  if (targets.length === 0) {
    if (!fs.existsSync(dir)) throw new UserError(`--functions-dir ${dir}`, 'folder not found', 'run in the project folder or pass --functions-dir <folder>');
    if (!fs.statSync(dir).isDirectory()) throw new UserError(`--functions-dir ${dir}`, 'is a file, not a folder', 'pass the folder holding the functions and their suites');
    const suites = fs.readdirSync(dir).filter((f) => /\.suite\.(json|ya?ml)$/.test(f)).sort().map((f) => path.join(dir, f));
    if (suites.length === 0) throw new UserError(`--functions-dir ${dir}`, 'contains no *.suite.json files', 'add a suite next to each function, or pass --functions-dir <folder>');
    return suites;
  }
  return targets.map((t) => {
    if (/\.suite\.(json|ya?ml)$/.test(t)) return t;
    const fnFile = /\.js$/.test(t) ? t : path.join(dir, `${t}.js`);
    const suite = findSuiteFor(fnFile);
    if (!suite) throw new UserError(t, `no suite found for ${fnFile}`, `create ${fnFile.replace(/\.js$/, '.suite.json')}`);
    return suite;
  });
}

/** Refuses an output path that cannot be written before any case runs (a folder, a missing or read-only folder). */
function checkWritableFile(flag: string, file: string): void {
  const abs = path.resolve(file);
  const parent = path.dirname(abs);
  if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) throw new UserError(`${flag} ${file}`, 'is a folder', `pass a file path, e.g. ${flag} ${path.join(file, 'results.xml')}`);
  if (!fs.existsSync(parent)) throw new UserError(`${flag} ${file}`, `folder ${parent} does not exist`, 'create the folder first or pass another path');
  if (!fs.statSync(parent).isDirectory()) throw new UserError(`${flag} ${file}`, `${parent} is a file, not a folder`, 'pass a path inside a folder');
  try {
    fs.accessSync(fs.existsSync(abs) ? abs : parent, fs.constants.W_OK);
  } catch {
    throw new UserError(`${flag} ${file}`, 'is not writable', 'pass a path you can write to');
  }
}

/** `conngate test --local [function|suite...]`: runs suites through the local runtime. */
export const testLocalCommand: CommandModule = {
  register(program: Command): void {
    program
      .command('test')
      .description('run connection-function suites through the local cloudfront-js-2.0 runtime and print a result table')
      .argument('[targets...]', 'function files (functions/x.js), suite files (x.suite.json) or function names; default: every suite in --dir')
      .option('--local', 'run in the local runtime (required; remote runs happen in `conngate deploy`/`verify`)')
      .option('--junit <file>', 'also write the results as JUnit XML')
      .option('--canary-serial <serial>', 'canary serial for ${canarySerial} placeholders and the local store', DEFAULT_CANARY_SERIAL)
      .option('--functions-dir <folder>', 'folder holding the functions and their suites', 'functions')
      .option('--json', 'print the results as one JSON object ({"schema":"conngate.run/1",...}) on stdout instead of the tables')
      .addHelpText('after', '\nExamples:\n  conngate test --local\n  conngate test --local functions/revocation-check.js --junit reports/local.junit.xml\n'
        + '  conngate test --local --functions-dir my-functions')
      .action(async (targets: string[], flags: TestFlags) => {
        if (!flags.local) {
          throw new UserError('conngate test', 'only local runs are supported here', 'add --local (suites run remotely as part of `conngate deploy` and `conngate verify`)');
        }
        // Check every input first so bad input stops the run before any case executes.
        if (canonicalSerial(flags.canarySerial) === undefined) {
          throw new UserError('--canary-serial', `"${flags.canarySerial}" is not a hex serial`, 'use hex digits, e.g. 0badc0de0badc0de');
        }
        const suites = resolveSuites(targets, flags.functionsDir).map((f) => {
          const suite = loadSuite(f);
          if (!fs.existsSync(suite.functionFile)) {
            throw new UserError(suite.file, `function file ${suite.functionFile} not found`, 'add the function or set "function" in the suite');
          }
          return suite;
        });
        if (flags.junit) checkWritableFile('--junit', flags.junit);
        // conngate lint: findings on the functions under test, before any case runs (docs/lint.md).
        // With --json, stdout carries the one object only: the human output goes to stderr.
        const out = (text: string) => (flags.json ? process.stderr : process.stdout).write(text);
        lintBeforeUse(suites.map((s) => s.functionFile), (l) => out(`${l}\n`));

        const runs: SuiteRunSummary[] = [];
        for (const suite of suites) {
          out(`\n${path.relative(process.cwd(), suite.functionFile)}  (suite ${path.relative(process.cwd(), suite.file)})\n`);
          const rs = await runSuiteLocally(suite, { canarySerial: flags.canarySerial });
          out(`${resultTable(rs)}\n`);
          runs.push(summarize(path.relative(process.cwd(), suite.file), rs));
        }
        const total = runs.reduce((n, r) => n + r.total, 0);
        const failed = runs.reduce((n, r) => n + r.failed, 0);
        if (flags.json) {
          if (flags.junit) fs.writeFileSync(flags.junit, junitXml('conngate.local', runs));
          process.stdout.write(`${JSON.stringify(testRunJson(runs), null, 2)}\n`);
          if (failed > 0) process.exitCode = 1;
          return;
        }
        process.stdout.write(`\n${total - failed} passed, ${failed} failed (${total} cases in ${suites.length} suites)\n`);
        process.stdout.write('* utilization is a local ESTIMATE: execution time as a percentage of the 5 ms budget\n');
        if (flags.junit) {
          fs.writeFileSync(flags.junit, junitXml('conngate.local', runs));
          process.stdout.write(`JUnit XML written to ${flags.junit}\n`);
        }
        if (failed > 0) process.exitCode = 1;
      });
  },
};
