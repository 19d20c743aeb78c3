/**
 * `conngate emulator` as its own process: while a TestConnectionFunction call runs code that never yields (a
 * catastrophic regular expression), the emulator still answers other clients, and SIGTERM ends it promptly; the
 * secret in its environment never reaches the response.
 */
import * as cf from '@aws-sdk/client-cloudfront';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { createCloudFrontClient } from '../../aws/clients';
import { code, RUNTIME } from '../emulator/harness';
import { PROJECT_DIR } from '../support/conngate-cli';
import { CONNECTION } from './corpus-project';

const SECRET = 'canary-sigterm-secret-7f3a';

it('answers during a runaway test and stops on SIGTERM within seconds', async () => {
  const child = spawn(process.execPath, [path.join(PROJECT_DIR, 'bin', 'conngate.js'), 'emulator', '--port', '0'], {
    cwd: PROJECT_DIR, env: { ...process.env, AWS_SECRET_ACCESS_KEY: SECRET }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (c, s) => resolve({ code: c, signal: s })));
  try {
    let stderr = '';
    const endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`emulator did not start: ${stderr}`)), 20_000);
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(stderr);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
    });
    const client = createCloudFrontClient({ endpoint, region: 'us-east-1', maxAttempts: 1 });
    const f = await client.send(new cf.CreateConnectionFunctionCommand({
      Name: 'regex', ConnectionFunctionCode: code("function connectionHandler(c) { /^(a+)+$/.test('a'.repeat(34) + '!'); c.allow(); }"),
      ConnectionFunctionConfig: { Comment: 'runaway', Runtime: RUNTIME, KeyValueStoreAssociations: { Quantity: 0 } },
    }));
    const runaway = client.send(new cf.TestConnectionFunctionCommand({ Id: f.ConnectionFunctionSummary!.Id!, IfMatch: f.ETag!,
      ConnectionObject: code(JSON.stringify(CONNECTION)) })).then((r) => JSON.stringify(r), (e: Error) => e.name);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const list = await client.send(new cf.ListConnectionFunctionsCommand({}));
    expect(list.ConnectionFunctions?.map((x) => x.Name)).toEqual(['regex']);
    child.kill('SIGTERM');
    const sentAt = Date.now();
    let deadline: NodeJS.Timeout | undefined;
    const how = await Promise.race([exited, new Promise<'still running'>((resolve) => { deadline = setTimeout(() => resolve('still running'), 10_000); })]);
    clearTimeout(deadline);
    expect(how).not.toBe('still running');
    expect(Date.now() - sentAt).toBeLessThan(10_000);
    expect(await runaway).not.toContain(SECRET);
    client.destroy();
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}, 60_000);
