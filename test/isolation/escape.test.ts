/**
 * The escape corpus through both ways function code runs: `conngate test --local` (the built CLI, a separate
 * process holding a secret in its environment) and the emulator's TestConnectionFunction over HTTP with the real
 * SDK client (the emulator in this process, holding the secret). Nothing may reach the host: no marker file, the
 * secret never appears in any output or report, no probe reports "REACHED", and no message carries a path of
 * conngate's own files.
 */
import * as cf from '@aws-sdk/client-cloudfront';
import * as kv from '@aws-sdk/client-cloudfront-keyvaluestore';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isUserError } from '../../diagnostics/user-error';
import { validateConnectionFunctionCode } from '../../modules/connection-function-validation';
import { compileConnectionFunction, stopSandboxWorkers } from '../../runtime';
import { code, createFunction, createStore, startHarness, stopHarness, type Harness } from '../emulator/harness';
import { PROJECT_DIR, runCli } from '../support/conngate-cli';
import { CONNECTION, filesUnder, writeCorpus } from './corpus-project';
import { escapeCorpus, htmlCommentCorpus } from './escape-corpus';

const SECRET = `canary-${randomBytes(12).toString('hex')}`;
let tmp: string;
let marker: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-escape-'));
  marker = path.join(tmp, 'ESCAPED-MARKER');
});
afterAll(() => {
  stopSandboxWorkers();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** What every output must be free of: the secret, a successful probe, conngate's own paths. */
function expectClean(where: string, text: string): void {
  expect({ where, secret: text.includes(SECRET) }).toEqual({ where, secret: false });
  expect({ where, reached: /REACHED/.test(text) }).toEqual({ where, reached: false });
  expect({ where, ownPath: text.includes(PROJECT_DIR) || /\b(runtime|emulator|orchestrator|cli|local-apply)\/[\w-]+\.(ts|js)\b/.test(text) })
    .toEqual({ where, ownPath: false });
}

describe('HTML-like comments are refused before anything runs', () => {
  it('by the synth-time check and the runtime, with the same message', () => {
    for (const e of htmlCommentCorpus('/nonexistent/marker')) {
      let synth: unknown;
      try { validateConnectionFunctionCode(e.code, `${e.name}.js`); } catch (err) { synth = err; }
      let runtime: unknown;
      try { compileConnectionFunction(e.code, `${e.name}.js`); } catch (err) { runtime = err; }
      expect([e.name, isUserError(synth), isUserError(runtime)]).toEqual([e.name, true, true]);
      expect((synth as Error).message).toMatch(/HTML-like comment/);
      expect((runtime as Error).message).toBe((synth as Error).message);
    }
  });

  it('by conngate test --local: one line, exit 2, nothing written', async () => {
    const dir = path.join(tmp, 'html-cli');
    const entries = htmlCommentCorpus(marker);
    const functions = writeCorpus(dir, entries, 'deny');
    const runs = await Promise.all(entries.map((e) => runCli(['test', '--local', path.join(functions, `${e.name}.js`)],
      { cwd: dir, env: { AWS_SECRET_ACCESS_KEY: SECRET } })));
    runs.forEach((r, i) => {
      expect([entries[i].name, r.code]).toEqual([entries[i].name, 2]);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(/^conngate: \S+\.js:\d+:\d+: `(<!--|-->)` \(an HTML-like comment\) is not allowed in connection function code \(fix: remove it; [^()]*\)$/);
      expectClean(entries[i].name, r.stdout + r.stderr);
    });
    expect(fs.existsSync(marker)).toBe(false);
  });
});

describe('escape corpus through conngate test --local', () => {
  it('every probe stays inside: all cases deny, no marker, no secret in the output or the JUnit file', async () => {
    const dir = path.join(tmp, 'escape-cli');
    const entries = escapeCorpus(marker);
    writeCorpus(dir, entries, 'deny');
    const junit = path.join(dir, 'results.xml');
    const r = await runCli(['test', '--local', '--junit', junit], { cwd: dir, env: { AWS_SECRET_ACCESS_KEY: SECRET } });
    expect(r.stderr).toBe('');
    // On a loaded machine a probe may run over the 5 ms budget: that is a failed case, never an escape (the marker,
    // the secret and the paths below prove that). Any other failure is not tolerated.
    const [, passed, failed] = /(\d+) passed, (\d+) failed/.exec(r.stdout) ?? [];
    expect(Number(passed) + Number(failed)).toBe(entries.length);
    const whys = r.stdout.split('\n').map((line, i, all) => (/\sFAIL$/.test(line) ? all[i + 1] ?? '' : undefined)).filter((w) => w !== undefined);
    expect(whys.filter((w) => !/exceeded the execution time limit/.test(w!))).toEqual([]);
    // At most one probe may be over the budget: the rest must show their decision, or the test would say nothing.
    expect(whys.length).toBeLessThanOrEqual(1);
    expect(r.code).toBe(Number(failed) === 0 ? 0 : 1);
    const xml = fs.readFileSync(junit, 'utf8');
    expect(xml).toMatch(/where am I/); // the stack-trace probe's output is there, without host paths
    expectClean('cli output', r.stdout + r.stderr);
    expectClean('junit', xml);
    expect(fs.existsSync(marker)).toBe(false);
    expect(filesUnder(tmp).filter((f) => /MARKER/.test(f))).toEqual([]);
  });
});

describe('escape corpus through the emulator (TestConnectionFunction over HTTP)', () => {
  let h: Harness;
  const saved = process.env.AWS_SECRET_ACCESS_KEY;
  beforeAll(async () => {
    process.env.AWS_SECRET_ACCESS_KEY = SECRET;
    h = await startHarness();
  });
  afterAll(async () => {
    await stopHarness(h);
    if (saved === undefined) delete process.env.AWS_SECRET_ACCESS_KEY; else process.env.AWS_SECRET_ACCESS_KEY = saved;
  });

  it('every probe stays inside the sandbox and the emulator keeps its secret', async () => {
    const store = await createStore(h, 'escape-store');
    const d = await h.kvs.send(new kv.DescribeKeyValueStoreCommand({ KvsARN: store.ARN! }));
    await h.kvs.send(new kv.UpdateKeysCommand({ KvsARN: store.ARN!, IfMatch: d.ETag!,
      Puts: [{ Key: 'j', Value: '{"a":{"b":[1]}}' }, { Key: 's', Value: 'text' }, { Key: 'k', Value: 'v' }] }));
    let overBudget = 0;
    for (const e of escapeCorpus(marker)) {
      const f = await createFunction(h, e.name, e.code, store.ARN!);
      const r = (await h.cf.send(new cf.TestConnectionFunctionCommand({ Id: f.ConnectionFunctionSummary!.Id!, IfMatch: f.ETag!,
        ConnectionObject: code(JSON.stringify(CONNECTION)) }))).ConnectionFunctionTestResult!;
      // CloudFront lets 10 functions use one store: each probe's function goes before the next is created.
      await h.cf.send(new cf.DeleteConnectionFunctionCommand({ Id: f.ConnectionFunctionSummary!.Id!, IfMatch: f.ETag! }));
      const text = JSON.stringify(r);
      expectClean(e.name, text);
      // Over the budget on a loaded machine is a function error, not an escape; any other outcome but deny fails.
      if (/exceeded the execution time limit/.test(r.ConnectionFunctionErrorMessage ?? '')) {
        overBudget++;
        continue;
      }
      expect([e.name, r.ConnectionFunctionErrorMessage, JSON.parse(r.ConnectionFunctionOutput ?? '{}').decision]).toEqual([e.name, undefined, 'deny']);
      if (e.name === 'prepare-stack-trace') {
        expect(r.ConnectionFunctionExecutionLogs).toEqual(expect.arrayContaining([expect.stringMatching(/refused: TypeError/), expect.stringMatching(/where am I/)]));
      }
    }
    // At most one probe may be over the budget: the rest must show their decision, or the test would say nothing.
    expect(overBudget).toBeLessThanOrEqual(1);
    for (const e of htmlCommentCorpus(marker)) {
      const f = await createFunction(h, e.name, e.code);
      const r = (await h.cf.send(new cf.TestConnectionFunctionCommand({ Id: f.ConnectionFunctionSummary!.Id!, IfMatch: f.ETag!,
        ConnectionObject: code(JSON.stringify(CONNECTION)) }))).ConnectionFunctionTestResult!;
      expect([e.name, r.ConnectionFunctionErrorMessage]).toEqual([e.name, expect.stringMatching(/HTML-like comment/)]);
      expectClean(e.name, JSON.stringify(r));
    }
    expect(fs.existsSync(marker)).toBe(false);
  });
});
