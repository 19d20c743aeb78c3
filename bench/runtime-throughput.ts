/**
 * Throughput of the sandboxed runtime: functions/revocation-check.js against a 100,000-key store, compared with
 * calling the same handler directly in plain Node in the same process. Both sides take the same input (the
 * connection object's JSON text, as TestConnectionFunction receives it) and produce a decision.
 *   npx tsx bench/runtime-throughput.ts [--keys 100000] [--evaluations 50000] [--rounds 5]
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canonicalSerial, colonSerial } from '../revocation/canonical-serial';
import { compileConnectionFunction, MapKvsBackend, runConnectionFunction } from '../runtime';
import { CONNECTION_DEFAULTS } from '../runtime/payload';
import { numberArg } from './bench-args';

const KEYS = numberArg('keys', 100_000);
const EVALUATIONS = numberArg('evaluations', 50_000);
const ROUNDS = numberArg('rounds', 5);

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
  async function sandboxed(json: string): Promise<string> {
    return (await runConnectionFunction(compiled, json, { kvs: store })).decision;
  }

  // Both sides must agree before anything is timed.
  for (const json of inputs) {
    const [a, b] = [await direct(json), await sandboxed(json)];
    if (a !== b) throw new Error(`decisions differ: direct ${a}, sandboxed ${b} for ${json}`);
  }

  async function measure(fn: (json: string) => Promise<string>): Promise<number> {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < EVALUATIONS; i++) await fn(inputs[i % inputs.length]);
    return EVALUATIONS / (Number(process.hrtime.bigint() - t0) / 1e9);
  }
  await measure(direct); await measure(sandboxed);
  const d: number[] = [], s: number[] = [];
  for (let r = 0; r < ROUNDS; r++) { d.push(await measure(direct)); s.push(await measure(sandboxed)); }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const dm = median(d), sm = median(s);
  console.log(`store: ${KEYS} keys; ${EVALUATIONS} evaluations x ${ROUNDS} rounds (median round)`);
  console.log(`direct (plain Node):   ${Math.round(dm).toLocaleString('en-US')} evaluations/s`);
  console.log(`sandboxed (runtime):   ${Math.round(sm).toLocaleString('en-US')} evaluations/s`);
  console.log(`ratio direct/sandboxed: ${(dm / sm).toFixed(2)}x  (aim: sandboxed >= 20,000/s and ratio <= 3x)`);
}

main().catch((err) => { console.error(err); process.exit(1); });
