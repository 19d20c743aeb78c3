/**
 * One measured CRL read for bench/revocation-crl-read.ts, in a process of its own so that its peak RSS is its
 * own: loads the modules, notes the RSS, reads + verifies the CRL (as `revocations sync` does before diffing),
 * and prints one JSON line with the wall time of that work, the serials read (or the refusal), and the process's
 * peak RSS.
 *
 *   node --import tsx bench/revocation-crl-worker.ts <crl> <ca.pem>
 */
import { UserError } from '../diagnostics/user-error';
import { loadRevocationSource } from '../revocation/load-source';

async function main(): Promise<void> {
  const [crl, ca] = process.argv.slice(2);
  const baselineRss = process.memoryUsage().rss;
  const t0 = performance.now();
  // A CRL too large for the store is refused; how long the refusal takes is measured like a read.
  const set = await loadRevocationSource({ crlFiles: [crl], caFiles: [ca] }).catch((e: unknown) => {
    if (!(e instanceof UserError)) throw e;
    return { refused: e.message.split('\n')[0] };
  });
  const ms = performance.now() - t0;
  const outcome = 'refused' in set ? { refused: set.refused } : { serials: set.entries.size };
  process.stdout.write(`${JSON.stringify({ ms, ...outcome, baselineRssKb: Math.round(baselineRss / 1024), maxRssKb: process.resourceUsage().maxRSS })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
