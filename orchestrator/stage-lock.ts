import * as fs from 'node:fs';
import * as path from 'node:path';
import { StepError } from './step-error';

/**
 * A per-stage lock file, so two pipelines started from the same checkout do not interleave. Across machines the
 * If-Match ETags are what keep two pipelines from both publishing; this lock only makes the local case clearer.
 */
export class StageLock {
  private constructor(private readonly file: string) {}

  static acquire(dir: string, stage: string): StageLock {
    const file = path.join(dir, 'locks', `${stage}.lock`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }), { flag: 'wx' });
        return new StageLock(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const holder = StageLock.holder(file);
        if (holder && StageLock.alive(holder.pid)) {
          throw new StepError('lock', `another conngate run (pid ${holder.pid}, since ${holder.since}) is working on stage "${stage}"`,
            `wait for it to finish, or remove ${file} if that process is gone`);
        }
        fs.rmSync(file, { force: true }); // left by a crashed run
      }
    }
    throw new StepError('lock', `could not take the lock ${file}`, 'remove the file and re-run');
  }

  private static holder(file: string): { pid: number; since: string } | undefined {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      return undefined;
    }
  }

  private static alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  }

  release(): void {
    fs.rmSync(this.file, { force: true });
  }
}
