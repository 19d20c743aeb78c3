/**
 * Connection functions that never finish, or would take the process that runs them down: each must end as a
 * failed case (a function error) within a few seconds, and the CLI or emulator running it must carry on.
 */
export interface RunawayEntry {
  name: string;
  code: string;
  /** What the function error must say. */
  error: RegExp;
}

const TIME = /exceeded the execution time limit/;
const MEMORY = /exceeded the memory limit/;
const fn = (body: string) => `function connectionHandler(c) {\n${body}\nc.allow();\n}\n`;
const asyncFn = (body: string) => `async function connectionHandler(c) {\n${body}\nc.allow();\n}\n`;

export const runawayCorpus: RunawayEntry[] = [
  { name: 'catastrophic-regex', error: TIME, code: fn(String.raw`/^(a+)+$/.test('a'.repeat(34) + '!');`) },
  { name: 'native-scan', error: TIME, code: fn('Array.prototype.indexOf.call({ length: 2 ** 53 - 1 }, 1);') },
  { name: 'self-resolving-thenable', error: TIME, code: 'function connectionHandler(c) {\nconst t = { then(r) { r(t); } };\nreturn t;\n}\n' },
  { name: 'busy-loop-forever', error: TIME, code: fn('for (;;) {}') },
  { name: 'busy-loop-catching-the-stop', error: TIME, code: fn('for (;;) { try { for (;;) {} } catch (e) { /* keep going */ } }') },
  { name: 'async-loop-forever', error: TIME, code: asyncFn('for (;;) { await null; }') },
  { name: 'busy-loop-over-budget', error: TIME, code: fn('let x = 0;\nfor (let i = 0; i < 3e7; i++) x += i % 7;\nc.logCustomData(String(x));') },
  { name: 'deep-recursion', error: /RangeError: Maximum call stack size exceeded/, code: fn('function f(n) { return f(n + 1) + 1; }\nf(0);') },
  { name: 'recursion-caught-and-repeated', error: TIME, code: fn('function f() { try { f(); } catch (e) { f(); } }\nf();') },
  { name: 'allocation-loop', error: MEMORY, code: fn('const a = [];\nfor (;;) a.push(new Array(10000).fill(a.length));') },
  { name: 'allocation-native', error: MEMORY, code: fn("'x'.repeat(2 ** 28).split('');") },
  { name: 'huge-typed-array', error: MEMORY, code: fn('new Uint8Array(2 ** 31);') },
  { name: 'huge-buffer', error: MEMORY, code: fn('Buffer.alloc(2 ** 30);') },
];
