import * as fs from 'node:fs';
import * as path from 'node:path';
import { useEmulatorProject } from '../support/emulator-project';

jest.setTimeout(600_000);

// The stage config's fuzz step runs in deploy before anything is published, against the stage's own revoked set
// (read from its KeyValueStore through the SDK clients): a candidate that passes its suite but breaks a property
// stays out of LIVE, and the reports carry the shrunk counterexample and its suite case.
describe('stage config fuzz: the deploy gate', () => {
  const p = useEmulatorProject('conngate-fuzz-gate');
  const writeConfig = (stages: object) => fs.writeFileSync(path.join(p.dir, 'conngate.config.json'), JSON.stringify({ stages }, null, 2));

  it('a correct candidate is published; one that keeps leading zeros passes its suite but is stopped by the fuzz step', async () => {
    writeConfig({ dev: { promotesFrom: null, fuzz: { cases: 3000 } } });
    const good = await p.cli('deploy', 'dev');
    expect(`${good.code}\n${good.stdout}\n${good.stderr}`).toMatch(/^0\n/);
    expect(`${good.stdout}${good.stderr}`).toMatch(/no property broken in 3000 generated connections \(seed -?\d+, revoked set: 1 serials\)/);
    const liveBefore = await p.live('dev');

    // Every remote case of the suite still passes (the canary is never spelled with extra zeros there).
    fs.copyFileSync(path.join(__dirname, 'fixtures', 'serial-leading-zeros.js'), p.fnFile);
    const bad = await p.cli('deploy', 'dev', '--json');
    expect(bad.code).toBe(1);
    const run = JSON.parse(bad.stdout) as { outcome: string; published: boolean; development: { failed: number }; fuzz: { ok: boolean; finding: { property: string; counterexample: { clientCertificate: { certificates: { leaf: { serialNumber: string } } } }; suiteCase: { store: Record<string, string> } } }; reports: { markdown: string; html: string } };
    expect(run.outcome).toBe('failed-development');
    expect(run.published).toBe(false);
    expect(run.development.failed).toBe(0);
    expect(run.fuzz.ok).toBe(false);
    expect(run.fuzz.finding.property).toBe('revoked-denied');
    // The stage's revoked set is its canary: found in a spelling with extra leading zeros.
    expect(run.fuzz.finding.counterexample.clientCertificate.certificates.leaf.serialNumber).toMatch(/^00:00:0b:ad:c0:de:0b:ad:c0:de$/);
    expect(run.fuzz.finding.suiteCase.store).toEqual({ '0badc0de0badc0de': expect.any(String) });
    expect((await p.live('dev')).sha256).toBe(liveBefore.sha256);
    const markdown = fs.readFileSync(run.reports.markdown, 'utf8');
    expect(markdown).toContain('**FAIL**: property `revoked-denied` broken');
    expect(markdown).toContain('"serialNumber": "00:00:0b:ad:c0:de:0b:ad:c0:de"');
    // The command to run the same cases again names the stage: its revoked set decided them, not the sample one.
    expect(markdown).toMatch(/replay `conngate fuzz \S+ --stage dev --seed -?\d+ --now \S+ --cases \d+ --properties \S+`/);
    expect(fs.readFileSync(run.reports.html, 'utf8')).toContain('suite case (add it with <code>conngate fuzz --save</code>)');
  });

  it('an unknown property in the stage config is bad input: one line, exit 2, nothing changed', async () => {
    writeConfig({ dev: { promotesFrom: null, fuzz: { cases: 100, properties: ['revoked-denied', 'no-such-property'] } } });
    const liveBefore = await p.live('dev');
    const r = await p.cli('deploy', 'dev');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/conngate: conngate\.config\.json stages\.dev\.fuzz\.properties: unknown property "no-such-property" \(fix: use one of: .*\)\n$/);
    expect((await p.live('dev')).sha256).toBe(liveBefore.sha256);
  });
});

describe('conngate fuzz --stage', () => {
  const p = useEmulatorProject('conngate-fuzz-stage');

  it('fuzzes the stage\'s function against the revoked set in its KeyValueStore, read through the SDK clients', async () => {
    fs.writeFileSync(path.join(p.dir, 'conngate.config.json'), JSON.stringify({ stages: { dev: { promotesFrom: null } } }));
    expect((await p.cli('deploy', 'dev')).code).toBe(0);
    const good = await p.cli('fuzz', '--stage', 'dev', '--cases', '1000', '--seed', '3');
    expect(`${good.code}\n${good.stdout}\n${good.stderr}`).toMatch(/^0\n/);
    expect(good.stdout).toMatch(/revoked set: 1 serials from the KeyValueStore of stage dev/);
    expect(good.stdout).toMatch(/PASS: no property broken in 1,000 cases/);
    fs.copyFileSync(path.join(__dirname, 'fixtures', 'serial-leading-zeros.js'), p.fnFile);
    const bad = await p.cli('fuzz', '--stage', 'dev', '--cases', '1000', '--seed', '3');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAIL: property revoked-denied broken/);
    // The printed command meets the same case again: it names the stage, whose revoked set the finding needs.
    const again = bad.stdout.match(/^ {2}replay: conngate fuzz (.+)$/m)![1].split(' ');
    expect(again).toContain('--stage');
    const rerun = await p.cli('fuzz', ...again);
    expect(rerun.code).toBe(1);
    expect(rerun.stdout.match(/FAIL: property revoked-denied broken by case \d+/)![0]).toBe(bad.stdout.match(/FAIL: property revoked-denied broken by case \d+/)![0]);
    const missing = await p.cli('fuzz', '--stage', 'nope');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^conngate: stage "nope": no such stage/);
  });
});
