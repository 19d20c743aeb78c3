/**
 * Array buffers live outside the V8 heap cap of a sandbox worker, so the memory budget must hold for them on its
 * own: many buffers just under the per-buffer cap, made in one expression or within the 128 checks between two
 * readings of the deadline guard, and buffers the runtime itself allocates for a string of attacker-chosen length
 * (Buffer.from with 'utf16le' or 'latin1'), and copies built-in methods make through the real constructors
 * (slice once 'constructor' is removed, toReversed). Sizes are read once: a valueOf or getter that answered the check
 * small and the allocation large made a 1 GB buffer. Before, a run made hundreds of MB of buffers (gigabytes with a
 * bigger expression) and passed. The buffers here are not written, so a regression costs address space, not memory.
 */
import * as cf from '@aws-sdk/client-cloudfront';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileConnectionFunction, stopSandboxWorkers } from '../../runtime';
import { code, createFunction, startHarness, stopHarness, type Harness } from '../emulator/harness';
import { runCli } from '../support/conngate-cli';
import { CONNECTION, writeCorpus, type CorpusFunction } from './corpus-project';

const MEMORY = /exceeded the memory limit/;
const fn = (body: string) => `function connectionHandler(c) {\n${body}\nc.logCustomData(String(kept.length));\nc.allow();\n}\n`;

/** 24 buffers of 15 MB each (360 MB), every one under the 16 MB single-buffer cap. */
const manyBuffers: CorpusFunction[] = [
  { name: 'buffers-in-one-expression', code: fn(`const kept = [${Array.from({ length: 24 }, () => 'new Uint8Array(15e6)').join(', ')}];`) },
  { name: 'buffers-between-guard-readings', code: fn('const kept = [];\nfor (let i = 0; i < 24; i++) kept.push(new ArrayBuffer(15e6));') },
  { name: 'buffers-from-buffer-alloc', code: fn('const kept = [];\nfor (let i = 0; i < 24; i++) kept.push(Buffer.alloc(15e6));') },
  { name: 'slices-through-the-real-constructor', code: fn(`const big = new Uint8Array(15e6);\nbig.constructor = undefined;\nconst kept = [${Array.from({ length: 24 }, () => 'big.slice()').join(', ')}];`) },
  { name: 'array-buffer-slices', code: fn(`const big = new ArrayBuffer(15e6);\nbig.constructor = undefined;\nconst kept = [${Array.from({ length: 24 }, () => 'big.slice(0)').join(', ')}];`) },
  { name: 'to-reversed-copies', code: fn(`const big = new Uint8Array(15e6);\nconst kept = [${Array.from({ length: 24 }, () => 'big.toReversed()').join(', ')}];`) },
  { name: 'copies-of-a-view-with-a-hidden-length', code: fn(`const big = new Uint8Array(15e6);\ntry { Object.defineProperty(Object.getPrototypeOf(Uint8Array.prototype), 'length', { get() { return 0; } }); } catch (e) { /* frozen built-in */ }\nconst kept = [${Array.from({ length: 24 }, () => 'new Uint8Array(big)').join(', ')}];`) },
  { name: 'utf16le-of-a-long-string', code: fn("const kept = Buffer.from('a'.repeat(2 ** 27), 'utf16le');") },
  { name: 'latin1-of-a-long-string', code: fn("const kept = Buffer.from('a'.repeat(2 ** 28), 'latin1');") },
];

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-external-memory-')); });
afterAll(() => {
  stopSandboxWorkers();
  fs.rmSync(tmp, { recursive: true, force: true });
});

it.each(manyBuffers.map((e) => [e.name, e.code]))('%s is over the memory limit', async (name, source) => {
  const r = await compileConnectionFunction(source, `${name}.js`).run(CONNECTION);
  expect([r.decision, r.errorMessage]).toEqual(['error', expect.stringMatching(MEMORY)]);
}, 30_000);

/** A size that answers small when checked and large when used (the real constructor reads it again). */
const readTwice: Array<[string, string]> = [
  ['ArrayBuffer length from valueOf', 'let n = 0;\nconst b = new ArrayBuffer({ valueOf() { return n++ ? 2 ** 30 : 0; } });\nc.logCustomData(String(b.byteLength));'],
  ['typed array from an array-like with a length getter', 'let n = 0;\nconst b = new Uint8Array({ get length() { return n++ ? 2 ** 26 : 0; } });\nc.logCustomData(String(b.length));'],
  ['Buffer from an array-like with a length getter', 'let n = 0;\nconst b = new Buffer({ get length() { return n++ ? 2 ** 26 : 0; } });\nc.logCustomData(String(b.length));'],
  ['typed array from an iterable', 'const b = new Uint16Array(new Set([1, 2, 3]));\nc.logCustomData(String(b.length));'],
];
it.each(readTwice)('%s: the size is read once, so what is made is what was checked', async (name, body) => {
  const r = await compileConnectionFunction(`function connectionHandler(c) {\n${body}\nc.allow();\n}\n`, 'read-twice.js').run(CONNECTION);
  expect([r.decision, r.customData]).toEqual(['allow', [name.includes('iterable') ? '3' : '0']]);
}, 30_000);

it('resizable array buffers (ES2024, not in cloudfront-js-2.0) are refused: their size could grow unchecked', async () => {
  const r = await compileConnectionFunction(fn('const kept = [new ArrayBuffer(1, { maxByteLength: 2 ** 30 })];'), 'resizable.js').run(CONNECTION);
  expect([r.decision, r.errorMessage]).toEqual(['error', 'TypeError: resizable ArrayBuffers are not available in cloudfront-js-2.0']);
}, 30_000);

// 26 MB of buffers in all, never more than one alive: dropped buffers must not count (they leave V8's external memory
// count only after a second collection). Whether it fits 5 ms depends on the machine, so only memory is asserted.
it('a function that makes and drops buffers, more than the limit in all, is not over the memory limit', async () => {
  const r = await compileConnectionFunction(fn('let kept = [];\nfor (let i = 0; i < 400; i++) kept = [new Uint8Array(64 * 1024)];'), 'churn.js')
    .run(CONNECTION);
  expect([r.decision, r.errorMessage ?? '']).toEqual([expect.stringMatching(/^(allow|error)$/), expect.not.stringMatching(MEMORY)]);
}, 30_000);

it('conngate test --local fails the case of a function that piles up buffers', async () => {
  const dir = path.join(tmp, 'cli');
  writeCorpus(dir, [manyBuffers[0]], 'allow');
  const r = await runCli(['test', '--local'], { cwd: dir });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/^buffers-in-one-expression\s+allow\s+error\s+\d+\.\d%\s+FAIL\n\s+expected allow, got error \(exceeded the memory limit/m);
}, 60_000);

describe('the emulator', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(); });
  afterAll(() => stopHarness(h));

  it('TestConnectionFunction reports piled-up buffers as over the memory limit', async () => {
    const f = await createFunction(h, 'buffers-in-one-expression', manyBuffers[0].code);
    const r = (await h.cf.send(new cf.TestConnectionFunctionCommand({ Id: f.ConnectionFunctionSummary!.Id!, IfMatch: f.ETag!,
      ConnectionObject: code(JSON.stringify(CONNECTION)) }))).ConnectionFunctionTestResult!;
    expect(r.ConnectionFunctionErrorMessage).toMatch(MEMORY);
    expect(r.ConnectionFunctionOutput ?? '').toBe('');
  }, 30_000);
});
