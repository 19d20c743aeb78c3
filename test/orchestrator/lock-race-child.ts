/** One contender in the lock race: waits for the shared start instant, tries the lock once, reports, holds it. */
import { StageLock } from '../../orchestrator/stage-lock';

const [dir, startAt] = [process.argv[2], Number(process.argv[3])];
while (Date.now() < startAt) { /* spin to the shared start instant, so both contenders really race */ }
try {
  StageLock.acquire(dir, 'dev');
  process.stdout.write('won\n');
  // Hold it past the other contender's attempt; exit without releasing (as a killed run would).
  setTimeout(() => process.exit(0), 1000);
} catch (e) {
  process.stdout.write(`refused: ${(e as Error).message}\n`);
}
