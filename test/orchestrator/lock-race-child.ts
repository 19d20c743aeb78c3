/** One contender in the lock race: waits for the shared start instant, tries the lock once, reports, holds it. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StageLock } from '../../orchestrator/stage-lock';

const [dir, startAt] = [process.argv[2], Number(process.argv[3])];
while (Date.now() < startAt) { /* spin to the shared start instant, so both contenders really race */ }
try {
  StageLock.acquire(dir, 'dev');
  process.stdout.write('won\n');
  // Hold it until the other contender has made its attempt (the test then writes `<dir>/release`; at most 30 s),
  // however late a loaded machine starts it; exit without releasing (as a killed run would).
  const until = Date.now() + 30_000;
  const poll = setInterval(() => {
    if (fs.existsSync(path.join(dir, 'release')) || Date.now() > until) {
      clearInterval(poll);
      process.exit(0);
    }
  }, 20);
} catch (e) {
  process.stdout.write(`refused: ${(e as Error).message}\n`);
}
