/**
 * Throughput of `conngate fuzz`: generated connections checked through the sandbox (every case in a sandbox worker
 * process, with the budgets of `test --local`) for functions/revocation-check.js against a store of --keys revoked
 * serials. Reports cases/s with every built-in property on (two samples per case for the determinism property) and
 * with determinism off (one sample), and the wall time of one run of --cases cases. Generation overlaps the sandbox:
 * the next batch is drawn while the workers run the current one.
 *   npx tsx bench/fuzz-throughput.ts [--keys 100000] [--cases 100000] [--seed 1]
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUILT_IN_PROPERTIES } from '../fuzz/fuzz-properties';
import { runFuzz, type FuzzReport } from '../fuzz/fuzz-run';
import { storeRevokedInput } from '../fuzz/revoked-input';
import { canonicalSerial } from '../revocation/canonical-serial';
import { stopSandboxWorkers } from '../runtime';
import { loadSuite } from '../runtime/suite';
import { numberArg } from './bench-args';

const KEYS = numberArg('keys', 100_000);
const CASES = numberArg('cases', 100_000);
const SEED = numberArg('seed', 1);

async function main(): Promise<void> {
  const functionFile = path.join(__dirname, '..', 'functions', 'revocation-check.js');
  const code = fs.readFileSync(functionFile, 'utf8');
  const suite = loadSuite(functionFile.replace(/\.js$/, '.suite.json'));
  const store = new Map<string, string>();
  // Serials of 4 to 20 bytes, as CAs issue them.
  for (let i = 0; store.size < KEYS; i++) store.set(canonicalSerial(randomBytes(4 + (i % 17)).toString('hex')) as string, '1');
  const revoked = storeRevokedInput(store, `${KEYS} random serials`);
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const run = async (properties: string[], cases: number): Promise<FuzzReport> => {
    const r = await runFuzz({ functionFile, code, suite, cases, seed: SEED, now, properties, revoked });
    if (r.finding) throw new Error(`unexpected finding: ${r.finding.property}: ${r.finding.reason}`);
    return r;
  };
  const all = [...BUILT_IN_PROPERTIES, ...suite.properties.map((p) => p.name)];
  // Warm: the workers started and the store shipped to them once.
  await run(all, 2000);
  const full = await run(all, CASES);
  const single = await run(all.filter((p) => p !== 'deterministic'), CASES);
  const rate = (r: FuzzReport) => Math.round(r.casesRun / (r.durationMs / 1000)).toLocaleString('en-US');
  console.log(`store: ${KEYS.toLocaleString('en-US')} keys; ${CASES.toLocaleString('en-US')} cases, seed ${SEED}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
  console.log(`every property (2 samples a case): ${rate(full)} cases/s, ${(full.durationMs / 1000).toFixed(1)} s for ${CASES.toLocaleString('en-US')} cases  (aim: >= 20,000/s, < 10 s)`);
  console.log(`without deterministic (1 sample):  ${rate(single)} cases/s, ${(single.durationMs / 1000).toFixed(1)} s`);
  stopSandboxWorkers();
}

main().catch((err) => { console.error(err); process.exit(1); });
