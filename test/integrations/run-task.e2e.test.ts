import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateConnectionFunctionCommand, DescribeKeyValueStoreCommand, UpdateConnectionFunctionCommand } from '@aws-sdk/client-cloudfront';
import { createCloudFrontClient } from '../../aws/clients';
import { startEmulator, type RunningEmulator } from '../../emulator';
import type { JobResult } from '../../integrations/run-task/post-apply-job';
import type { RunTaskRequest } from '../../integrations/run-task/request-payload';
import { startRunTaskServer, type RunningRunTaskServer } from '../../integrations/run-task/server';
import { signBody } from '../../integrations/run-task/signature';
import { candidateSha256 } from '../../orchestrator/stage/candidate';
import { setupPipeline } from '../../setup/pipeline-setup';
import { prepareWorkdir } from '../../demo/demo-workdir';
import { readFunctionStage, tryReadFunctionStage } from '../../orchestrator/stage/function-stages';
import { runStagePipeline } from '../../orchestrator/pipeline/pipeline';
import { formatStageOutputs } from '../../orchestrator/stage/stage-outputs';
import { PROJECT_DIR } from '../support/conngate-cli';
import { TEST_EVIDENCE_KEY } from '../support/emulator-project';
import { HcpTerraformStandIn } from '../support/hcp-terraform-standin';

jest.setTimeout(300_000);

const HMAC_KEY = 'run-task-test-hmac-key-0123456789';
const WS_ID = 'ws-devWORKSPACE1';

/**
 * The post-apply run task end to end: HCP Terraform is a loopback stand-in of its API, CloudFront the emulator,
 * the pipeline the real verify pipeline. Each request is POSTed to the run task server as HCP Terraform would.
 */
describe('HCP Terraform run task', () => {
  let emulator: RunningEmulator;
  let hcp: HcpTerraformStandIn;
  let server: RunningRunTaskServer;
  let dir: string;
  const done = new Map<string, JobResult>();
  const logs: string[] = [];
  let n = 0;

  const config = (cloud: boolean) => ({
    stages: {
      dev: cloud ? { backend: { type: 'cloud', organization: 'acme', workspace: 'conngate-dev' } } : {},
      staging: {},
    },
  });

  function request(over: Partial<Record<string, unknown>> = {}): { body: string; id: string } {
    const id = `taskrs-test${++n}`;
    hcp.tokens.add(`token-${id}`);
    const body = JSON.stringify({
      payload_version: 1, access_token: `token-${id}`, stage: 'post_apply', is_speculative: false,
      task_result_id: id, task_result_enforcement_level: 'mandatory', task_result_callback_url: hcp.callbackUrl(id),
      run_app_url: 'https://app.terraform.io/app/acme/conngate-dev/runs/run-1', run_id: `run-${n}`, run_message: 'apply',
      run_created_at: new Date().toISOString(), run_created_by: 'someone', workspace_id: WS_ID, workspace_name: 'conngate-dev',
      workspace_app_url: 'https://app.terraform.io/app/acme/conngate-dev', organization_name: 'acme', vcs_repo_url: null,
      ...over,
    });
    return { body, id: JSON.parse(body).task_result_id };
  }

  async function post(body: string, signature: string | null = signBody(HMAC_KEY, Buffer.from(body))): Promise<{ status: number; text: string }> {
    const res = await fetch(server.url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...(signature !== null ? { 'x-tfc-task-signature': signature } : {}) } });
    return { status: res.status, text: await res.text() };
  }

  async function devFunction() {
    const cf = createCloudFrontClient({ endpoint: emulator.endpoint, region: 'us-east-1' });
    const outputs = JSON.parse(fs.readFileSync(path.join(dir, '.conngate', 'outputs.json'), 'utf8')).dev;
    return { cf, id: outputs.function_id as string };
  }

  /** Puts `code` in dev's DEVELOPMENT stage, as the Terraform apply of a new candidate does. */
  async function applyToDevelopment(code: string): Promise<void> {
    const { cf, id } = await devFunction();
    const dev = await readFunctionStage(cf, id, 'DEVELOPMENT');
    await cf.send(new UpdateConnectionFunctionCommand({ Id: id, IfMatch: dev.etag, ConnectionFunctionConfig: dev.summary.ConnectionFunctionConfig, ConnectionFunctionCode: Buffer.from(code) }));
  }

  async function liveSha(): Promise<string> {
    const { cf, id } = await devFunction();
    return (await readFunctionStage(cf, id, 'LIVE')).sha256;
  }

  beforeAll(async () => {
    process.env.CONNGATE_EVIDENCE_KEY = TEST_EVIDENCE_KEY;
    emulator = await startEmulator({ port: 0 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-run-task-'));
    prepareWorkdir(PROJECT_DIR, dir, config(false));
    // dev is first deployed as usual; afterwards its state lives in the HCP Terraform workspace conngate-dev.
    const setup = setupPipeline({ dir, stateDir: '.conngate', endpoint: emulator.endpoint, concurrency: '8', rate: '0', liveSuite: 'smoke', quiet: true });
    expect((await runStagePipeline(setup.ctx, 'dev', setup.makeApplier())).outcome).toBe('verified');
    fs.writeFileSync(path.join(dir, 'conngate.config.json'), JSON.stringify(config(true)));
    hcp = new HcpTerraformStandIn();
    await hcp.start();
    hcp.outputs.set(WS_ID, formatStageOutputs(setup.ctx.outputs.read('dev')!));
    server = await startRunTaskServer({
      dir, stateDir: '.conngate', endpoint: emulator.endpoint, liveSuite: 'smoke', hmacKey: HMAC_KEY, host: '127.0.0.1', port: 0,
      publicUrl: 'https://conngate.example.com', api: { timeoutMs: 1500, attempts: 2, backoffMs: 50 },
      log: (l) => logs.push(l), onJobDone: (req: RunTaskRequest, r) => done.set(req.taskResultId, r),
    });
  });
  afterAll(async () => {
    await server?.close();
    await hcp?.close();
    await emulator?.close();
    delete process.env.CONNGATE_EVIDENCE_KEY;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses unsigned, forged and re-bodied requests before reading them, and starts nothing', async () => {
    const { body, id } = request();
    expect((await post(body, null)).status).toBe(401);
    expect((await post(body, '')).status).toBe(401);
    expect((await post(body, signBody('another-key-0123456789abcdef', Buffer.from(body)))).status).toBe(403);
    expect((await post(body, 'zz'.repeat(64))).status).toBe(403);
    const good = signBody(HMAC_KEY, Buffer.from(body));
    expect((await post(body.replace('"post_apply"', '"pre_plan"'), good)).status).toBe(403); // a signature is for exact bytes
    expect((await post(body, good.slice(0, 64))).status).toBe(403);
    await server.idle();
    expect(hcp.patchesFor(id)).toHaveLength(0);
    expect(hcp.outputReads).toHaveLength(0);
  });

  it('answers the verification request (access token "test-token") with 200 and does nothing else', async () => {
    const { body, id } = request({ access_token: 'test-token' });
    const r = await post(body);
    expect(r.status).toBe(200);
    await server.idle();
    expect(hcp.patchesFor(id)).toHaveLength(0);
    expect(done.has(id)).toBe(false);
  });

  it('refuses a signed request that is not a run task payload (422) and a callback URL that would leak the token', async () => {
    expect((await post(JSON.stringify({ payload_version: 2 }))).status).toBe(422);
    expect((await post(request({ task_result_callback_url: 'http://evil.example/cb' }).body)).status).toBe(422);
  });

  it('passes other run stages at once with a note', async () => {
    const { body, id } = request({ stage: 'pre_plan' });
    expect((await post(body)).status).toBe(200);
    await server.idle();
    const [p] = hcp.patchesFor(id);
    expect(p.body.data.attributes.status).toBe('passed');
    expect(p.body.data.attributes.message).toMatch(/post_apply; nothing to check at pre_plan/);
  });

  it('post_apply: answers 200 at once, reads the outputs, verifies the applied candidate and reports running then passed with one outcome per case', async () => {
    const code = fs.readFileSync(path.join(dir, 'functions', 'revocation-check.js'), 'utf8') + '\n// a new candidate\n';
    await applyToDevelopment(code);
    const { body, id } = request();
    const r = await post(body);
    expect(r.status).toBe(200);
    expect(done.has(id)).toBe(false); // acknowledged before the work
    await server.idle();
    expect(hcp.outputReads).toContain(WS_ID);
    const patches = hcp.patchesFor(id);
    for (const p of patches) {
      expect(p.contentType).toBe('application/vnd.api+json');
      expect(p.authorization).toBe(`Bearer token-${id}`);
      expect(p.body.data.type).toBe('task-results');
    }
    expect(patches.slice(0, -1).map((p) => p.body.data.attributes.status)).toEqual(['running', 'running']);
    const final = patches[patches.length - 1].body.data;
    expect(final.attributes.status).toBe('passed');
    expect(final.attributes.message).toMatch(/conngate dev: verified/);
    expect(final.attributes.url).toBe(`https://conngate.example.com/reports/${id}/report.html`);
    const outcomes = final.relationships.outcomes.data;
    const cases = done.get(id)!.report!.development!.total + done.get(id)!.report!.live!.total;
    expect(outcomes.length).toBe(Math.min(cases, 10)); // HCP Terraform shows at most 10 outcomes
    if (cases > 10) expect(final.attributes.message).toMatch(new RegExp(`${cases - 10} more cases in the report`));
    for (const o of outcomes) {
      expect(o.type).toBe('task-result-outcomes');
      expect(o.attributes['outcome-id']).toMatch(/^conngate-(development|live)-\d+$/);
      expect(o.attributes.tags.Status[0]).toEqual({ label: 'Passed', level: 'none' });
      expect(o.attributes.tags.Severity).toHaveLength(1);
      expect(o.attributes.body).toMatch(/case `/);
    }
    expect(await liveSha()).toBe(candidateSha256(code));
    // The linked report is served by the run task server.
    const page = await fetch(`${server.url}/reports/${id}/report.html`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/conngate: dev verified/);
    expect((await fetch(`${server.url}/reports/..%2f..%2fconngate.config.json/report.html`)).status).toBe(404);
    // HCP Terraform retrying a delivered request does not start a second verify.
    const before = hcp.patchesFor(id).length;
    expect(await post(body)).toEqual({ status: 200, text: 'already accepted\n' });
    await server.idle();
    expect(hcp.patchesFor(id)).toHaveLength(before);
  });

  it('a failing suite reports failed with the failing cases tagged as errors, and LIVE keeps the verified code', async () => {
    const before = await liveSha();
    const good = fs.readFileSync(path.join(dir, 'functions', 'revocation-check.js'), 'utf8');
    const broken = good.replace('await kvs.exists(serial)', 'false');
    expect(broken).not.toBe(good);
    await applyToDevelopment(broken);
    const { body, id } = request();
    expect((await post(body)).status).toBe(200);
    await server.idle();
    const final = hcp.patchesFor(id).at(-1)!.body.data;
    expect(final.attributes.status).toBe('failed');
    const failed = final.relationships.outcomes.data.filter((o: any) => o.attributes.tags.Status[0].label === 'Failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const o of failed) expect(o.attributes.tags.Severity[0].level).toBe('error');
    expect(await liveSha()).toBe(before);
  });

  it('a workspace whose outputs name another stage\'s function fails the task: nothing is tested or published', async () => {
    const { cf } = await devFunction();
    const saved = hcp.outputs.get(WS_ID)!;
    const devStore = await cf.send(new DescribeKeyValueStoreCommand({ Name: 'conngate-dev-revoked-serials' }));
    const other = (await cf.send(new CreateConnectionFunctionCommand({ Name: 'conngate-prod-revocation-check',
      ConnectionFunctionConfig: { Comment: 'prod', Runtime: 'cloudfront-js-2.0', KeyValueStoreAssociations: { Quantity: 1, Items: [{ KeyValueStoreARN: devStore.KeyValueStore!.ARN! }] } },
      ConnectionFunctionCode: Buffer.from(fs.readFileSync(path.join(dir, 'functions', 'revocation-check.js'), 'utf8').replace('await kvs.exists(serial)', 'false')) }))).ConnectionFunctionSummary!;
    hcp.outputs.set(WS_ID, { ...saved, function_id: other.Id, function_arn: other.ConnectionFunctionArn, function_name: other.Name });
    try {
      const { body, id } = request();
      expect((await post(body)).status).toBe(200);
      await server.idle();
      const final = hcp.patchesFor(id).at(-1)!.body.data;
      expect(final.attributes.status).toBe('failed');
      expect(final.attributes.message).toMatch(/identity: refused: .* names function conngate-prod-revocation-check \(.*\), but the dev stage's function is conngate-dev-revocation-check/);
      expect(await tryReadFunctionStage(cf, other.Id!, 'LIVE')).toBeUndefined();
    } finally {
      hcp.outputs.set(WS_ID, saved);
    }
  });

  it('a workspace no stage names fails the task without verifying anything', async () => {
    const { body, id } = request({ workspace_name: 'someone-else', workspace_id: 'ws-other' });
    expect((await post(body)).status).toBe(200);
    await server.idle();
    const final = hcp.patchesFor(id).at(-1)!.body.data;
    expect(final.attributes.status).toBe('failed');
    expect(final.attributes.message).toMatch(/no stage .* cloud backend acme\/someone-else/);
    expect(hcp.outputReads).not.toContain('ws-other');
  });

  it('a callback server that never answers: every PATCH gives up at its deadline, the job ends, the server keeps serving', async () => {
    const { body, id } = request({ stage: 'pre_apply' });
    hcp.hang.add(id);
    expect((await post(body)).status).toBe(200);
    await server.idle();
    expect(done.get(id)).toMatchObject({ status: 'passed', delivered: false });
    expect(hcp.patchesFor(id)).toHaveLength(2); // attempts: 2
    expect(logs.join('\n')).toMatch(new RegExp(`${id}: could not report "passed": PATCH .* no answer within 1500 ms`));
    const ping = request({ access_token: 'test-token' });
    expect((await post(ping.body)).status).toBe(200);
  });

  it('an access token the API refuses (401) fails the job without retrying', async () => {
    const { body, id } = request();
    hcp.tokens.delete(`token-${id}`);
    expect((await post(body)).status).toBe(200);
    await server.idle();
    expect(done.get(id)).toMatchObject({ status: 'failed', delivered: false });
    expect(hcp.patchesFor(id)).toHaveLength(0);
  });
});
