/**
 * Throughput of the sandboxed runtime (isolation on: every evaluation runs in a sandbox worker process):
 * functions/revocation-check.js against a 100,000-key store, compared with calling the same handler directly in
 * plain Node in the same process. Both sides take the same input (the connection object's JSON text, as
 * TestConnectionFunction receives it) and produce a decision. Sandboxed evaluations go in batches of --batch
 * connections per worker message; one connection per message (as one TestConnectionFunction call sends) and the
 * cost of a cold worker are reported too.
 *   npx tsx bench/runtime-throughput.ts [--keys 100000] [--evaluations 50000] [--rounds 5] [--batch 1000]
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canonicalSerial, colonSerial } from '../revocation/canonical-serial';
import { compileConnectionFunction, MapKvsBackend, stopSandboxWorkers } from '../runtime';
import { CONNECTION_DEFAULTS } from '../runtime/payload';
import { numberArg } from './bench-args';

const KEYS = numberArg('keys', 100_000);
const EVALUATIONS = numberArg('evaluations', 50_000);
const ROUNDS = numberArg('rounds', 5);
const BATCH = numberArg('batch', 1000);

async function main(): Promise<void> {
  const code = fs.readFileSync(path.join(__dirname, '..', 'functions', 'revocation-check.js'), 'utf8');
  const store = new MapKvsBackend();
  const revoked: string[] = [];
  for (let i = 0; i < KEYS; i++) {
    const k = canonicalSerial(randomBytes(16).toString('hex')) as string;
    store.entries.set(k, '1');
    if (revoked.length < 500) revoked.push(k);
  }
  const inputs: string[] = [];
  for (let i = 0; i < 1000; i++) {
    // Serials as CloudFront spells them (colon form, DER 00 kept), every fourth one in upper case.
    const key = i % 2 === 0 ? revoked[i % revoked.length] : canonicalSerial(randomBytes(16).toString('hex')) as string;
    inputs.push(JSON.stringify({
      connectionId: randomBytes(42).toString('base64'), ...CONNECTION_DEFAULTS,
      clientCertificate: { certificates: { leaf: {
        subject: 'C=US, O=Example Corp, CN=client.example.com', issuer: 'C=US, O=Example Corp, CN=Example Corp Intermediate CA',
        serialNumber: i % 4 === 0 ? colonSerial(key).toUpperCase() : colonSerial(key),
        validity: { notBefore: '2025-09-10T23:43:10Z', notAfter: '2026-09-10T23:43:10Z' },
        sha256Fingerprint: randomBytes(32).toString('base64'),
      } } },
    }));
  }

  // Plain Node: the same source with the import replaced by a parameter, loaded once.
  const plainSource = code.replace("import cf from 'cloudfront';", '');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const load = new Function('cf', 'console', `"use strict"; ${plainSource}\nreturn connectionHandler;`) as (cf: unknown, console: unknown) => (c: unknown) => Promise<void>;
  const directLogs: string[] = [];
  const directHandler = load({ kvs: () => ({ exists: (k: string) => Promise.resolve(store.get(k) !== undefined) }) },
    { log: (m: unknown) => { if (directLogs.length < 100) directLogs.push(String(m)); } });
  async function direct(json: string): Promise<string> {
    const conn = JSON.parse(json) as Record<string, unknown>;
    let decision: string | undefined;
    conn.allow = () => { if (decision === undefined) decision = 'allow'; };
    conn.deny = () => { decision = 'deny'; };
    conn.logCustomData = () => undefined;
    await directHandler(conn);
    return decision ?? 'deny';
  }

  const compiled = compileConnectionFunction(code, 'functions/revocation-check.js');

  // Cold worker: a new process, the code compiled in it, the store shipped to it, one case run.
  stopSandboxWorkers();
  let t0 = process.hrtime.bigint();
  await compiled.run(inputs[0], { kvs: new MapKvsBackend([['00', '1']]) });
  const coldMs = Number(process.hrtime.bigint() - t0) / 1e6;
  stopSandboxWorkers();
  t0 = process.hrtime.bigint();
  await compiled.run(inputs[0], { kvs: store });
  const coldStoreMs = Number(process.hrtime.bigint() - t0) / 1e6;

  // Both sides must agree before anything is timed.
  const sandboxedDecisions = (await compiled.runBatch(inputs, { kvs: store })).map((r) => r.decision);
  for (const [i, json] of inputs.entries()) {
    const a = await direct(json);
    if (a !== sandboxedDecisions[i]) throw new Error(`decisions differ: direct ${a}, sandboxed ${sandboxedDecisions[i]} for ${json}`);
  }

  async function measureDirect(n: number): Promise<number> {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await direct(inputs[i % inputs.length]);
    return n / (Number(process.hrtime.bigint() - t) / 1e9);
  }
  async function measureSandboxed(n: number, batch: number): Promise<number> {
    const t = process.hrtime.bigint();
    for (let done = 0; done < n; done += batch) {
      const from = done % inputs.length;
      const slice = batch >= inputs.length ? inputs : inputs.slice(from, from + batch);
      const rs = await compiled.runBatch(slice.length ? slice : inputs.slice(0, batch), { kvs: store });
      if (rs.some((r) => r.decision === 'error')) throw new Error(`a sandboxed evaluation failed: ${rs.find((r) => r.decision === 'error')!.errorMessage}`);
    }
    return n / (Number(process.hrtime.bigint() - t) / 1e9);
  }
  await measureDirect(EVALUATIONS); await measureSandboxed(EVALUATIONS, BATCH);
  const d: number[] = [], s: number[] = [];
  for (let r = 0; r < ROUNDS; r++) { d.push(await measureDirect(EVALUATIONS)); s.push(await measureSandboxed(EVALUATIONS, BATCH)); }
  const single = await measureSandboxed(Math.min(2000, EVALUATIONS), 1);
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const dm = median(d), sm = median(s);
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(`store: ${KEYS} keys; ${EVALUATIONS} evaluations x ${ROUNDS} rounds (median round); batches of ${BATCH}`);
  console.log(`direct (plain Node):           ${fmt(dm)} evaluations/s`);
  console.log(`sandboxed (worker, batched):   ${fmt(sm)} evaluations/s`);
  console.log(`ratio direct/sandboxed:        ${(dm / sm).toFixed(2)}x  (aim: sandboxed >= 20,000/s)`);
  console.log(`sandboxed, one case a message: ${fmt(single)} evaluations/s`);
  console.log(`cold worker, first case:       ${coldMs.toFixed(1)} ms (${coldStoreMs.toFixed(1)} ms when it also receives the ${KEYS}-key store)`);
  stopSandboxWorkers();
}

main().catch((err) => { console.error(err); process.exit(1); });
