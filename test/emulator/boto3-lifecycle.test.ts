import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../emulator';

function available(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 30000 });
    return true;
  } catch {
    return false;
  }
}

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 120000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code) || 1 : 0, stdout, stderr });
    });
  });
}

// Python with boto3 is part of the development setup; without it these tests cannot say anything.
const hasBoto3 = available('python3', ['-c', 'import boto3']);
const hasAwsCli = available('aws', ['--version']);

describe('other AWS clients keep working behind the request guard', () => {
  let emu: RunningEmulator;
  beforeAll(async () => { emu = await startEmulator({ port: 0 }); });
  afterAll(() => emu.close());

  (hasBoto3 ? test : test.skip)('boto3: the whole function lifecycle, and the data plane on its account-prefixed host', async () => {
    const r = await run('python3', [join(__dirname, 'boto3_lifecycle.py'), emu.endpoint]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      kvs_value: 'revoked',
      kvs_hosts: [`123456789012.127.0.0.1:${emu.port}`],
      status: 'UNPUBLISHED',
      dev_revoked: 'deny',
      dev_good: 'allow',
      live_revoked: 'deny',
      tags: [{ Key: 'stage', Value: 'dev' }],
      after_update: 'deny',
      stale_etag: 'PreconditionFailed',
      listed: ['boto3-fn'],
      after_delete: [],
    });
  }, 150000);

  (hasAwsCli ? test : test.skip)('the AWS CLI', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'conngate-emulator', AWS_SECRET_ACCESS_KEY: 'conngate-emulator', AWS_DEFAULT_REGION: 'us-east-1' };
    const created = await run('aws', ['cloudfront', 'create-key-value-store', '--name', 'cli-store', '--endpoint-url', emu.endpoint], env);
    expect(created.stderr).toBe('');
    expect(JSON.parse(created.stdout).KeyValueStore.Name).toBe('cli-store');
    const listed = await run('aws', ['cloudfront', 'list-key-value-stores', '--endpoint-url', emu.endpoint], env);
    expect(JSON.parse(listed.stdout).KeyValueStoreList.Items.map((s: { Name: string }) => s.Name)).toContain('cli-store');
  }, 150000);
});
