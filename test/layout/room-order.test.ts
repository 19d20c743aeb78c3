import * as fs from 'node:fs';
import * as path from 'node:path';
import madge from 'madge';
import { backwardImports } from './layer-order';

/**
 * orchestrator/'s rooms import in one direction only (orchestrator/README.md): a room may import the rooms before it
 * in this list, never one after it, so each room can be read knowing only what comes before it.
 */
const ROOMS = ['stage', 'suite', 'signing', 'records', 'evidence', 'policies', 'replay', 'reports', 'pipeline', 'cdktf'];
const ORCHESTRATOR = path.join(__dirname, '..', '..', 'orchestrator');

function roomOf(file: string): string | undefined {
  if (file.startsWith('..')) return undefined; // a file outside orchestrator/ that madge followed an import to
  const room = file.split('/')[0];
  if (!ROOMS.includes(room)) throw new Error(`orchestrator/${file} is in no room: put it in one of ${ROOMS.join(', ')}`);
  return room;
}

describe('orchestrator rooms', () => {
  it('every file is in a room, no room imports a later one, and none imports the CLI', async () => {
    const result = await madge(ORCHESTRATOR, { fileExtensions: ['ts'], baseDir: ORCHESTRATOR,
      detectiveOptions: { ts: { skipTypeImports: false }, es6: { skipTypeImports: false } } });
    const graph = result.obj();
    expect(Object.keys(graph).length).toBeGreaterThan(40);
    expect(fs.readdirSync(ORCHESTRATOR).filter((f) => f.endsWith('.ts'))).toEqual([]);
    expect(backwardImports(graph, ROOMS, roomOf)).toEqual([]);
    // The CLI sits on top of the orchestrator: what a command and the orchestrator share lives in the orchestrator.
    expect(Object.entries(graph).filter(([f]) => !f.startsWith('..')).flatMap(([f, deps]) => deps.filter((d) => d.startsWith('../cli/')).map((d) => `${f} -> ${d}`))).toEqual([]);
  });

  it('names an import from an earlier room to a later one', () => {
    expect(backwardImports({ 'stage/a.ts': ['pipeline/b.ts', '../diagnostics/c.ts'], 'pipeline/b.ts': ['stage/a.ts'] }, ROOMS, roomOf))
      .toEqual(['stage/a.ts -> pipeline/b.ts']);
  });
});
