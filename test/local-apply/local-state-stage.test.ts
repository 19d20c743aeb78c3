import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { emptyLocalState, fileStateStore, localStatePath, parseLocalState } from '../../local-apply/local-state';

describe('a stored local state names its stage', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-state-stage-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads back the state a stage wrote', async () => {
    const store = fileStateStore(dir);
    const dev = { ...emptyLocalState('dev'), resources: { 'aws_x.a': { type: 'aws_x', attributes: { id: 'dev-1' }, applied: {} } } };
    await store.write(dev);
    expect((await store.read('dev')).resources['aws_x.a'].attributes.id).toBe('dev-1');
  });

  it('refuses another stage\'s state instead of applying over its resources', async () => {
    const store = fileStateStore(dir);
    await store.write({ ...emptyLocalState('dev'), resources: { 'aws_x.a': { type: 'aws_x', attributes: { id: 'dev-1' }, applied: {} } } });
    // What a shared S3 backend key amounts to: prod's state place holds dev's state.
    fs.copyFileSync(localStatePath(dir, 'dev'), localStatePath(dir, 'prod'));
    const before = fs.readFileSync(localStatePath(dir, 'prod'), 'utf8');
    await expect(store.read('prod')).rejects.toThrow(/prod\.json: holds the state of stage "dev", not of "prod" \(fix: give each stage its own state/);
    expect(fs.readFileSync(localStatePath(dir, 'prod'), 'utf8')).toBe(before);
    expect(() => parseLocalState(before, 's3://b/k', 'prod')).toThrow(/^s3:\/\/b\/k: holds the state of stage "dev"/);
  });
});
