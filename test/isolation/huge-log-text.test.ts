/**
 * A function can log a text of tens of millions of characters for the price of one `repeat`. The worker cuts it to
 * the 10 KB log cap (800 bytes of custom data) without encoding all of it first (it encoded the whole text into a
 * host Buffer to cut it: a copy as large as the text outside any limit, per sample). The cut keeps whole UTF-8
 * characters, also when a multi-byte character or a surrogate pair straddles the cap.
 */
import { compileConnectionFunction, MAX_CUSTOM_DATA_BYTES, MAX_LOG_BYTES, stopSandboxWorkers } from '../../runtime';
import { CONNECTION } from './corpus-project';

afterAll(() => stopSandboxWorkers());

const run = async (body: string) => compileConnectionFunction(`function connectionHandler(c) {\n${body}\nc.allow();\n}\n`, 'huge-log.js').run(CONNECTION);

it('a multi-million-character log line is cut to the cap', async () => {
  const r = await run("console.log('x'.repeat(2 ** 23)); c.logCustomData('y'.repeat(2 ** 23));");
  expect(r.logs).toEqual(['x'.repeat(MAX_LOG_BYTES)]);
  expect(r.customData).toEqual(['y'.repeat(MAX_CUSTOM_DATA_BYTES)]);
}, 30_000);

it.each([
  ['three-byte characters', "'\\u20ac'.repeat(5000)", '\u20ac'.repeat(Math.floor(MAX_LOG_BYTES / 3))],
  ['a surrogate pair across the cap', `'a'.repeat(${MAX_LOG_BYTES - 2}) + '\\u{1F600}'.repeat(10)`, 'a'.repeat(MAX_LOG_BYTES - 2)],
  ['a surrogate pair ending exactly at the cap', `'a'.repeat(${MAX_LOG_BYTES - 4}) + '\\u{1F600}'.repeat(10)`, `${'a'.repeat(MAX_LOG_BYTES - 4)}\u{1F600}`],
])('the cut keeps whole characters: %s', async (_name, expr, expected) => {
  const r = await run(`console.log(${expr});`);
  expect(r.logs).toEqual([expected]);
}, 30_000);
