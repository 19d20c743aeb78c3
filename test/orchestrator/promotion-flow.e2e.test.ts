import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetDistributionConfigCommand, ListTagsForResourceCommand } from '@aws-sdk/client-cloudfront';
import { candidateSha256 } from '../../orchestrator/stage/candidate';
import { readLedger } from '../../orchestrator/evidence/evidence';
import { useEmulatorProject } from '../support/emulator-project';

jest.setTimeout(300_000);

describe('conngate deploy / promote / verify / status against the emulator, through the CLI', () => {
  const p = useEmulatorProject('conngate-e2e');
  const { cli, cf, outputs } = p;
  const liveSha = async (stage: string) => (await p.live(stage)).sha256;

  it('first deploy of a new stage: apply without the association, test, publish, then associate', async () => {
    const r = await cli('deploy', 'dev');
    expect(r.stderr + r.stdout).toMatch(/first deploy/);
    expect(r.stdout).toMatch(/✔ dev: verified/);
    expect(r.code).toBe(0);
    const o = outputs().read('dev')!;
    const candidate = candidateSha256(fs.readFileSync(p.fnFile));
    expect(await liveSha('dev')).toBe(candidate);
    // The distribution now points at the (LIVE) function.
    const dist = await cf().send(new GetDistributionConfigCommand({ Id: o.distributionId! }));
    expect(dist.DistributionConfig?.ConnectionFunctionAssociation?.Id).toBe(o.functionId);
    // Evidence: tags on the function, a ledger line, JUnit and Markdown reports.
    const tags = await cf().send(new ListTagsForResourceCommand({ Resource: o.functionArn }));
    const tagMap = Object.fromEntries((tags.Tags?.Items ?? []).map((t) => [t.Key, t.Value]));
    expect(tagMap['conngate:candidate']).toBe(candidate);
    expect(tagMap['conngate:result']).toBe('passed');
    const ledger = readLedger(path.join(p.dir, '.conngate', 'ledger.jsonl'));
    expect(ledger.at(-1)).toMatchObject({ event: 'verified', stage: 'dev', candidateSha256: candidate });
    const junit = r.stdout.match(/junit: +(\S+)/)![1];
    expect(fs.readFileSync(junit, 'utf8')).toMatch(/<testsuite name="conngate.dev DEVELOPMENT" tests="\d+" failures="0"/);
  });

  it('promotes the verified candidate dev -> staging -> prod through the gates', async () => {
    expect((await cli('promote', 'dev', 'staging')).code).toBe(0);
    expect((await cli('promote', 'staging', 'prod')).code).toBe(0);
    const candidate = candidateSha256(fs.readFileSync(p.fnFile));
    for (const s of ['dev', 'staging', 'prod']) expect(await liveSha(s)).toBe(candidate);
    const status = await cli('status', '--json');
    expect(status.code).toBe(0);
    const rows = (JSON.parse(status.stdout) as { stages: { stage: string; verified: boolean; gate: { open: boolean } }[] }).stages;
    expect(rows.map((s) => [s.stage, s.verified, s.gate.open])).toEqual([['dev', true, true], ['staging', true, true], ['prod', true, true]]);
  });

  it('refuses a promotion when the upstream LIVE code is not this candidate, and changes nothing', async () => {
    fs.appendFileSync(p.fnFile, '\n// tuned log wording\n');
    const stagingBefore = await liveSha('staging');
    const r = await cli('promote', 'dev', 'staging');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/staging: refused: .*dev runs [0-9a-f]{12} in LIVE but this candidate is [0-9a-f]{12}/);
    expect(r.stdout).toMatch(/deploy this candidate to dev first/);
    expect(await liveSha('staging')).toBe(stagingBefore);
    expect(readLedger(path.join(p.dir, '.conngate', 'ledger.jsonl')).at(-1)).toMatchObject({ event: 'refused', stage: 'staging' });
  });

  it('an update passes dev and is promoted through every stage', async () => {
    const candidate = candidateSha256(fs.readFileSync(p.fnFile));
    for (const args of [['deploy', 'dev'], ['promote', 'dev', 'staging'], ['promote', 'staging', 'prod']]) {
      const r = await cli(...args);
      expect(`${args.join(' ')} -> ${r.code}\n${r.stdout}${r.stderr}`).toMatch(/-> 0\n/);
    }
    for (const s of ['dev', 'staging', 'prod']) expect(await liveSha(s)).toBe(candidate);
  });

  it('verify from an outputs file (Terraform applied elsewhere) converges without publishing again', async () => {
    const file = path.join(p.dir, 'staging-outputs.json');
    const all = JSON.parse(fs.readFileSync(path.join(p.dir, '.conngate', 'outputs.json'), 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ staging: all.staging }));
    const r = await cli('verify', 'staging', '--outputs', file);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/LIVE already runs [0-9a-f]{12}, verified in staging \(signed evidence of [^)]*\); not publishing again/);
  });

  it('stops a failing candidate in DEVELOPMENT and leaves LIVE unchanged', async () => {
    const before = await liveSha('dev');
    const good = fs.readFileSync(p.fnFile, 'utf8');
    fs.writeFileSync(p.fnFile, good.replace('await kvs.exists(serial)', 'await kvs.exists(leaf.serialNumber)'));
    const r = await cli('deploy', 'dev');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/dev: failed-development: \d+ of \d+ cases failed in DEVELOPMENT; LIVE was not changed/);
    expect(r.stdout).toMatch(/DEVELOPMENT ✖ canary serial is denied: expected deny, got allow/);
    expect(await liveSha('dev')).toBe(before);
    fs.writeFileSync(p.fnFile, good);
  });

  it('bad input: unknown stage, missing outputs, unreadable suite — one line each, non-zero, nothing changed', async () => {
    const unknown = await cli('deploy', 'qa');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/unknown stage "qa".*use one of: dev, staging, prod/);

    const missing = await cli('verify', 'dev', '--outputs', path.join(p.dir, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/nope.json: outputs file not found/);

    // A function file the stack refuses: the app's own one-line error comes through cdktf unchanged.
    const good = fs.readFileSync(p.fnFile, 'utf8');
    fs.writeFileSync(p.fnFile, `export ${good.slice(good.indexOf('async function connectionHandler'))}\n${good.slice(0, good.indexOf('async function connectionHandler'))}`);
    const refusedCode = await cli('deploy', 'dev');
    fs.writeFileSync(p.fnFile, good);
    expect(refusedCode.code).toBe(2);
    expect(refusedCode.stderr.trim().split('\n').at(-1)).toMatch(/revocation-check\.js:\d+: connection function code has an `export` statement.*\(fix: remove `export`/);

    const suite = path.join(p.dir, 'functions', 'revocation-check.suite.json');
    const saved = fs.readFileSync(suite, 'utf8');
    fs.writeFileSync(suite, '{ "cases": [ { "name": 1 } ] }');
    const before = await liveSha('dev');
    const bad = await cli('deploy', 'dev');
    fs.writeFileSync(suite, saved);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/revocation-check.suite.json/);
    expect(await liveSha('dev')).toBe(before);
  });
});
