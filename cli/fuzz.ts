import type { Command } from 'commander';
import { randomInt } from 'node:crypto';
import * as path from 'node:path';
import { createCloudFrontClient, createKvsClient, resolveTarget } from '../aws/clients';
import { UserError } from '../diagnostics/user-error';
import { DEFAULT_FUZZ_CASES, runFuzz, type RevokedInput } from '../fuzz/fuzz-run';
import { fuzzJson, fuzzText } from '../fuzz/fuzz-text';
import { propertyList, selectProperties } from '../fuzz/property-selection';
import { sampleRevokedInput, storeRevokedInput } from '../fuzz/revoked-input';
import { readStageRevokedInput } from '../fuzz/stage-revoked-set';
import { saveSuiteCase } from '../fuzz/suite-save';
import { findStoreArn } from '../orchestrator/records/stage-store';
import { DEFAULT_STATE_DIR, stageSpecsFrom } from '../orchestrator/stage/stage-spec';
import { stageTarget } from '../orchestrator/stage/stage-target';
import { canonicalSerial } from '../revocation/canonical-serial';
import { loadRevocationSource } from '../revocation/load-source';
import { readRegularFile } from '../revocation/source-file';
import { findSuiteFor, loadSuite, type Suite } from '../runtime/suite';
import { findStageConfig, loadStageConfigs, type StageConfig } from '../stacks/stage-config';
import { lintBeforeUse } from '../lint/lint-files';
import type { CommandModule } from './command-module';

interface FuzzFlags {
  stage?: string; cases?: string; seed?: string; json?: boolean; save?: boolean; properties?: string; skip?: string;
  now?: string; crl?: string[]; ca?: string[]; canarySerial?: string; functionsDir: string; endpoint?: string; stateDir?: string; dir: string;
}

/** A whole number from `min` to `max`, or bad input naming the flag. */
function integerFlag(flag: string, raw: string, min: number, max: number, example: string): number {
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UserError(`${flag} ${raw}`, `is not a whole number from ${min} to ${max}`, `pass e.g. ${flag} ${example}`);
  }
  return n;
}

function functionFileFor(target: string | undefined, stage: StageConfig | undefined, dir: string): string {
  if (target === undefined) return stage ? stage.functionFile : path.resolve(dir, 'revocation-check.js');
  return /\.js$/.test(target) ? path.resolve(target) : path.resolve(dir, `${target}.js`);
}

async function revokedInputFor(flags: FuzzFlags, suite: Suite | undefined, stage: StageConfig | undefined, progress: (l: string) => void): Promise<RevokedInput> {
  if (flags.crl?.length) {
    // The CRL is judged against the real clock, as a sync would: --now only freezes the function's Date.
    const source = await loadRevocationSource({ crlFiles: flags.crl, caFiles: flags.ca ?? stage?.crlCaFiles });
    return storeRevokedInput(source.entries, source.inputs.join(', '));
  }
  if (stage) {
    const target = stageTarget(resolveTarget({ endpoint: flags.endpoint }), stage, flags.endpoint !== undefined);
    const spec = stageSpecsFrom([stage])[0];
    const arn = await findStoreArn(createCloudFrontClient(target), spec.storeName);
    if (!arn) {
      throw new UserError(`--stage ${stage.name}`, `the stage has no KeyValueStore ${spec.storeName} yet`, 'deploy the stage first, or pass --crl, or leave out --stage for the sample revoked set');
    }
    const stateDir = path.resolve(flags.dir, flags.stateDir ?? DEFAULT_STATE_DIR);
    return readStageRevokedInput(createKvsClient(target), arn, path.join(stateDir, 'revocation-snapshots'), stage.name, progress);
  }
  const canary = canonicalSerial(flags.canarySerial ?? '0badc0de0badc0de');
  if (canary === undefined) throw new UserError(`--canary-serial ${flags.canarySerial}`, 'is not a hex serial', 'use hex digits, e.g. 0badc0de0badc0de');
  return sampleRevokedInput(suite, canary);
}

/** `conngate fuzz [function]`: properties over generated connections, a broken one shrunk to a suite case. */
export const fuzzCommand: CommandModule = {
  register(program: Command): void {
    program
      .command('fuzz')
      .description('check properties of a connection function on generated connections (fast-check), through the local sandbox and its budgets; a broken property is shrunk to a suite case')
      .argument('[function]', 'function file (functions/x.js) or name; default: the stage\'s function, else functions/revocation-check.js')
      .option('--stage <stage>', 'use the stage\'s function and the revoked set of its KeyValueStore (read-only)')
      .option('--cases <n>', `connections to generate (default ${DEFAULT_FUZZ_CASES})`)
      .option('--seed <n>', 'seed (32-bit integer); the same seed, --now and --cases give the same cases (default: random, printed)')
      .option('--now <iso>', 'the frozen time of every run, validity windows are drawn around it (default: the suite\'s now, else the current second)')
      .option('--properties <names>', 'check only these properties (comma-separated)')
      .option('--skip <names>', 'switch these properties off (comma-separated)')
      .option('--crl <file...>', 'the revoked set from CRL files (verified against --ca, or the stage\'s crlCaFiles)')
      .option('--ca <file...>', 'CA certificates the CRLs must verify against')
      .option('--canary-serial <serial>', 'canary serial of the sample revoked set (without --stage or --crl)')
      .option('--save', 'add the suite case of a finding to the function\'s suite')
      .option('--json', 'print the run as one JSON object ({"schema":"conngate.fuzz/1",...}) on stdout')
      .option('--functions-dir <folder>', 'folder holding the functions and their suites', 'functions')
      .option('--endpoint <url>', 'AWS endpoint, e.g. the local emulator (with --stage; default: $CONNGATE_ENDPOINT, else AWS)')
      .option('--state-dir <dir>', `where the last sync's store snapshots are (with --stage; default ${DEFAULT_STATE_DIR} in --dir)`)
      .option('--dir <path>', 'the project folder (conngate.config.json, .conngate/)', '.')
      .addHelpText('after', '\nExamples:\n  conngate fuzz functions/revocation-check.js\n  conngate fuzz --stage dev --cases 100000\n'
        + '  conngate fuzz subject-allowlist --seed 42 --skip revoked-denied --save\n\nExit 0: no property broken; 1: a property broken (seed, counterexample and suite case printed); 2: bad input.')
      .action(async (target: string | undefined, flags: FuzzFlags) => {
        // Every input is checked before a case runs.
        const cases = flags.cases === undefined ? DEFAULT_FUZZ_CASES : integerFlag('--cases', flags.cases, 1, 10_000_000, '100000');
        const seed = flags.seed === undefined ? randomInt(0, 2 ** 31) : integerFlag('--seed', flags.seed, -(2 ** 31), 2 ** 31 - 1, '42');
        let now: Date | undefined;
        if (flags.now !== undefined) {
          now = new Date(flags.now);
          if (Number.isNaN(now.getTime())) throw new UserError(`--now ${flags.now}`, 'is not an ISO 8601 date-time', 'write it like 2026-12-01T00:00:00Z');
        }
        if (flags.ca?.length && !flags.crl?.length) throw new UserError('--ca', 'given without --crl', 'pass the CRLs with --crl, or leave out --ca');
        const stage = flags.stage !== undefined ? findStageConfig(loadStageConfigs(path.resolve(flags.dir)), flags.stage) : undefined;
        const functionFile = functionFileFor(target, stage, flags.functionsDir);
        let code: string;
        try {
          code = readRegularFile(functionFile).toString('utf8');
        } catch {
          throw new UserError(target ?? functionFile, `function file ${functionFile} cannot be read`, 'pass a connection-function .js file or its name in --functions-dir');
        }
        const suiteFile = stage?.suiteFile ?? findSuiteFor(functionFile);
        const suite = suiteFile ? loadSuite(suiteFile) : undefined;
        if (flags.save && !suite) throw new UserError('--save', `${functionFile} has no suite to save a case to`, `create ${functionFile.replace(/\.js$/, '.suite.json')} first`);
        const properties = selectProperties(suite, {
          ...(flags.properties !== undefined ? { only: propertyList(flags.properties) } : {}),
          ...(flags.skip !== undefined ? { skip: propertyList(flags.skip) } : {}),
        }, { only: `--properties ${flags.properties ?? ''}`.trim(), skip: `--skip ${flags.skip ?? ''}`.trim() });
        now ??= suite?.now ?? new Date(Math.floor(Date.now() / 1000) * 1000);
        const out = (text: string) => (flags.json ? process.stderr : process.stdout).write(text);
        const revoked = await revokedInputFor(flags, suite, stage, (l) => process.stderr.write(`${l}\n`));
        lintBeforeUse([functionFile], (l) => out(`${l}\n`));

        const report = await runFuzz({ functionFile, code, ...(suite ? { suite } : {}), cases, seed, now, properties, revoked });
        if (flags.json) process.stdout.write(`${JSON.stringify(fuzzJson(report), null, 2)}\n`);
        else process.stdout.write(fuzzText(report, stage?.name));
        if (report.finding) {
          if (flags.save && suite) {
            saveSuiteCase(suite.file, report.finding.suiteCase);
            out(`saved case "${String(report.finding.suiteCase.name)}" to ${path.relative(process.cwd(), suite.file)}: \`conngate test --local ${path.relative(process.cwd(), functionFile)}\` now fails on it\n`);
          }
          process.exitCode = 1;
        }
      });
  },
};

