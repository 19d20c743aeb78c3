/**
 * One measured CRL read for bench/revocation-crl-read.ts, in a process of its own so that its peak RSS is its
 * own: loads the modules, notes the RSS, reads + verifies the CRL (as `revocations sync` does before diffing),
 * and prints one JSON line with the wall time of that work and the process's peak RSS.
 *
 *   node --import tsx bench/revocation-crl-worker.ts <crl> <ca.pem>
 */
import { loadRevocationSource } from '../revocation/load-source';

async function main(): Promise<void> {
  const [crl, ca] = process.argv.slice(2);
  const baselineRss = process.memoryUsage().rss;
  const t0 = performance.now();
  const set = await loadRevocationSource({ crlFiles: [crl], caFiles: [ca] });
  const ms = performance.now() - t0;
  process.stdout.write(`${JSON.stringify({ ms, serials: set.entries.size, baselineRssKb: Math.round(baselineRss / 1024), maxRssKb: process.resourceUsage().maxRSS })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
