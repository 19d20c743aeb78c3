/**
 * The 5 ms budget cannot be dodged by timing: work a function leaves in a promise chain after it decided, and work it
 * does while a store lookup is outstanding, are compute time of that run. Without this, a handler doing ~50 ms of
 * work per connection passed at about 1% utilization through `conngate test --local` and TestConnectionFunction.
 * Each function is paired with a control that differs only in the work, so the test fails if the measurement does.
 */
import * as cf from '@aws-sdk/client-cloudfront';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileConnectionFunction, FailingKvsBackend, stopSandboxWorkers } from '../../runtime';
import { code, createFunction, startHarness, stopHarness, type Harness } from '../emulator/harness';
import { runCli } from '../support/conngate-cli';
import { CONNECTION, writeCorpus, type CorpusFunction } from './corpus-project';

/** Tens of milliseconds of plain compute (far over 5 ms, under the 250 ms runaway stop on a fast machine). */
const WORK = 'let x = 0; for (let i = 0; i < 5e6; i++) { x += i % 7; }';
const TIME = /exceeded the execution time limit/;

/** The work runs after allow(), in a microtask the handler queued; the handler itself returns at once. */
const afterDecision = (work: string) => `function connectionHandler(c) {\nc.allow();\nPromise.resolve().then(() => { ${work} });\n}\n`;
/** The same, from an async function that already returned (its chain runs behind the runtime's own continuation). */
const afterAsyncReturn = (work: string) => `async function connectionHandler(c) {\nc.allow();\n(async () => { await null; await null; await null; ${work} })();\n}\n`;
/** The work runs while a lookup of a store that answers over the worker's channel is outstanding. */
const whileWaiting = (work: string) => `import cf from 'cloudfront';\nasync function connectionHandler(c) {\nconst p = cf.kvs().get('k').catch(() => null);\nawait null;\n${work}\nawait p;\nc.allow();\n}\n`;

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-budget-')); });
afterAll(() => {
  stopSandboxWorkers();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the runtime counts work after the decision and during store waits', () => {
  const shapes: Array<[string, (w: string) => string, boolean]> = [
    ['work after allow() in a microtask', afterDecision, false],
    ['work after an async handler returned', afterAsyncReturn, false],
    ['work while a remote store lookup is outstanding', whileWaiting, true],
  ];
  it.each(shapes)('%s is over the budget; the same function without the work passes', async (name, shape, remote) => {
    const options = remote ? { kvs: new FailingKvsBackend('store down') } : {};
    const slow = await compileConnectionFunction(shape(WORK), `${name}-slow.js`).run(CONNECTION, options, { minSamples: 3 });
    expect([slow.decision, slow.errorMessage]).toEqual(['error', expect.stringMatching(TIME)]);
    expect(slow.computeUtilization).toBeGreaterThan(100);
    const control = await compileConnectionFunction(shape('let x = 1;'), `${name}-control.js`).run(CONNECTION, options, { minSamples: 3 });
    expect(control.decision).toBe('allow');
  }, 30_000);
});

it('a memory limit hit by work left after the decision fails the run as over the memory limit', async () => {
  const piles = `const kept = [${Array.from({ length: 24 }, () => 'new Uint8Array(15e6)').join(', ')}]; globalThis.kept = kept;`;
  const r = await compileConnectionFunction(afterDecision(piles), 'memory-after-allow.js').run(CONNECTION);
  expect([r.decision, r.errorMessage]).toEqual(['error', expect.stringMatching(/exceeded the memory limit/)]);
}, 30_000);

it('conngate test --local fails a case that works after its decision or while its store is waited for', async () => {
  const entries: CorpusFunction[] = [
    { name: 'work-after-allow', code: afterDecision(WORK) },
    { name: 'work-while-store-waits', code: whileWaiting(WORK), storeFailure: true },
  ];
  writeCorpus(path.join(tmp, 'cli'), entries, 'allow');
  const r = await runCli(['test', '--local'], { cwd: path.join(tmp, 'cli') });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(1);
  for (const e of entries) {
    expect(r.stdout).toMatch(new RegExp(`^${e.name}\\s+allow\\s+error\\s+\\d+\\.\\d%\\s+FAIL\\n\\s+expected allow, got error \\(exceeded the execution time limit`, 'm'));
  }
  expect(r.stdout).toMatch(/0 passed, 2 failed/);
}, 60_000);

describe('the emulator', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(); });
  afterAll(() => stopHarness(h));

  it('TestConnectionFunction reports work after the decision as over the budget, with its utilization', async () => {
    const f = await createFunction(h, 'work-after-allow', afterDecision(WORK));
    const r = (await h.cf.send(new cf.TestConnectionFunctionCommand({ Id: f.ConnectionFunctionSummary!.Id!, IfMatch: f.ETag!,
      ConnectionObject: code(JSON.stringify(CONNECTION)) }))).ConnectionFunctionTestResult!;
    expect(r.ConnectionFunctionErrorMessage).toMatch(TIME);
    expect(r.ConnectionFunctionOutput ?? '').toBe('');
    expect(Number(r.ComputeUtilization)).toBeGreaterThan(100);
  }, 30_000);
});
