import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import madge from 'madge';

/**
 * No source file may reach itself through its imports: a circle makes load order decide what a module sees (an
 * import that is still undefined), and it ties folders together so that none can be read alone. Type-only imports
 * count too: they are how layers leak into each other, even though they vanish from the JavaScript.
 */
const ROOT = path.join(__dirname, '..', '..');
/** Everything that is not tests, dependencies or build output. */
const NOT_SOURCE = new Set(['node_modules', 'dist', 'test', 'cdktf.out']);

const MADGE_OPTIONS = {
  fileExtensions: ['ts'],
  tsConfig: path.join(ROOT, 'tsconfig.json'),
  // Without this madge drops `import type` edges, and a circle through types passes unseen.
  detectiveOptions: { ts: { skipTypeImports: false }, es6: { skipTypeImports: false } },
};

function sourcePaths(): string[] {
  return fs.readdirSync(ROOT, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && !NOT_SOURCE.has(e.name))
    .filter((e) => e.isDirectory() || e.name.endsWith('.ts'))
    .map((e) => path.join(ROOT, e.name));
}

async function circlesIn(paths: string[], baseDir: string): Promise<string[][]> {
  const result = await madge(paths, { ...MADGE_OPTIONS, baseDir });
  return result.circular();
}

describe('import circles', () => {
  it('the source tree has none, type-only imports included', async () => {
    const paths = sourcePaths();
    expect(paths).toEqual(expect.arrayContaining([path.join(ROOT, 'orchestrator'), path.join(ROOT, 'cli'), path.join(ROOT, 'index.ts')]));
    const result = await madge(paths, { ...MADGE_OPTIONS, baseDir: ROOT });
    // A check that read nothing would pass: the tree must have been read, and through its type-only imports.
    expect(Object.keys(result.obj()).length).toBeGreaterThan(200);
    expect(result.circular()).toEqual([]);
  });

  it('finds a circle made of value imports and one made of type-only imports', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-circle-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b';\nexport const a = (): number => b() + 1;\n");
      fs.writeFileSync(path.join(dir, 'b.ts'), "import { a } from './a';\nexport const b = (): number => a() - 1;\n");
      fs.writeFileSync(path.join(dir, 'c.ts'), "import type { D } from './d';\nexport interface C { d?: D }\n");
      fs.writeFileSync(path.join(dir, 'd.ts'), "import type { C } from './c';\nexport interface D { c?: C }\n");
      fs.writeFileSync(path.join(dir, 'e.ts'), "import { a } from './a';\nexport const e = a;\n");
      const circles = (await circlesIn([dir], dir)).map((c) => [...c].sort());
      expect(circles).toHaveLength(2);
      expect(circles).toEqual(expect.arrayContaining([['a.ts', 'b.ts'], ['c.ts', 'd.ts']]));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
