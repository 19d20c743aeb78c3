import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initProject } from '../../cli/init';
import { runCli } from '../support/conngate-cli';

// `conngate init` on the folders a bad day hands it: someone's project, a planted link, a file in the way.
describe('conngate init', () => {
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-init-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const listing = (d: string) => fs.readdirSync(d, { recursive: true }).map(String).sort();

  it('writes the project into a new folder, with a package.json that depends on conngate', () => {
    const dir = path.join(tmp, 'infra');
    const written = initProject(dir, false);
    expect(written).toEqual(expect.arrayContaining(['cdktf.json', 'main.ts', 'conngate.config.json', '.gitignore',
      '.github/workflows/conngate.yml', 'functions/revocation-check.js', 'functions/revocation-check.suite.json', 'package.json']));
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies.conngate).toMatch(/^\^\d/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.json'), 'utf8')).app).toBe('npx tsx main.ts');
  });

  it('keeps the package.json of a folder where conngate was just installed', () => {
    fs.writeFileSync(path.join(tmp, 'package.json'), '{"name":"mine","dependencies":{"conngate":"file:x.tgz"}}');
    fs.mkdirSync(path.join(tmp, 'node_modules'));
    initProject(tmp, false);
    expect(fs.readFileSync(path.join(tmp, 'package.json'), 'utf8')).toContain('"mine"');
  });

  it('refuses a non-empty folder in one line, exit 2, changing nothing', async () => {
    fs.writeFileSync(path.join(tmp, 'main.ts'), 'my own app');
    const before = listing(tmp);
    const r = await runCli(['init', tmp]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^conngate: conngate init .*: folder is not empty \(main\.ts\) \(fix: .*--force/)]);
    expect(listing(tmp)).toEqual(before);
    expect(fs.readFileSync(path.join(tmp, 'main.ts'), 'utf8')).toBe('my own app');
  });

  it('with --force replaces a symbolic link planted at a file it writes instead of writing through it', () => {
    const victim = path.join(tmp, 'victim.txt');
    fs.writeFileSync(victim, 'precious');
    const dir = path.join(tmp, 'p');
    fs.mkdirSync(dir);
    fs.symlinkSync(victim, path.join(dir, 'main.ts'));
    initProject(dir, true);
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
    expect(fs.lstatSync(path.join(dir, 'main.ts')).isSymbolicLink()).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'main.ts'), 'utf8')).toMatch(/from 'conngate'/);
  });

  it('refuses, before writing anything, a folder where a file goes or a file where the folder goes', () => {
    fs.mkdirSync(path.join(tmp, 'cdktf.json'));
    expect(() => initProject(tmp, true)).toThrow(/cdktf\.json is a folder where a file goes/);
    expect(listing(tmp)).toEqual(['cdktf.json']);
    const file = path.join(tmp, 'afile');
    fs.writeFileSync(file, 'x');
    expect(() => initProject(file, true)).toThrow(/is a file, not a folder/);
    const link = path.join(tmp, 'alink');
    fs.symlinkSync(tmp, link);
    expect(() => initProject(link, true)).toThrow(/is a symbolic link/);
  });
});
