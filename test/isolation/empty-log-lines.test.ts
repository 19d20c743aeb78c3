/**
 * Empty log lines cost no bytes, so the 10 KB log cap alone did not bound how many a run reported: 12,000
 * `console.log('')` calls made the worker's report too long for the host, which then took the worker for a
 * compromised one, killed it and reported every case of the batch as "sent a malformed report" (one process start
 * per case). The worker now stops at the line count the host accepts, for logs and for custom data alike.
 */
import { compileConnectionFunction, MAX_LOG_LINES, stopSandboxWorkers } from '../../runtime';
import { sandboxWorkerPids } from '../../runtime/worker-pool';
import { CONNECTION } from './corpus-project';

afterAll(() => stopSandboxWorkers());

it.each([
  ['console.log', "console.log('')", 'logs'],
  ['logCustomData', "c.logCustomData('')", 'customData'],
] as const)('12,000 empty %s lines: each case reports the first lines and the worker is kept', async (_name, call, field) => {
  const fn = compileConnectionFunction(`function connectionHandler(c) {\nfor (let i = 0; i < 12000; i++) ${call};\nc.allow();\n}\n`, `empty-${field}.js`);
  const results = await fn.runBatch([CONNECTION, CONNECTION, CONNECTION]);
  const before = sandboxWorkerPids();
  const again = await fn.run(CONNECTION);
  for (const r of [...results, again]) {
    expect(r.errorMessage ?? '').not.toMatch(/malformed|stopped/);
    expect(r[field]).toHaveLength(MAX_LOG_LINES);
  }
  // The same worker served the second run: it was not killed as a liar.
  expect(sandboxWorkerPids().filter((p) => before.includes(p)).length).toBeGreaterThan(0);
}, 30_000);
