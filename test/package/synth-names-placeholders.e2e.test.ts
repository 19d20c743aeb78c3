import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepareWorkdir } from '../../demo/demo-workdir';
import { PROJECT_DIR, runCli } from '../support/conngate-cli';

// `conngate synth` still synthesizes a project with placeholders (the emulator takes them), and names each one
// on stderr with its fix; `conngate test --local --json` prints one versioned object and nothing else on stdout.
describe('synth and test output for a new project', () => {
  let dir: string;
  beforeAll(() => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-synth-ph-')), 'p');
    prepareWorkdir(PROJECT_DIR, dir, { stages: { dev: { promotesFrom: null } } });
  });
  afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  it('synth names the origin and CA bundle placeholders, one line each, and still synthesizes', async () => {
    const r = await runCli(['synth', 'dev', '--dir', dir, '--output', path.join(dir, 'cdktf.out')]);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('conngate synth: placeholder:'))).toEqual([
      expect.stringMatching(/^conngate synth: placeholder: conngate\.config\.json stages\.dev\.origin\.domainName: origin "example\.com" is a placeholder \(fix: /),
      expect.stringMatching(/^conngate synth: placeholder: conngate\.config\.json stages\.dev\.mtls\.trustStore\.caBundle: no CA bundle configured .* \(fix: /),
    ]);
    expect(fs.existsSync(path.join(dir, 'cdktf.out', 'stacks', 'dev', 'cdk.tf.json'))).toBe(true);
  }, 180_000);

  it('test --local --json prints one conngate.run/1 object on stdout', async () => {
    const r = await runCli(['test', '--local', '--json', '--functions-dir', path.join(dir, 'functions')], { cwd: dir });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schema: 'conngate.run/1', command: 'test', outcome: 'passed', ok: true, failed: 0 });
    expect(doc.total).toBeGreaterThan(5);
    expect(doc.suites[0]).toMatchObject({ failed: 0, failures: [] });
  }, 120_000);
});
