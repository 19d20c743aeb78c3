/**
 * `status` when stages share an endpoint and an account but each names its access (a role for every stage through
 * `defaults.aws`, the usual multi-stage setup): the top line still names the account, and every stage says where it
 * was read.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { prepareWorkdir } from '../../demo/demo-workdir';
import { PROJECT_DIR, runCli } from '../support/conngate-cli';
import { TEST_EVIDENCE_KEY } from '../support/emulator-project';

jest.setTimeout(300_000);

describe('status with a role for every stage in one account', () => {
  let emu: RunningEmulator;
  let dir: string;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, accountId: '123456789012' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-status-access-'));
    prepareWorkdir(PROJECT_DIR, dir, {
      defaults: { aws: { roleArn: 'arn:aws:iam::123456789012:role/conngate-deploy' } },
      stages: { dev: { promotesFrom: null }, prod: { promotesFrom: 'dev' } },
    });
  });
  afterAll(async () => {
    await emu?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const cli = (...args: string[]) => runCli([...args, '--endpoint', emu.endpoint, '--dir', dir], { env: { CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY } });

  it('names the account on the top line and in --json, and each stage\'s endpoint and account', async () => {
    const dev = await cli('deploy', 'dev');
    expect(`${dev.code}\n${dev.stdout}\n${dev.stderr}`).toMatch(/^0\n/);
    // Every request that reached the account was signed with an assumed session.
    expect(Object.keys(emu.requestsByAccessKey()).filter((k) => !k.startsWith('ASIA'))).toEqual([]);

    const table = await cli('status');
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toBe(`endpoint ${emu.endpoint}, account 123456789012`);
    const json = JSON.parse((await cli('status', '--json')).stdout) as { endpoint: string; account: string | null; stages: { stage: string; endpoint: string; account: string | null }[] };
    expect(json.account).toBe('123456789012');
    expect(json.stages.map((s) => [s.stage, s.endpoint, s.account])).toEqual([['dev', emu.endpoint, '123456789012'], ['prod', emu.endpoint, null]]);
  });
});
