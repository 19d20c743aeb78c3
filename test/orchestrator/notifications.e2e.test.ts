import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runStagePipeline, type PipelineContext } from '../../orchestrator/pipeline/pipeline';
import { silentProgress } from '../../orchestrator/reports/progress';
import { settleNotifications } from '../../orchestrator/reports/stage-notifier';
import { campaignOnEmulator } from '../faults/campaign-emulator';

jest.setTimeout(300_000);

/** A loopback webhook receiver: answers each request with the next scripted status ('hang' = never answers). */
class Receiver {
  readonly bodies: any[] = [];
  script: (number | 'hang')[] = [];
  private server!: http.Server;
  private readonly hung: http.ServerResponse[] = [];
  url = '';
  async start() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        this.bodies.push(JSON.parse(Buffer.concat(chunks).toString()));
        const next = this.script.shift() ?? 200;
        if (next === 'hang') this.hung.push(res);
        else res.writeHead(next).end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }
  async close() {
    for (const r of this.hung) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

describe('stage notifications', () => {
  const env = campaignOnEmulator('conngate-notify');
  let hook: Receiver;
  const warnings: string[] = [];
  const run = (stage: string, over: Partial<PipelineContext> = {}) => runStagePipeline({
    ...env.p.context(), notify: { timeoutMs: 300, attempts: 3, backoffMs: 20, warn: (l) => warnings.push(l) }, ...over,
  }, stage, env.p.applier());

  beforeAll(async () => {
    hook = new Receiver();
    await hook.start();
    env.p.spec('dev').notify = { url: hook.url };
    env.p.spec('staging').notify = { url: hook.url, format: 'slack' };
  });
  afterAll(async () => {
    await settleNotifications();
    await hook?.close();
  });
  beforeEach(() => { hook.bodies.length = 0; warnings.length = 0; hook.script = []; });

  it('delivers a JSON event when a stage is verified', async () => {
    const r = await run('dev');
    expect(r.outcome).toBe('verified');
    await settleNotifications();
    expect(hook.bodies).toEqual([expect.objectContaining({ event: 'verified', stage: 'dev', outcome: 'verified', candidateSha256: r.candidateSha256 })]);
    expect(warnings).toEqual([]);
  });

  it('retries after 500s and delivers once the receiver recovers', async () => {
    hook.script = [500, 503, 200];
    expect((await run('dev')).outcome).toBe('verified');
    await settleNotifications();
    expect(hook.bodies).toHaveLength(3);
    expect(warnings).toEqual([]);
  });

  it('a receiver that hangs neither blocks nor fails the run; delivery gives up at its deadline with one warning', async () => {
    hook.script = ['hang', 'hang', 'hang'];
    const r = await run('dev');
    expect(r.outcome).toBe('verified');
    await settleNotifications();
    expect(hook.bodies).toHaveLength(3);
    expect(warnings).toEqual([expect.stringMatching(/^conngate: dev: notification to 127\.0\.0\.1:\d+ not delivered: no answer within 300 ms$/)]);
  });

  it('a 4xx is not retried', async () => {
    hook.script = [404];
    await run('dev');
    await settleNotifications();
    expect(hook.bodies).toHaveLength(1);
    expect(warnings[0]).toMatch(/not delivered: HTTP 404/);
  });

  it('sends a Slack-compatible body for a refused promotion, and a failed event for a failing candidate', async () => {
    env.p.spec('staging').promotion = { soakMinutes: 60 };
    expect((await run('staging')).outcome).toBe('refused');
    delete env.p.spec('staging').promotion;
    await settleNotifications();
    expect(hook.bodies).toEqual([{ text: expect.stringMatching(/^:no_entry: conngate staging: refused \(candidate [0-9a-f]{12}\): .*soak/) }]);
    hook.bodies.length = 0;
    const good = fs.readFileSync(env.p.fnFile, 'utf8');
    fs.writeFileSync(env.p.fnFile, good.replace('await kvs.exists(serial)', 'false'));
    try {
      const r = await run('dev');
      expect(r.outcome).toBe('failed-development');
    } finally {
      fs.writeFileSync(env.p.fnFile, good);
    }
    await settleNotifications();
    expect(hook.bodies).toEqual([expect.objectContaining({ event: 'failed', outcome: 'failed-development', stage: 'dev' })]);
  });

  it('a run that ends by throwing its failure (a publish that lost the ETag race) is told too', async () => {
    const good = fs.readFileSync(env.p.fnFile, 'utf8');
    fs.writeFileSync(env.p.fnFile, good + '\n// racing candidate\n');
    // Another writer moves DEVELOPMENT's ETag the moment this run starts publishing.
    const progress = { ...silentProgress, start: (text: string) => { if (/publishing/.test(text)) env.emulator.setFaults({ concurrentWriteRate: 1 }); } };
    try {
      await expect(run('dev', { progress })).rejects.toThrow(/nothing was published/);
    } finally {
      env.emulator.setFaults({});
      fs.writeFileSync(env.p.fnFile, good);
    }
    await settleNotifications();
    expect(hook.bodies).toEqual([expect.objectContaining({ event: 'failed', outcome: 'failed', stage: 'dev', message: expect.stringMatching(/nothing was published/) })]);
  });
});
