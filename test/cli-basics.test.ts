import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const bin = path.join(__dirname, '..', 'bin', 'conngate.js');

describe('conngate CLI basics', () => {
  it('prints help with the program description', () => {
    const out = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(out).toContain('Usage: conngate');
    expect(out).toContain('connection functions');
  });

});
