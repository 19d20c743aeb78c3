import { readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as cf from '@aws-sdk/client-cloudfront';
import { startHarness, stopHarness, tempDir, type Harness } from './harness';

describe('saving the state file never follows a link planted in its folder', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await stopHarness(h);
    h = undefined;
  });

  test('a symlink under the temporary name a save used to write through leaves its target untouched', async () => {
    const dir = tempDir();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    const state = join(dir, 'state.json');
    // The name a save wrote to before it was made unpredictable; the emulator runs in this process.
    symlinkSync(victim, join(dir, `.state.json.${process.pid}.tmp`));
    h = await startHarness({ stateFile: state });
    await h.cf.send(new cf.CreateKeyValueStoreCommand({ Name: 'planted', Comment: 'x' }));
    await h.cf.send(new cf.CreateKeyValueStoreCommand({ Name: 'planted2', Comment: 'x' }));
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { keyValueStores: { name: string }[] };
    expect(saved.keyValueStores.map((k) => k.name).sort()).toEqual(['planted', 'planted2']);
    // No temporary file of a save is left behind (the planted link is the only other entry).
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([`.state.json.${process.pid}.tmp`]);
  });
});
