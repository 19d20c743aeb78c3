/**
 * Reading and verifying a large CRL: conngate (DER reader + node:crypto signature check, as `revocations sync`
 * runs it) beside `openssl crl -noout` (parse only) and `openssl crl -noout -CAfile` (parse and verify) on the
 * same files in the same run. CRLs are made with `openssl ca -gencrl` (reason code on every entry).
 * Each figure is the median of --runs runs; every run is a fresh process, so peak RSS is the process's own
 * (`process.resourceUsage().maxRSS` for conngate, GNU time's %M for openssl). Then a DER CRL of
 * --refuse-entries entries (too many for one store; 0 skips it) is timed from start to the store-size refusal.
 *
 *   npx tsx bench/revocation-crl-read.ts [--entries 100000] [--runs 3] [--refuse-entries 1000000]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { numberArg } from './bench-args';
import { x509 } from '../revocation/x509-library';
import { bulkSerials, makeCa, makeCrl, openssl } from '../test/revocation/openssl-pki';

const ENTRIES = numberArg('entries', 100_000);
const RUNS = numberArg('runs', 3);
const REFUSE_ENTRIES = numberArg('refuse-entries', 1_000_000);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface ConngateRun {
  /** the read and verification, in process */
  ms: number;
  /** the whole process, node and tsx start-up included */
  processMs: number;
  maxRssKb: number;
  baselineRssKb: number;
  serials?: number;
  refused?: string;
}

function conngateRun(crl: string, ca: string): ConngateRun {
  const worker = path.join(__dirname, 'revocation-crl-worker.ts');
  const t = performance.now();
  const out = execFileSync(process.execPath, ['--import', 'tsx', worker, crl, ca], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return { ...JSON.parse(out.trim().split('\n').pop()!), processMs: performance.now() - t };
}

function opensslRun(args: string[]): { ms: number; maxRssKb: number } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', 'openssl', ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
  const [secs, kb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { ms: secs * 1000, maxRssKb: kb };
}

function main(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-crl-bench-'));
  try {
    const ca = makeCa(dir, 'bench-ca', { addext: ['keyUsage=critical,keyCertSign,cRLSign'] });
    const t = performance.now();
    const pem = makeCrl(ca, bulkSerials(ENTRIES));
    const genMs = performance.now() - t;
    const der = path.join(dir, 'crl.der');
    openssl(['crl', '-in', pem, '-outform', 'DER', '-out', der], dir);
    process.stdout.write(`CRL of ${ENTRIES.toLocaleString('en-US')} entries (openssl ca -gencrl ${(genMs / 1000).toFixed(1)} s): ` +
      `DER ${fs.statSync(der).size.toLocaleString('en-US')} bytes, PEM ${fs.statSync(pem).size.toLocaleString('en-US')} bytes; median of ${RUNS} runs\n\n`);
    // The general ASN.1 library conngate used before, on the same bytes (it stops at its 10,000-node default).
    let former: string;
    try {
      former = `read ${new x509.X509Crl(fs.readFileSync(der)).entries.length} entries`;
    } catch (e) {
      former = `refused it: ${(e as Error).message}`;
    }
    process.stdout.write(`@peculiar/x509 (the former reader) ${former}\n\n`);
    process.stdout.write('| file | tool | wall ms | peak RSS MB | wall vs openssl -noout |\n|---|---|---:|---:|---:|\n');
    for (const [label, file, inform] of [['DER', der, 'DER'], ['PEM', pem, 'PEM']] as const) {
      const parse: { ms: number; maxRssKb: number }[] = [];
      const verify: { ms: number; maxRssKb: number }[] = [];
      const ours: ConngateRun[] = [];
      for (let i = 0; i < RUNS; i++) {
        parse.push(opensslRun(['crl', '-in', file, '-inform', inform, '-noout']));
        verify.push(opensslRun(['crl', '-in', file, '-inform', inform, '-noout', '-CAfile', ca.certFile]));
        ours.push(conngateRun(file, ca.certFile));
      }
      if (ours.some((o) => o.serials !== ENTRIES)) throw new Error('conngate read a different number of serials');
      const base = median(parse.map((p) => p.ms));
      const row = (tool: string, ms: number, kb: number): string =>
        `| ${label} | ${tool} | ${ms.toFixed(0)} | ${(kb / 1024).toFixed(1)} | ${(ms / base).toFixed(1)}x |\n`;
      process.stdout.write(row('openssl crl -noout', base, median(parse.map((p) => p.maxRssKb))));
      process.stdout.write(row('openssl crl -noout -CAfile (verify)', median(verify.map((p) => p.ms)), median(verify.map((p) => p.maxRssKb))));
      process.stdout.write(row('conngate read + verify (in process)', median(ours.map((o) => o.ms)), median(ours.map((o) => o.maxRssKb))));
      process.stdout.write(row('conngate whole process (node + tsx start-up)', median(ours.map((o) => o.processMs)), median(ours.map((o) => o.maxRssKb))));
      process.stdout.write(`| ${label} | (conngate process RSS before reading) | | ${(median(ours.map((o) => o.baselineRssKb)) / 1024).toFixed(1)} | |\n`);
    }
    if (REFUSE_ENTRIES > 0) refusal(ca);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A CRL too large for one store, from start to the store-size refusal (median of RUNS fresh processes). */
function refusal(ca: ReturnType<typeof makeCa>): void {
  const pem = makeCrl(ca, bulkSerials(REFUSE_ENTRIES, 0xa0), { crlNumber: '02' });
  const der = path.join(path.dirname(pem), 'refused.der');
  openssl(['crl', '-in', pem, '-outform', 'DER', '-out', der], path.dirname(pem));
  const runs = Array.from({ length: RUNS }, () => conngateRun(der, ca.certFile));
  if (runs.some((r) => !r.refused)) throw new Error(`a ${REFUSE_ENTRIES}-entry CRL was not refused`);
  process.stdout.write(`\nDER CRL of ${REFUSE_ENTRIES.toLocaleString('en-US')} entries (${(fs.statSync(der).size / 1e6).toFixed(1)} MB): ` +
    `refused in ${median(runs.map((r) => r.ms)).toFixed(0)} ms in process, ${median(runs.map((r) => r.processMs)).toFixed(0)} ms whole process, ` +
    `peak RSS ${(median(runs.map((r) => r.maxRssKb)) / 1024).toFixed(1)} MB (${runs[0].refused!.replace(`${der}: `, '').slice(0, 60)}...)\n`);
}

main();
