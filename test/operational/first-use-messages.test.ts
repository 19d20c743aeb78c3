import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { jsonSyntaxProblem } from '../../diagnostics/json-syntax';
import { mapOperationalError, SDK_CALL_INFO } from '../../diagnostics/operational-error';
import { prepareWorkdir } from '../../demo/demo-workdir';
import { htmlReport } from '../../orchestrator/reports/html-report';
import { junitXml } from '../../orchestrator/reports/junit-report';
import { markdownSummary } from '../../orchestrator/reports/markdown-summary';
import type { StageRunReport } from '../../orchestrator/pipeline/pipeline';
import { runLocation } from '../../orchestrator/stage/run-location';
import { childToolEnv, plainReason } from '../../orchestrator/reports/terminal';
import { PROJECT_DIR, runCli } from '../support/conngate-cli';
import { TEST_EVIDENCE_KEY } from '../support/emulator-project';

/** What a new user meets first: each message, path and report line here was once wrong or missing. */

const oneLine = (s: string) => s.trim().split('\n').filter((l) => l.startsWith('conngate: '));

describe('first-use messages', () => {
  let tmp: string;
  let proj: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-first-use-'));
    proj = path.join(tmp, 'project');
    prepareWorkdir(PROJECT_DIR, proj);
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('an unknown command is named by what was typed, not by a second "conngate:"', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual([expect.stringMatching(/^conngate: frobnicate: unknown command \(fix: run `conngate --help` for the commands\)$/)]);
    expect(r.stderr).not.toContain('conngate: conngate:');
    const opt = await runCli(['--frob']);
    expect(opt.stderr).toMatch(/^conngate: --frob: unknown option \(fix: /);
  });

  it('a missing outputs file named by --outputs is not met with "pass --outputs"', async () => {
    const missing = path.join(tmp, 'no-such-outputs.json');
    const given = await runCli(['verify', 'dev', '--dir', proj, '--outputs', missing, '--endpoint', 'http://127.0.0.1:9'], { env: { CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY } });
    expect(given.code).toBe(2);
    expect(given.stderr).toMatch(/no-such-outputs\.json: outputs file not found \(fix: check the --outputs path/);
    expect(given.stderr).not.toMatch(/pass --outputs/);
    const defaulted = await runCli(['verify', 'dev', '--dir', proj, '--endpoint', 'http://127.0.0.1:9'], { env: { CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY } });
    expect(defaulted.stderr).toMatch(/outputs file not found .*or pass --outputs <file>/);
  });

  it('a JSON config with a syntax error names its line and column', async () => {
    const dir = path.join(tmp, 'bad-json');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'cdktf.json'), fs.readFileSync(path.join(proj, 'cdktf.json')));
    fs.writeFileSync(path.join(dir, 'conngate.config.json'), '{\n  "stages": [\n    { "name": "dev" "region": "us-east-1" }\n  ]\n}\n');
    const r = await runCli(['status', '--dir', dir, '--endpoint', 'http://127.0.0.1:9']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual([expect.stringMatching(/^conngate: conngate\.config\.json: not valid JSON at line 3, column 21: expected ',' or '}' after property value \(fix: /)]);
  });

  it.each([
    ['{\n  "a": 1,\n}', /^line 3, column 1: expected double-quoted property name$/],
    ['{"a":', /^line 1, column 6: the JSON ends too early$/],
    ['[1,\n 2\n 3]', /^line 3, column 2: /],
  ])('jsonSyntaxProblem(%j) names the line and column', (text, expected) => {
    let err: unknown;
    try { JSON.parse(text); } catch (e) { err = e; }
    expect(jsonSyntaxProblem(text, err)).toMatch(expected);
  });

  it('a DNS failure reaching the real AWS does not say "start the emulator"; one reaching an endpoint does', () => {
    const dns = (endpoint: string) => Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND', [SDK_CALL_INFO]: { operation: 'ListConnectionFunctions', endpoint } });
    const aws = mapOperationalError(dns('AWS (cloudfront.amazonaws.com)'))!;
    expect(aws.message).toMatch(/^endpoint AWS \(cloudfront\.amazonaws\.com\): does not resolve .*\(fix: check this machine's network and DNS reach AWS/);
    expect(aws.message).not.toMatch(/emulator/);
    expect(mapOperationalError(dns('https://cloudfront.amazonaws.com'))!.message).not.toMatch(/emulator/);
    expect(mapOperationalError(dns('http://emulator.internal:4566'))!.message).toMatch(/start the emulator/);
  });

  it.each(['deploy', 'promote', 'verify'])('`%s --help` has one Examples section', async (cmd) => {
    const r = await runCli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^Examples:$/gm)).toHaveLength(1);
  });

  it('the README\'s emulator command works in a new project (it makes .conngate/), and a mistyped folder is still refused', async () => {
    const project = path.join(tmp, 'new-project');
    fs.mkdirSync(project);
    const r = await runCli(['emulator', '--port', '0', '--state', '.conngate/emulator.json', '--timeout', '2'], { cwd: project });
    expect(r.stdout + r.stderr).toMatch(/state: .*\.conngate\/emulator\.json/);
    expect(r.stderr).toMatch(/did not finish within 2 s/);
    expect(fs.statSync(path.join(project, '.conngate')).isDirectory()).toBe(true);
    const typo = await runCli(['emulator', '--port', '0', '--state', 'conngat/emulator.json', '--timeout', '2'], { cwd: project });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/the folder .*conngat does not exist/);
    expect(fs.existsSync(path.join(project, 'conngat'))).toBe(false);
  });
});

describe('terminals and child tools', () => {
  const tty = (columns: number | undefined) => Object.assign(new PassThrough(), { isTTY: true, columns }) as unknown as NodeJS.WriteStream;
  const env = { TERM: 'xterm-256color' };

  it.each([
    [tty(0), env, 'width 0'], [tty(undefined), env, 'width unknown'], [tty(5), env, 'width 5'],
    [tty(120), { TERM: 'dumb' }, 'TERM=dumb'], [tty(120), { ...env, NO_COLOR: '1' }, 'NO_COLOR'], [tty(120), { ...env, CI: 'true' }, 'CI'],
    [new PassThrough() as unknown as NodeJS.WriteStream, env, 'not a terminal'],
  ])('plain lines on %#: %s', (stream, e, why) => {
    expect(plainReason(stream, e)).toBe(why);
  });

  it('a usable terminal gets the spinner; cdktf then keeps its own, and never phones home', () => {
    expect(plainReason(tty(120), env)).toBeUndefined();
    expect(childToolEnv(tty(120), env)).toEqual({ CHECKPOINT_DISABLE: '1' });
  });

  it('when conngate writes to a log, cdktf is told so too (no spinner codes, no colour, no telemetry error offline)', () => {
    expect(childToolEnv(new PassThrough() as unknown as NodeJS.WriteStream, env)).toEqual({ CHECKPOINT_DISABLE: '1', CI: '1', NO_COLOR: '1', FORCE_COLOR: '0', TERM: 'dumb' });
    expect(childToolEnv(tty(0), env)).toMatchObject({ NO_COLOR: '1', CI: '1' });
  });
});

describe('reports say where they ran', () => {
  const run = (over: Partial<StageRunReport> = {}): StageRunReport => ({
    stage: 'dev', outcome: 'verified', candidateSha256: 'a'.repeat(64), firstDeploy: false, published: true, steps: [],
    message: 'LIVE verified', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:05.000Z',
    development: { target: 'DEVELOPMENT', total: 1, passed: 1, failed: 0, results: [{ name: 'c', expected: 'allow', actual: 'allow', passed: true, durationMs: 3 }] },
    ...over,
  } as StageRunReport);
  const arn = 'arn:aws:cloudfront::123456789012:connection-function/cf_1';

  it('an emulator run opens with a banner no one can miss, in HTML, Markdown and JUnit', () => {
    const r = run({ where: runLocation('dev', { endpoint: 'http://127.0.0.1:4566', region: 'eu-west-1' }, arn) });
    const html = htmlReport({ title: 't', runs: [r] });
    expect(html).toMatch(/<div class="emulator-banner" role="alert"><b>EMULATOR RUN, NOT AWS<\/b>: these results come from the CloudFront emulator at <code>http:\/\/127\.0\.0\.1:4566<\/code> \(account 123456789012, region eu-west-1, stage dev\)/);
    expect(html.indexOf('emulator-banner" role')).toBeLessThan(html.indexOf('<h1>'));
    expect(markdownSummary(r)).toContain('> **EMULATOR RUN, NOT AWS**: emulator http://127.0.0.1:4566 · account 123456789012 · region eu-west-1 · stage dev');
    const xml = junitXml('conngate.dev', [r.development!], [], r.where);
    expect(xml).toContain('<property name="conngate.endpointKind" value="emulator"/>');
    expect(xml).toContain('<property name="conngate.account" value="123456789012"/>');
  });

  it('the Markdown summary shows a fuzz finding\'s reason (the function\'s own error text) escaped, on one line', () => {
    const reason = 'threw: \u001b[2Jfake\nconngate: all good | \u202eevil';
    const r = run({ outcome: 'failed-development', fuzz: { functionFile: 'f.js', seed: 1, now: '2026-01-01T00:00:00.000Z', casesRequested: 10, casesRun: 3,
      properties: ['no-throw'], revokedSource: 'suite', revokedCount: 0, durationMs: 1,
      finding: { property: 'no-throw', reason, caseIndex: 2, replay: { seed: 1, path: '0' }, shrinks: 0, reproduced: true, counterexample: {}, decision: 'error', suiteCase: {} } } });
    const line = markdownSummary(r).split('\n').find((l) => l.startsWith('**FAIL**: property `no-throw`'))!;
    expect(line).toContain('threw: \\u001b[2Jfake conngate: all good \\| \\u202eevil');
    expect(line).not.toMatch(/[\u0000-\u001f\u202e]/);
  });

  it('an AWS run names its account, region and stage and has no emulator banner', () => {
    const r = run({ where: runLocation('prod', { region: 'us-east-1' }, arn) });
    const html = htmlReport({ title: 't', runs: [r] });
    expect(html).toContain('<p class="where">AWS · account <b>123456789012</b> · region <b>us-east-1</b> · stage <b>prod</b></p>');
    expect(html).not.toContain('emulator-banner"');
    expect(markdownSummary(r)).toContain('- where: AWS · account 123456789012 · region us-east-1 · stage prod');
  });

  it('the demo\'s intended failures are shown as intended, not as red "not verified"', () => {
    const ok = run();
    const broken = run({ outcome: 'failed-development', development: { target: 'DEVELOPMENT', total: 2, passed: 1, failed: 1, results: [] } });
    const refused = run({ stage: 'staging', outcome: 'refused', development: undefined });
    const html = htmlReport({ title: 't', runs: [ok, broken, refused], intendedFailures: [broken, refused] });
    const totals = /<p class="totals".*<\/p>/.exec(html)![0];
    expect(totals).toContain('<span class="ok"><b>1</b> verified</span>, <span class="intended"><b>2</b> stopped as intended</span>');
    expect(totals).not.toMatch(/not verified|class="bad"/);
    expect(html).toContain('failed-development, as intended');
    // A failure nobody intended stays red.
    expect(htmlReport({ title: 't', runs: [ok, broken] })).toMatch(/<span class="bad"><b>1<\/b> verified, <b>1<\/b> not verified<\/span>/);
  });
});

describe('the package as published', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, 'package.json'), 'utf8'));

  it('runs no install-time script of its own and builds when packed', () => {
    for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[s]).toBeUndefined();
    expect(pkg.scripts.prepack).toBe('npm run build');
    expect(pkg.repository.url).toMatch(/^git\+https:\/\/github\.com\/.+\.git$/);
    expect(pkg.publishConfig).toMatchObject({ provenance: true });
    expect(pkg.engines.node).toBe('>=22');
    expect(pkg.files).toEqual(expect.arrayContaining(['dist/', 'bin/']));
    expect(pkg.dependencies.nanospinner).toBeUndefined();
  });

  it('the README states a working install first, and the action defaults to Node 22', () => {
    const readme = fs.readFileSync(path.join(PROJECT_DIR, 'README.md'), 'utf8');
    const firstSection = readme.indexOf('\n## ');
    expect(readme.slice(firstSection, firstSection + 8)).toBe('\n## Inst');
    const install = readme.slice(firstSection, readme.indexOf('\n## ', firstSection + 1));
    expect(install).toMatch(/npm install git\+https:\/\/github\.com\//);
    expect(install).toMatch(/npm install \.\/conngate-\d+\.\d+\.\d+\.tgz/);
    expect(readme).not.toMatch(/^npm install conngate\b/m);
    expect(readme).toMatch(/evidence\.secret` is a file you make once/);
    expect(fs.readFileSync(path.join(PROJECT_DIR, 'action.yml'), 'utf8')).toMatch(/node-version:\n(?:\s+\w+:.*\n)*?\s+default: "22"/);
  });
});
