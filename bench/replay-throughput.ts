/**
 * Throughput of `conngate replay`: connection-log records per second replayed through both the LIVE code and the
 * candidate, as the command runs them: the log read from a file (JSON lines, streamed), each record rebuilt into a
 * connection object, both functions in their sandbox worker processes (isolation on, a fresh state per
 * evaluation) against the stage's store, changed decisions grouped. The records are CloudFront connection-log
 * records of real certificates (test/support/connection-log-fixture.ts); LIVE is functions/revocation-check.js
 * and the candidate the same with one more rule, so some decisions change.
 *   npx tsx bench/replay-throughput.ts [--records 100000] [--rounds 3] [--keys 10000] [--certs 200]
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { replayConnectionLogs } from '../orchestrator/replay/connection-log-replay';
import { openLogSource } from '../orchestrator/replay/log-sources';
import { canonicalSerial } from '../revocation/canonical-serial';
import { stopSandboxWorkers } from '../runtime';
import { sandboxWorkerPids } from '../runtime/worker-pool';
import { logLines, makeLogFixture } from '../test/support/connection-log-fixture';
import { numberArg } from './bench-args';

const RECORDS = numberArg('records', 100_000);
const ROUNDS = numberArg('rounds', 3);
const KEYS = numberArg('keys', 10_000);
const CERTS = numberArg('certs', 200);
const TARGET = 20_000;

/** CPU seconds (user + system) a process has used, from /proc (Linux); 0 when unreadable. */
function cpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of this process and its sandbox workers: what the replay itself cost, whatever else the machine runs. */
function replayCpuSeconds(): number {
  return hostCpuSeconds() + workersCpuSeconds();
}

function hostCpuSeconds(): number {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1e6;
}

function workersCpuSeconds(): number {
  return sandboxWorkerPids().reduce((s, pid) => s + cpuSeconds(pid), 0);
}

async function main(): Promise<void> {
  const live = fs.readFileSync(path.join(__dirname, '..', 'functions', 'revocation-check.js'), 'utf8');
  const candidate = live.replace('  const serial = canonicalSerial(leaf.serialNumber);',
    "  if (/CN=legacy-/.test(leaf.subject)) { connection.deny(); return; }\n  const serial = canonicalSerial(leaf.serialNumber);");
  const fx = await makeLogFixture({ count: CERTS, foreign: Math.ceil(CERTS / 50), revokedEvery: 20, cnOf: (i) => (i % 25 === 3 ? `legacy-${i}.example.com` : `client-${i}.example.com`) });
  const store: [string, string][] = [...fx.store];
  while (store.length < KEYS) store.push([canonicalSerial(randomBytes(12).toString('hex'))!, 'revoked']);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-bench-replay-'));
  const file = path.join(dir, 'connection-logs.jsonl');
  fs.writeFileSync(file, `${logLines(fx, RECORDS).join('\n')}\n`);
  const mb = fs.statSync(file).size / 1024 / 1024;
  console.log(`${RECORDS} connection-log records (${mb.toFixed(1)} MB, ${fx.certs.length} certificates), a ${store.length}-key store, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)}`);
  const rates: number[] = [];
  const perCpu: number[] = [];
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      const cpuBefore = replayCpuSeconds();
      const hostBefore = hostCpuSeconds();
      const started = process.hrtime.bigint();
      const rep = await replayConnectionLogs({ live: { code: live }, candidate: { code: candidate }, store, logs: openLogSource(file), logsName: file });
      const s = Number(process.hrtime.bigint() - started) / 1e9;
      const rate = rep.replayed / s;
      const cpu = replayCpuSeconds() - cpuBefore;
      const host = hostCpuSeconds() - hostBefore;
      // Round 0 starts the sandbox workers and ships the store: reported, not counted.
      if (round > 0) { rates.push(rate); perCpu.push(rep.replayed / cpu); }
      console.log(`${round === 0 ? 'cold ' : `round ${round}`}: ${rep.replayed} of ${rep.records} records replayed through LIVE and the candidate in ${s.toFixed(2)} s = ${Math.round(rate)} records/s (${rep.changed} changed decisions in ${rep.groups.length} groups, ${rep.notReplayable.total} not replayable; ${cpu.toFixed(2)} CPU s (${host.toFixed(2)} reading and judging, ${(cpu - host).toFixed(2)} in the two sandbox workers) = ${Math.round(rep.replayed / cpu)} records per CPU second)`);
    }
  } finally {
    stopSandboxWorkers();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const sorted = [...rates].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const cpuMedian = [...perCpu].sort((a, b) => a - b)[Math.floor(perCpu.length / 2)];
  console.log(`CPU cost: median ${Math.round(cpuMedian)} records per CPU second; on ${os.cpus().length} otherwise idle CPUs at most ~${Math.round(cpuMedian * os.cpus().length)} records/s`);
  console.log(`median ${Math.round(median)} records/s, best ${Math.round(sorted.at(-1)!)} (target ${TARGET}): ${median >= TARGET ? 'met' : 'NOT met'} (each record is two sandboxed evaluations)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
