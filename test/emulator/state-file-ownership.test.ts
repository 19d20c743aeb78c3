import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as cf from '@aws-sdk/client-cloudfront';
import { startEmulator } from '../../emulator';
import { ownerFolderOf, processStartOf } from '../../emulator/state-file-owner';
import { UserError } from '../../diagnostics/user-error';
import { main } from '../../cli/program';
import { createCloudFrontClient } from '../../aws/clients';
import { exited, spawnFixture, waitForStderr } from './child-process';
import { createFunction, failure, startHarness, stopHarness, tempDir } from './harness';

const ALLOW = 'function connectionHandler(c) { c.allow(); }';

function ownerRecord(pid: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ format: 'conngate-emulator-state-owner', pid, host: hostname(), processStart: processStartOf(pid),
    token: 'forged', since: '2026-01-01T00:00:00.000Z', ...extra });
}

/** Writes an owner record as if an emulator had taken the file as generation `gen`. */
function forgeOwner(stateFile: string, gen: number, record: string): void {
  const dir = ownerFolderOf(stateFile);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, String(gen)), record);
}

describe('state file ownership', () => {
  test('a second emulator on the same state file refuses to start; after the first stops, it starts', async () => {
    const file = join(tempDir(), 'state.json');
    const first = await startHarness({ stateFile: file });
    await createFunction(first, 'owned', ALLOW);
    const before = readFileSync(file, 'utf8');
    try {
      const err = await startEmulator({ stateFile: file }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(new RegExp(`state file .*state\\.json: is in use by another emulator \\(pid ${process.pid} on `));
      expect((err as Error).message).toMatch(/fix: stop that emulator first/);
      expect(readFileSync(file, 'utf8')).toBe(before);
      // The first one is unaffected.
      await createFunction(first, 'still-owned', ALLOW);
    } finally {
      await stopHarness(first);
    }
    const second = await startHarness({ stateFile: file });
    try {
      expect((await second.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: 'still-owned' }))).ETag).toBeTruthy();
    } finally {
      await stopHarness(second);
    }
  });

  test('the CLI refuses a state file in use with one line and exit 2', async () => {
    const file = join(tempDir(), 'state.json');
    const first = await startEmulator({ stateFile: file });
    const errors: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { errors.push(String(s)); return true; });
    try {
      expect(await main(['node', 'conngate', 'emulator', '--port', '0', '--state', file])).toBe(2);
    } finally {
      spy.mockRestore();
      await first.close();
    }
    const text = errors.join('');
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(text).toMatch(/^conngate: emulator state file .*: is in use by another emulator \(pid \d+ .*\(fix: /);
  });

  test('an emulator killed with SIGKILL does not block the next one, which keeps its state', async () => {
    const file = join(tempDir(), 'state.json');
    const child = spawnFixture('run-cli.ts', ['emulator', '--port', '0', '--state', file]);
    const done = exited(child);
    const [, endpoint] = await waitForStderr(child, /listening on (http:\/\/\S+)/);
    const client = createCloudFrontClient({ endpoint, region: 'us-east-1', maxAttempts: 1 });
    try {
      await client.send(new cf.CreateConnectionFunctionCommand({ Name: 'survives-kill', ConnectionFunctionCode: new TextEncoder().encode(ALLOW),
        ConnectionFunctionConfig: { Comment: '', Runtime: 'cloudfront-js-2.0' } }));
    } finally {
      client.destroy();
    }
    // While it runs, it owns the file.
    await expect(startEmulator({ stateFile: file })).rejects.toThrow(/is in use by another emulator \(pid \d+/);
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    const h = await startHarness({ stateFile: file });
    try {
      expect((await h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: 'survives-kill' }))).ETag).toBeTruthy();
    } finally {
      await stopHarness(h);
    }
  }, 90000);

  test('an owner record whose pid now belongs to another process (pid reuse) is taken over; a live owner is not', async () => {
    const dir = tempDir();
    // This very process is alive, but did not start at the recorded time: the recorded owner is gone.
    const reused = join(dir, 'reused.json');
    forgeOwner(reused, 7, ownerRecord(process.pid, { processStart: 'another-boot:12345' }));
    const e = await startEmulator({ stateFile: reused });
    await e.close();
    expect(readdirSync(ownerFolderOf(reused)).filter((n) => /^\d+$/.test(n))).toEqual(['8']);

    // The same pid with its real start time is a live owner.
    const live = join(dir, 'live.json');
    forgeOwner(live, 3, ownerRecord(process.pid));
    await expect(startEmulator({ stateFile: live })).rejects.toThrow(/in use by another emulator \(pid \d+/);
    // A record from another machine cannot be checked: refused, and the message says which host and what to do.
    const remote = join(dir, 'remote.json');
    forgeOwner(remote, 1, ownerRecord(1, { host: 'build-server-7' }));
    await expect(startEmulator({ stateFile: remote })).rejects.toThrow(/pid 1 on build-server-7.*if it no longer runs on build-server-7, delete /);
    // A dead pid is stale.
    const dead = join(dir, 'dead.json');
    forgeOwner(dead, 2, ownerRecord(2 ** 22 + 12345, { processStart: undefined }));
    await (await startEmulator({ stateFile: dead })).close();
  });

  test('many emulators starting at once on one state file: exactly one wins, also when taking over a dead owner', async () => {
    const file = join(tempDir(), 'race.json');
    const contenders = 8;
    const rounds: { winners: number; losers: number }[] = [];
    for (let round = 0; round < 3; round++) {
      if (round === 2) {
        // A pid-reuse owner record as the highest generation: stale, to be taken over.
        const gens = readdirSync(ownerFolderOf(file)).filter((n) => /^\d+$/.test(n)).map(Number);
        forgeOwner(file, Math.max(...gens) + 1, ownerRecord(process.pid, { processStart: 'reused' }));
      }
      const startAt = Date.now() + 4000;
      const children = Array.from({ length: contenders }, () => exited(spawnFixture('claim-state-file.ts', [file, String(startAt), '3000']), 60000));
      const results = await Promise.all(children);
      const lines = results.map((r) => r.stdout.trim());
      const winners = lines.filter((l) => l.startsWith('won '));
      const losers = lines.filter((l) => l.startsWith('lost '));
      expect({ round, lines: lines.filter((l) => !/^(won \d+|lost .*is in use by another emulator.*)$/.test(l)) }).toEqual({ round, lines: [] });
      rounds.push({ winners: winners.length, losers: losers.length });
      // The winner crashed (exited without giving the file up); only its record is left.
      expect(readdirSync(ownerFolderOf(file)).filter((n) => /^\d+$/.test(n))).toEqual([winners[0].slice(4)]);
    }
    expect(rounds).toEqual(Array(3).fill({ winners: 1, losers: contenders - 1 }));
  }, 180000);

  test('an emulator whose file was taken over stops saving: its writes answer 500 and change nothing', async () => {
    const file = join(tempDir(), 'fenced.json');
    const h = await startHarness({ stateFile: file });
    try {
      await createFunction(h, 'before-takeover', ALLOW);
      const saved = readFileSync(file, 'utf8');
      const gens = readdirSync(ownerFolderOf(file)).filter((n) => /^\d+$/.test(n)).map(Number);
      forgeOwner(file, Math.max(...gens) + 1, ownerRecord(process.pid, { token: 'successor' }));
      const e = await failure(createFunction(h, 'after-takeover', ALLOW));
      expect(e).toMatchObject({ name: 'InternalError', status: 500 });
      expect(e.message).toMatch(/another emulator has taken over .*changed nothing/);
      expect(readFileSync(file, 'utf8')).toBe(saved);
      expect((await failure(h.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: 'after-takeover' })))).name).toBe('EntityNotFound');
    } finally {
      await stopHarness(h);
    }
    // Stopping does not disturb the successor's record.
    expect(JSON.parse(readFileSync(join(ownerFolderOf(file), String(
      Math.max(...readdirSync(ownerFolderOf(file)).filter((n) => /^\d+$/.test(n)).map(Number)))), 'utf8')).token).toBe('successor');
  });

  test('the ownership folder removed while running (a clean-up of dot folders): writes answer 500 and change nothing, and the emulator still stops', async () => {
    const file = join(tempDir(), 'cleaned.json');
    const h = await startHarness({ stateFile: file });
    let stopped = false;
    try {
      await createFunction(h, 'before-clean', ALLOW);
      const saved = readFileSync(file, 'utf8');
      rmSync(ownerFolderOf(file), { recursive: true, force: true });
      const e = await failure(createFunction(h, 'after-clean', ALLOW));
      expect(e).toMatchObject({ name: 'InternalError', status: 500 });
      expect(e.message).toMatch(/ownership record .* was removed.*changed nothing/);
      expect(readFileSync(file, 'utf8')).toBe(saved);
      await stopHarness(h);
      stopped = true;
    } finally {
      if (!stopped) await stopHarness(h).catch(() => undefined);
    }
    const next = await startHarness({ stateFile: file });
    try {
      expect((await next.cf.send(new cf.DescribeConnectionFunctionCommand({ Identifier: 'before-clean' }))).ETag).toBeTruthy();
    } finally {
      await stopHarness(next);
    }
  });
});
