/**
 * A function's error message is the function's own text, and it is printed in the CLI's result table (and, for the
 * remote pipeline, judged the same way). With line breaks and terminal control sequences in it, a failing function
 * printed a fake PASS row and a fake "1 passed, 0 failed" summary, and could move the cursor over the real ones.
 * The message is now shown on one line with those characters escaped.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { judgeCaseRun } from '../../runtime/case-judgement';
import { runCli } from '../support/conngate-cli';
import { writeCorpus } from './corpus-project';

const SPOOF = String.raw`throw new Error('x)\n\nspoof  allow  allow  0.1%  PASS\n\u001b[1A\u001b[2K\r1 passed, 0 failed\u202e');`;

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-report-injection-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

it('judging keeps a function-controlled message on one line, control characters escaped', () => {
  const r = judgeCaseRun('c', { decision: 'allow' }, { decision: 'error', message: 'a\nb\u001b[2K\rc\u2028d\u202ee\tf', logs: [] }, 1);
  expect(r.message).toBe('expected allow, got error (a\\nb\\u001b[2K\\rc\\u2028d\\u202ee\\tf)');
  const u = judgeCaseRun('c', { decision: 'allow' }, { decision: 'unreadable', message: 'out\n1 passed', logs: [] }, 1);
  expect(u.message).toBe('out\\n1 passed');
});

it('conngate test --local prints one row and one summary for a function whose error spoofs more', async () => {
  const dir = path.join(tmp, 'cli');
  writeCorpus(dir, [{ name: 'spoof', code: `function connectionHandler(c) {\n${SPOOF}\n}\n` }], 'allow');
  const r = await runCli(['test', '--local'], { cwd: dir });
  expect(r.code).toBe(1);
  expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
  expect(r.stdout.match(/^\d+ passed, \d+ failed.*$/gm)).toEqual(['0 passed, 1 failed (1 cases in 1 suites)']);
  expect(r.stdout.split('\n').filter((l) => /^spoof\s/.test(l))).toEqual([expect.stringMatching(/^spoof\s+allow\s+error\s+\S+\s+FAIL$/)]);
  expect(r.stdout).toContain(String.raw`got error (Error: x)\n\nspoof  allow  allow  0.1%  PASS\n\u001b[1A\u001b[2K\r1 passed, 0 failed\u202e)`);
}, 60_000);
