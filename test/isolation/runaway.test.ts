/**
 * The runaway corpus through `conngate test --local` and through the emulator's TestConnectionFunction: every
 * entry ends as a failed case (a function error naming the limit) within a few seconds, the CLI finishes with
 * exit 1, and the emulator keeps answering other clients while a runaway runs and after it.
 */
import * as cf from '@aws-sdk/client-cloudfront';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stopSandboxWorkers } from '../../runtime';
import { code, createFunction, startHarness, stopHarness, type Harness } from '../emulator/harness';
import { runCli } from '../support/conngate-cli';
import { CONNECTION, writeCorpus } from './corpus-project';
import { runawayCorpus } from './runaway-corpus';

/** Generous: the watchdog stops a silent worker after about two seconds. */
const PER_CASE_DEADLINE_MS = 15_000;
let tmp: string;

beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-runaway-')); });
afterAll(() => {
  stopSandboxWorkers();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

it('conngate test --local: every runaway is a failed case with the limit it hit, and the run finishes', async () => {
  const dir = path.join(tmp, 'cli');
  writeCorpus(dir, runawayCorpus, 'allow');
  const junit = path.join(dir, 'results.xml');
  const r = await runCli(['test', '--local', '--junit', junit], { cwd: dir });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(1);
  for (const e of runawayCorpus) {
    const row = new RegExp(`^${escapeRe(e.name)}\\s+allow\\s+error\\s+\\d+\\.\\d%\\s+FAIL\\n\\s+expected allow, got error \\((.*)\\)$`, 'm').exec(r.stdout);
    expect([e.name, row?.[1]]).toEqual([e.name, expect.stringMatching(e.error)]);
  }
  expect(r.stdout).toMatch(new RegExp(`0 passed, ${runawayCorpus.length} failed`));
  expect((fs.readFileSync(junit, 'utf8').match(/<failure /g) ?? []).length).toBe(runawayCorpus.length);
}, 120_000);

describe('the emulator', () => {
  let h: Harness;
  let good: { id: string; etag: string };
  beforeAll(async () => {
    h = await startHarness();
    const f = await createFunction(h, 'good', 'function connectionHandler(c) { c.allow(); }');
    good = { id: f.ConnectionFunctionSummary!.Id!, etag: f.ETag! };
  });
  afterAll(() => stopHarness(h));

  const testFunction = (id: string, etag: string) => h.cf.send(new cf.TestConnectionFunctionCommand({ Id: id, IfMatch: etag,
    ConnectionObject: code(JSON.stringify(CONNECTION)) })).then((r) => r.ConnectionFunctionTestResult!);

  it('reports every runaway as a function error with truthful utilization, and answers right after', async () => {
    for (const e of runawayCorpus) {
      const f = await createFunction(h, e.name, e.code);
      const started = Date.now();
      const r = await testFunction(f.ConnectionFunctionSummary!.Id!, f.ETag!);
      expect([e.name, r.ConnectionFunctionErrorMessage]).toEqual([e.name, expect.stringMatching(e.error)]);
      expect(r.ConnectionFunctionOutput ?? '').toBe('');
      expect(Date.now() - started).toBeLessThan(PER_CASE_DEADLINE_MS);
      if (e.error.source.includes('time') && e.name !== 'busy-loop-over-budget') {
        // Not capped at 100: a run over the budget says so.
        expect([e.name, Number(r.ComputeUtilization) > 100]).toEqual([e.name, true]);
      }
      const after = await testFunction(good.id, good.etag);
      expect([e.name, JSON.parse(after.ConnectionFunctionOutput!).decision]).toEqual([e.name, 'allow']);
    }
  }, 180_000);

  it('keeps serving other clients while a runaway test is running', async () => {
    const f = await createFunction(h, 'regex-while-serving', runawayCorpus.find((e) => e.name === 'catastrophic-regex')!.code);
    const order: string[] = [];
    // Settled either way, so a failure below never leaves the call running past the test.
    const runaway = testFunction(f.ConnectionFunctionSummary!.Id!, f.ETag!)
      .then((r) => { order.push('runaway'); return r; }, (err: Error) => { order.push('runaway'); return err; });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const list = await h.cf.send(new cf.ListConnectionFunctionsCommand({}));
    order.push('list');
    const other = await testFunction(good.id, good.etag);
    order.push('good test');
    const stopped = await runaway;
    expect(list.ConnectionFunctions?.length ?? 0).toBeGreaterThan(0);
    expect(JSON.parse(other.ConnectionFunctionOutput!).decision).toBe('allow');
    expect((stopped as cf.TestConnectionFunctionResult['ConnectionFunctionTestResult'])?.ConnectionFunctionErrorMessage)
      .toMatch(/exceeded the execution time limit/);
    expect(order).toEqual(['list', 'good test', 'runaway']);
  }, 60_000);
});
