import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeFolder } from '../../host/make-folder';

describe('makeFolder', () => {
  it('makes missing parents, accepts an existing folder, refuses a file in the way', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-mkdir-'));
    try {
      makeFolder(path.join(root, 'a', 'b', 'c'), 0o700);
      expect(fs.statSync(path.join(root, 'a', 'b', 'c')).isDirectory()).toBe(true);
      expect(fs.statSync(path.join(root, 'a', 'b', 'c')).mode & 0o777).toBe(0o700);
      makeFolder(path.join(root, 'a', 'b', 'c'));
      fs.writeFileSync(path.join(root, 'f'), '');
      expect(() => makeFolder(path.join(root, 'f', 'x'))).toThrow(/ENOTDIR/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  // Node's recursive mkdir retries for ever under /proc; this one fails at once.
  (process.platform === 'linux' ? it : it.skip)('fails at once under a pseudo file system that refuses folders', () => {
    const started = Date.now();
    expect(() => makeFolder('/proc/conngate-not-here/logs')).toThrow();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
