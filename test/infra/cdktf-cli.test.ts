import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readSynthSummary, StageSynthSummary } from '../../stacks/synth-summary';
import { makeTempProject, REPO_ROOT, THREE_BACKENDS_CONFIG } from './support/temp-project';
import { runProcess } from './support/run-process';

const CDKTF = path.join(REPO_ROOT, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf');
// `npm test` builds first; the CLI runs from dist/ like a user's install.
const CONNGATE = path.join(REPO_ROOT, 'bin', 'conngate.js');

// The real cdktf CLI, offline: it runs main.ts through tsx and writes one folder per stage.
describe('cdktf CLI', () => {
  it('`cdktf synth` writes cdktf.out/stacks/{dev,staging,prod}/cdk.tf.json for this project', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-cdktf-out-'));
    const result = await runProcess(process.execPath, [CDKTF, 'synth', '--output', out], { cwd: REPO_ROOT, env: { CHECKPOINT_DISABLE: '1' } });
    expect({ code: result.code, output: result.code === 0 ? '' : result.stdout + result.stderr }).toEqual({ code: 0, output: '' });
    for (const stage of ['dev', 'staging', 'prod']) {
      const file = path.join(out, 'stacks', stage, 'cdk.tf.json');
      expect(fs.existsSync(file)).toBe(true);
      const summary = readSynthSummary(out, stage);
      expect(summary.functionName).toBe(`conngate-${stage}-revocation-check`);
      expect(summary.awsProviderConstraint).toBe('>= 6.28.0, < 7.0.0');
    }
  }, 90_000);

  it('`conngate synth` runs cdktf synth and summarizes each stage (backends, association, candidate)', async () => {
    const dir = makeTempProject(THREE_BACKENDS_CONFIG, { cdktfJson: true });
    const r = await runProcess(process.execPath, [CONNGATE, 'synth', '--dir', dir, '--without-association', 'dev', '--json'], { cwd: dir });
    expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
    const summaries = JSON.parse(r.stdout) as StageSynthSummary[];
    expect(summaries.map((s) => s.stage)).toEqual(['dev', 'staging', 'prod']);
    const [dev, staging, prod] = summaries;
    expect(dev.functionAssociated).toBe(false);
    expect(staging.functionAssociated).toBe(true);
    expect(dev.backend).toEqual({ type: 'local', description: path.join(dir, 'terraform.dev.tfstate') });
    expect(staging.backend).toEqual({ type: 's3', description: 's3://acme-tfstate/conngate/staging/terraform.tfstate (eu-west-1, lockfile)' });
    expect(prod.backend).toEqual({ type: 'cloud', description: 'app.terraform.io organization acme workspace conngate-prod' });
    const fixtureSha = require('node:crypto').createHash('sha256').update(fs.readFileSync(path.join(dir, 'functions', 'revocation-check.js'))).digest('hex');
    expect(dev.candidateSha256).toBe(fixtureSha);
    expect(dev.resources).toEqual({
      aws_cloudfront_connection_function: 1,
      aws_cloudfront_distribution: 1,
      aws_cloudfront_key_value_store: 1,
      aws_cloudfront_trust_store: 1,
      aws_cloudfrontkeyvaluestore_key: 1,
    });
    expect(prod.resources).not.toHaveProperty('aws_cloudfront_trust_store');
    expect(fs.existsSync(path.join(dir, 'cdktf.out', 'stacks', 'prod', 'cdk.tf.json'))).toBe(true);
  }, 90_000);

  it('`conngate synth` rejects an unknown stage before synthesizing', async () => {
    const dir = makeTempProject(undefined, { cdktfJson: true });
    const r = await runProcess(process.execPath, [CONNGATE, 'synth', 'qa'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('conngate: stage "qa": no such stage (fix: use one of: dev, staging, prod (or add it to conngate.config.json))\n');
    expect(fs.existsSync(path.join(dir, 'cdktf.out'))).toBe(false);
  });

  it('`conngate synth` reports lint findings first, then an invalid function as one line naming the file and the fix', async () => {
    const dir = makeTempProject(undefined, { cdktfJson: true });
    fs.writeFileSync(path.join(dir, 'functions', 'revocation-check.js'), 'function connectionHandler(c) {\n  c.allow(;\n}\n');
    const r = await runProcess(process.execPath, [CONNGATE, 'synth'], { cwd: dir });
    expect(r.code).toBe(2);
    const last = r.stderr.trim().split('\n').pop();
    // Checked before cdktf runs: one line, and no cdktf output around it.
    expect(last).toBe('conngate: functions/revocation-check.js:2:11: connection function code does not parse as JavaScript: ' +
      'Unexpected token (fix: correct the syntax at line 2, column 11)');
    expect(r.stderr).not.toContain('running cdktf synth');
  }, 90_000);
});
