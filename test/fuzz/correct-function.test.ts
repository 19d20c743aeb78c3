import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUILT_IN_PROPERTIES } from '../../fuzz/fuzz-properties';
import { runFuzz } from '../../fuzz/fuzz-run';
import { sampleRevokedInput } from '../../fuzz/revoked-input';
import { stopSandboxWorkers } from '../../runtime';
import { loadSuite } from '../../runtime/suite';
import { DEFAULT_CANARY_SERIAL } from '../../revocation/canonical-serial';

afterAll(() => stopSandboxWorkers());

describe('conngate fuzz on a correct function', () => {
  it('functions/revocation-check.js breaks no property in 100,000 cases', async () => {
    const functionFile = path.join(__dirname, '..', '..', 'functions', 'revocation-check.js');
    const suite = loadSuite(functionFile.replace(/\.js$/, '.suite.json'));
    const properties = [...BUILT_IN_PROPERTIES, ...suite.properties.map((p) => p.name)];
    expect(suite.properties.length).toBeGreaterThan(0);
    const r = await runFuzz({
      functionFile, code: fs.readFileSync(functionFile, 'utf8'), suite, cases: 100_000, seed: 20261207, now: new Date('2026-12-01T00:00:00Z'),
      properties, revoked: sampleRevokedInput(suite, DEFAULT_CANARY_SERIAL),
    });
    expect(r.finding).toBeUndefined();
    expect(r.casesRun).toBe(100_000);
    expect(r.properties).toEqual(properties);
  }, 300_000);
});
