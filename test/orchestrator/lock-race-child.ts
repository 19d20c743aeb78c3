/**
 * One contender in the lock race: waits for the shared start instant, tries the lock once, reports, and holds it
 * until the test says both contenders reported (a `release` file), so a slow start of the other contender on a
 * loaded machine never meets a lock whose holder already exited.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StageLock } from '../../orchestrator/records/stage-lock';

const [dir, startAt] = [process.argv[2], Number(process.argv[3])];
while (Date.now() < startAt) { /* spin to the shared start instant, so both contenders really race */ }
try {
  StageLock.acquire(dir, 'dev');
  process.stdout.write('won\n');
  // Hold it past the other contender's attempt; exit without releasing (as a killed run would).
  const givenUp = Date.now() + 60_000;
  const poll = setInterval(() => {
    if (fs.existsSync(path.join(dir, 'release')) || Date.now() > givenUp) {
      clearInterval(poll);
      process.exit(0);
    }
  }, 50);
} catch (e) {
  process.stdout.write(`refused: ${(e as Error).message}\n`);
}
