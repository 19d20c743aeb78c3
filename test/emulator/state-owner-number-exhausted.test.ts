import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateFileOwnership, ownerFolderOf } from '../../emulator/state-file-owner';
import { tempDir } from './harness';

describe('an ownership record numbered at the end of the range never yields two owners', () => {
  test('a stray record numbered 999999999999999: refused with a UserError naming the folder, nothing created', () => {
    const file = join(tempDir(), 'state.json');
    const dir = ownerFolderOf(file);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '999999999999999'), 'not a record');
    // Before: the first emulator claimed 1000000000000000, a name no listing sees, so it could never save, and a
    // second one then claimed 1 beside it.
    expect(() => StateFileOwnership.acquire(file)).toThrow(/past the last usable number/);
    expect(() => StateFileOwnership.acquire(file)).toThrow(expect.objectContaining({ name: 'UserError' }));
    expect(readdirSync(dir)).toEqual(['999999999999999']);
  });
});
