import * as fs from 'node:fs';
import * as path from 'node:path';
import madge from 'madge';
import { backwardImports } from './layer-order';

/**
 * The top-level folders import in one direction (README, "How it fits together"): a folder may import the folders
 * before it in this list, never one after it, so each can be read knowing only what comes before it, and a lower
 * part (the emulator, the runtime) never depends on the pipeline that uses it. The root files (the package API and
 * the cdktf app) come last.
 */
const FOLDERS = ['diagnostics', 'host', 'framework', 'aws', 'revocation', 'runtime', 'fuzz', 'connection-logs', 'modules', 'stacks', 'iam',
  'emulator', 'edge', 'lint', 'orchestrator', 'local-apply', 'plan', 'doctor', 'setup', 'demo', 'integrations', 'cli', '(root)'];
/** Folders that hold no source of the package: tests, benchmarks, what `init` copies, examples, build output. */
const NOT_LAYERED = new Set(['test', 'bench', 'templates', 'examples', 'functions', 'node_modules', 'dist', 'cdktf.out', 'bin', 'docs']);
const ROOT = path.join(__dirname, '..', '..');

function folderOf(file: string): string | undefined {
  if (file.startsWith('..') || file.startsWith('node_modules/')) return undefined;
  const top = file.includes('/') ? file.split('/')[0] : '(root)';
  if (!FOLDERS.includes(top)) throw new Error(`${file} is in folder ${top}, which has no place in the folder order: add it to FOLDERS and the README`);
  return top;
}

describe('folder order', () => {
  it('no folder imports one after it in the order, and every source folder has a place in it', async () => {
    const folders = fs.readdirSync(ROOT, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !NOT_LAYERED.has(e.name)).map((e) => e.name);
    expect(folders.filter((f) => !FOLDERS.includes(f))).toEqual([]);
    const roots = fs.readdirSync(ROOT).filter((f) => f.endsWith('.ts')).map((f) => path.join(ROOT, f));
    const result = await madge([...folders.map((f) => path.join(ROOT, f)), ...roots], {
      fileExtensions: ['ts'], baseDir: ROOT, tsConfig: path.join(ROOT, 'tsconfig.json'),
      detectiveOptions: { ts: { skipTypeImports: false }, es6: { skipTypeImports: false } },
    });
    const graph = result.obj();
    expect(Object.keys(graph).length).toBeGreaterThan(200);
    expect(backwardImports(graph, FOLDERS, folderOf)).toEqual([]);
  });

  it('names an import from a lower folder to a higher one', () => {
    expect(backwardImports({ 'emulator/a.ts': ['orchestrator/b.ts', 'runtime/c.ts'], 'orchestrator/b.ts': ['emulator/a.ts'] }, FOLDERS, folderOf))
      .toEqual(['emulator/a.ts -> orchestrator/b.ts']);
  });
});
