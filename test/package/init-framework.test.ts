import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initProject } from '../../cli/init';
import { runCli } from '../support/conngate-cli';

const PEERS = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> }).peerDependencies;

// `conngate init --framework`: what each framework's project depends on, which one a folder already names, and the
// contradictions it refuses before writing anything.
describe('conngate init --framework', () => {
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-init-fw-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const pkg = (d: string) => JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string> };
  const listing = (d: string) => fs.readdirSync(d, { recursive: true }).map(String).sort();

  it('a new folder gets cdktn: its packages at conngate\'s peer ranges, and none of cdktf', () => {
    const dir = path.join(tmp, 'infra');
    initProject(dir, false);
    const deps = pkg(dir).dependencies;
    expect(Object.keys(deps).sort()).toEqual(['@cdktn/provider-aws', 'cdktn', 'cdktn-cli', 'conngate', 'constructs']);
    expect(deps.cdktn).toBe(PEERS.cdktn);
    expect(deps['@cdktn/provider-aws']).toBe(PEERS['@cdktn/provider-aws']);
    expect(fs.readFileSync(path.join(dir, 'main.ts'), 'utf8')).toMatch(/`cdktn deploy dev`[\s\S]*from 'cdktn'/);
    expect(fs.readFileSync(path.join(dir, 'main.ts'), 'utf8')).not.toMatch(/cdktf/);
    expect(fs.readFileSync(path.join(dir, '.github', 'workflows', 'conngate.yml'), 'utf8')).toContain('- run: npx cdktn synth');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.json'), 'utf8')).app).toBe('npx tsx main.ts');
  });

  it('--framework cdktf writes a cdktf project', () => {
    initProject(tmp, false, undefined, 'cdktf');
    expect(Object.keys(pkg(tmp).dependencies).sort()).toEqual(['@cdktf/provider-aws', 'cdktf', 'cdktf-cli', 'conngate', 'constructs']);
    expect(fs.readFileSync(path.join(tmp, 'main.ts'), 'utf8')).toMatch(/`cdktf deploy dev`/);
    expect(fs.readFileSync(path.join(tmp, '.github', 'workflows', 'conngate.yml'), 'utf8')).toContain('- run: npx cdktf synth');
  });

  it('without --framework takes the framework the folder\'s package.json names, and adds only what is missing', () => {
    fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: 'mine', dependencies: { conngate: 'file:x.tgz', cdktf: '0.21.0' }, devDependencies: { 'cdktf-cli': '0.21.0' } }));
    initProject(tmp, false);
    const doc = pkg(tmp);
    expect(doc.name).toBe('mine');
    expect(doc.dependencies).toEqual({ conngate: 'file:x.tgz', cdktf: '0.21.0', '@cdktf/provider-aws': PEERS['@cdktf/provider-aws'], constructs: PEERS.constructs });
  });

  it('refuses a --framework that contradicts package.json: one line, exit 2, nothing written', async () => {
    const before = JSON.stringify({ name: 'mine', dependencies: { conngate: 'file:x.tgz', cdktf: '0.21.0' } });
    fs.writeFileSync(path.join(tmp, 'package.json'), before);
    const r = await runCli(['init', tmp, '--framework', 'cdktn']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^conngate: conngate init .*: package\.json already depends on cdktf, not cdktn \(fix: .*From cdktf to cdktn/)]);
    expect(listing(tmp)).toEqual(['package.json']);
    expect(fs.readFileSync(path.join(tmp, 'package.json'), 'utf8')).toBe(before);
  });

  it('refuses an unknown framework and a package.json that is not JSON, writing nothing', async () => {
    const r = await runCli(['init', tmp, '--framework', 'pulumi']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['conngate: --framework: "pulumi" is not a framework conngate knows (fix: pass --framework cdktn or --framework cdktf)']);
    expect(listing(tmp)).toEqual([]);
    fs.writeFileSync(path.join(tmp, 'package.json'), '{ "name": "mine", ');
    expect(() => initProject(tmp, false)).toThrow(/package\.json: is not valid JSON/);
    expect(listing(tmp)).toEqual(['package.json']);
    fs.writeFileSync(path.join(tmp, 'package.json'), 'null\n');
    expect(() => initProject(tmp, false)).toThrow(/package\.json: is not a JSON object/);
    expect(listing(tmp)).toEqual(['package.json']);
    expect(fs.readFileSync(path.join(tmp, 'package.json'), 'utf8')).toBe('null\n');
  });
});
