import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepareWorkdir } from '../../demo/demo-workdir';
import { PROJECT_DIR, runCli } from '../support/conngate-cli';
import { HcpTerraformStandIn } from '../support/hcp-terraform-standin';

/** The new commands' bad input: one line, exit 2, nothing started; and `run-task handle` reporting to the stand-in. */
describe('run-task, approve and --override-policy on the command line', () => {
  let dir: string;
  let hcp: HcpTerraformStandIn;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-workflow-cli-'));
    prepareWorkdir(PROJECT_DIR, dir);
    hcp = new HcpTerraformStandIn();
    await hcp.start();
  });
  afterAll(async () => {
    await hcp.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const oneLine = (r: { code: number; stderr: string }, re: RegExp) => {
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(re);
  };

  it('run-task serve refuses to start without an HMAC key, or with a short one', async () => {
    oneLine(await runCli(['run-task', 'serve', '--dir', dir, '--port', '0'], { env: { CONNGATE_RUN_TASK_HMAC_KEY: '' } }),
      /^conngate: run-task: no HMAC key .*\(fix: .*openssl rand -hex 32/);
    oneLine(await runCli(['run-task', 'serve', '--dir', dir, '--port', '0'], { env: { CONNGATE_RUN_TASK_HMAC_KEY: 'short' } }), /shorter than 16 characters/);
  });

  it('run-task handle: a missing or unreadable payload is one line; a pre_plan request is passed with a note at the callback', async () => {
    oneLine(await runCli(['run-task', 'handle', '--dir', dir, '--payload', path.join(dir, 'nope.json')]), /--payload .*nope\.json: cannot read it \(ENOENT\)/);
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"payload_version": 2}');
    oneLine(await runCli(['run-task', 'handle', '--dir', dir, '--payload', bad]), /payload_version 2 is not supported/);
    hcp.tokens.add('tok');
    const req = path.join(dir, 'req.json');
    fs.writeFileSync(req, JSON.stringify({ payload_version: 1, access_token: 'tok', stage: 'pre_plan', task_result_id: 'taskrs-cli1',
      task_result_callback_url: hcp.callbackUrl('taskrs-cli1'), workspace_name: 'w', organization_name: 'o', workspace_id: 'ws-1', run_id: 'run-1' }));
    const r = await runCli(['run-task', 'handle', '--dir', dir, '--payload', req]);
    expect(r.code).toBe(0);
    expect(hcp.patchesFor('taskrs-cli1').map((p) => p.body.data.attributes.status)).toEqual(['passed']);
  });

  it('approve checks the candidate and the approver name before anything', async () => {
    oneLine(await runCli(['approve', 'staging', '--candidate', 'abc', '--approver', 'alice', '--dir', dir]), /--candidate "abc": is not a full SHA-256/);
    oneLine(await runCli(['approve', 'staging', '--candidate', 'a'.repeat(64), '--approver', 'alice\nbob', '--dir', dir]), /--approver "alice\\nbob": has characters other than/);
  });

  it('--override-policy needs a reason', async () => {
    oneLine(await runCli(['promote', 'dev', 'staging', '--override-policy', '--dir', dir, '--endpoint', 'http://127.0.0.1:9'], { env: { CONNGATE_EVIDENCE_KEY: 'k'.repeat(32) } }),
      /^conngate: --override-policy: an override needs a reason \(fix: pass --reason/);
  });
});
