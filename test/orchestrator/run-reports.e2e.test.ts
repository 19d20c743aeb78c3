import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { breakCandidate } from '../../demo/demo-flow';
import { useEmulatorProject } from '../support/emulator-project';

/** Debian's chromium, when installed (.ci/run installs it on CI machines). */
function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
    } catch { /* not this one */ }
  }
  return undefined;
}

function chromium(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', ...args],
      { timeout: 60_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

const reportFiles = (stdout: string) => ({
  markdown: stdout.match(/evidence: +(\S+)/)![1],
  junit: stdout.match(/junit: +(\S+)/)![1],
  html: stdout.match(/html: +(\S+)/)![1],
});

/**
 * A stage run's reports agree on what failed: after a candidate fails in DEVELOPMENT, the progress line, the
 * Markdown, the JUnit XML and the HTML page all call the suite step failed, and none calls it ok. The HTML page is
 * then opened in headless Chromium.
 */
describe('stage run reports', () => {
  const p = useEmulatorProject('conngate-reports');
  let good: { stdout: string; stderr: string };
  let broken: { code: number; stdout: string; stderr: string };
  let refused: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    const first = await p.cli('deploy', 'dev');
    if (first.code !== 0) throw new Error(`first deploy failed:\n${first.stdout}\n${first.stderr}`);
    good = first;
    fs.writeFileSync(p.fnFile, breakCandidate(fs.readFileSync(p.fnFile, 'utf8')));
    broken = await p.cli('deploy', 'dev');
    refused = await p.cli('promote', 'dev', 'staging');
  }, 240_000);

  it('a failed suite step is failed in progress, Markdown, JUnit and HTML alike', () => {
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/dev: failed-development/);
    // progress (plain lines in CI): the DEVELOPMENT suite step is marked failed, never ok
    expect(broken.stderr).toMatch(/!! dev: DEVELOPMENT: \d+\/\d+ cases passed/);
    expect(broken.stderr).not.toMatch(/ok dev: DEVELOPMENT: \d+\/\d+ cases passed/);
    const files = reportFiles(broken.stdout);
    const md = fs.readFileSync(files.markdown, 'utf8');
    expect(md).toMatch(/\| test DEVELOPMENT \| \*\*failed\*\* \|/);
    expect(md).not.toMatch(/\| test DEVELOPMENT \| ok \|/);
    expect(fs.readFileSync(files.junit, 'utf8')).toMatch(/<testsuite name="conngate.dev DEVELOPMENT" tests="\d+" failures="[1-9]\d*"/);
    const html = fs.readFileSync(files.html, 'utf8');
    expect(html).toMatch(/<tr class="bad"><td>test DEVELOPMENT<\/td><td>failed<\/td>/);
    expect(html).not.toMatch(/<td>test DEVELOPMENT<\/td><td>ok<\/td>/);
  });

  it('a verified run calls its suite steps ok everywhere', () => {
    const files = reportFiles(good.stdout);
    expect(good.stderr).toMatch(/ok dev: DEVELOPMENT: (\d+)\/\1 cases passed/);
    const where = `emulator ${p.emulator.endpoint} · account 123456789012 · region us-east-1 · stage dev`;
    expect(good.stdout).toContain(`  where: ${where}`);
    // Every report and the ledger line say where the run happened; an emulator run's page opens with the banner.
    expect(fs.readFileSync(files.markdown, 'utf8')).toContain(`> **EMULATOR RUN, NOT AWS**: ${where}`);
    expect(fs.readFileSync(files.junit, 'utf8')).toContain('<property name="conngate.endpointKind" value="emulator"/>');
    expect(fs.readFileSync(files.html, 'utf8')).toMatch(/<div class="emulator-banner" role="alert"><b>EMULATOR RUN, NOT AWS<\/b>/);
    const ledger = fs.readFileSync(path.join(p.dir, '.conngate', 'ledger.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(ledger.find((l) => l.event === 'verified').where).toEqual({ endpointKind: 'emulator', endpoint: p.emulator.endpoint, account: '123456789012', region: 'us-east-1', stage: 'dev' });
    expect(fs.readFileSync(files.markdown, 'utf8')).toMatch(/\| test LIVE \| ok \|/);
    expect(fs.readFileSync(files.html, 'utf8')).toMatch(/<td>test LIVE<\/td><td>ok<\/td>/);
  });

  it('the HTML page shows inputs, expected vs actual, timings, the diff against the previous LIVE, and links', () => {
    const files = reportFiles(broken.stdout);
    const html = fs.readFileSync(files.html, 'utf8');
    const goodSha = good.stdout.match(/candidate ([0-9a-f]{12}) is LIVE in dev/)![1];
    expect(html).toContain(`previous LIVE <code>${goodSha}</code>`);
    expect(html).toMatch(/candidate diff against the previous LIVE <code>[0-9a-f]{12}<\/code>: \+1 −1 lines/);
    expect(html).toContain('<span class="add">+ ');
    expect(html).toContain('kvs.exists(leaf.serialNumber)');
    // the suite's cases are built from certificates: their subjects and serials are shown
    expect(html).toMatch(/<td>[^<]*CN=[^<]+<\/td><td><code>[0-9a-f:]+<\/code><\/td><td>deny<\/td><td>allow<\/td>/);
    expect(html).toMatch(/FAIL: /);
    expect(html).toMatch(/Total: <b>1<\/b> run/);
    for (const f of [files.junit, files.markdown]) expect(html).toContain(`href="${path.basename(f)}"`);
    expect(html).toContain('href="../../ledger.jsonl"');
    expect(html).toContain('no revocation sync in this run');
  });

  it('a refused run names no function and no previous LIVE it never read', () => {
    expect(refused.code).toBe(1);
    const html = fs.readFileSync(reportFiles(refused.stdout).html, 'utf8');
    expect(html).toContain('function not reached');
    expect(html).not.toContain('function  ()');
    expect(html).toMatch(/<tr class="bad"><td>gate<\/td><td>failed<\/td>/);
    // JUnit too: a refused run is a failed test, never "0 tests"
    const junit = fs.readFileSync(reportFiles(refused.stdout).junit, 'utf8');
    expect(junit).toMatch(/<testsuites name="conngate.staging" tests="[1-9]\d*" failures="[1-9]\d*">/);
    expect(junit).toMatch(/<testcase classname="conngate.staging.steps" name="gate"[^>]*>\n\s+<failure message="[^"]*dev runs/);
  });

  it('status names the endpoint and account, with explicit nulls for what does not exist', async () => {
    const r = await p.cli('status', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ version: 1, endpoint: p.emulator.endpoint, account: '123456789012', endpointKind: 'emulator', region: 'us-east-1' });
    const dev = j.stages.find((s: { stage: string }) => s.stage === 'dev');
    const staging = j.stages.find((s: { stage: string }) => s.stage === 'staging');
    expect(dev.live).toMatch(/^[0-9a-f]{64}$/);
    expect(dev.evidence).toMatchObject({ result: expect.any(String), candidateSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect([dev.endpoint, dev.account]).toEqual([p.emulator.endpoint, '123456789012']);
    expect(staging).toEqual({ stage: 'staging', promotesFrom: 'dev', localCandidate: expect.stringMatching(/^[0-9a-f]{64}$/), functionName: null,
      development: null, live: null, liveStatus: null, evidence: null, verified: false, evidenceCheck: expect.any(String), gate: { open: false, reason: expect.any(String) },
      endpoint: p.emulator.endpoint, account: null, trustStore: null, endpointKind: 'emulator', region: 'us-east-1' });
    expect(dev.trustStore).toMatchObject({ status: 'active', reason: null });
    const table = await p.cli('status');
    expect(table.stdout.split('\n')[0]).toBe(`endpoint ${p.emulator.endpoint}, account 123456789012`);
    expect(table.stdout).toMatch(/^staging .*not deployed/m);
  });

  it('renders in headless Chromium', async () => {
    const bin = findChromium();
    if (!bin) {
      if (process.env.CI) throw new Error('chromium is not installed; .ci/run installs it (apt-get install -y chromium)');
      console.warn('skipping the Chromium rendering check: chromium is not installed (apt-get install -y chromium)');
      return;
    }
    const { html } = reportFiles(broken.stdout);
    const dom = await chromium(bin, ['--dump-dom', `file://${html}`]);
    expect(dom).toMatch(/<h1>conngate: dev failed-development/);
    expect(dom).toMatch(/<table class="cases">/);
    expect(dom).toContain('candidate diff against the previous LIVE');
    const png = path.join(path.dirname(html), 'report.png');
    await chromium(bin, [`--screenshot=${png}`, '--window-size=1280,1600', `file://${html}`]);
    const bytes = fs.readFileSync(png);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    // A blank page compresses to a few hundred bytes; the rendered report is tens of kilobytes.
    expect(bytes.length).toBeGreaterThan(10_000);
  }, 120_000);
});
