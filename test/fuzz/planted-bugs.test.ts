import * as fs from 'node:fs';
import * as path from 'node:path';
import { canonicalSerial } from '../../revocation/canonical-serial';
import { DEFAULT_FUZZ_CASES, runFuzz, type FuzzReport } from '../../fuzz/fuzz-run';
import { selectProperties } from '../../fuzz/property-selection';
import { sampleRevokedInput } from '../../fuzz/revoked-input';
import { CONNECTION_DEFAULTS } from '../../runtime/payload';
import { loadSuite } from '../../runtime/suite';
import { stopSandboxWorkers } from '../../runtime';
import { DEFAULT_CANARY_SERIAL } from '../../revocation/canonical-serial';

/**
 * Each fixture is a connection function with one planted bug. The fuzzer must find it within the default number of
 * cases and shrink it to the counterexample asserted here: the one field that matters bent, everything else at its
 * simplest (the documented example values).
 */
const FIXTURES = path.join(__dirname, 'fixtures');
const NOW = new Date('2026-12-01T00:00:00Z');

async function fuzz(name: string, seed: number, skip: string[] = []): Promise<FuzzReport> {
  const functionFile = path.join(FIXTURES, `${name}.js`);
  const suite = loadSuite(path.join(FIXTURES, `${name}.suite.json`));
  return runFuzz({
    functionFile, code: fs.readFileSync(functionFile, 'utf8'), suite, cases: DEFAULT_FUZZ_CASES, seed, now: NOW,
    properties: selectProperties(suite, { skip }, { only: '--properties', skip: '--skip' }),
    revoked: sampleRevokedInput(suite, DEFAULT_CANARY_SERIAL),
  });
}

interface Leaf { subject: string; issuer: string; serialNumber: string; san: string }
const leafOf = (c: Record<string, unknown>) => (c.clientCertificate as { certificates: { leaf: Leaf } } | undefined)?.certificates.leaf;

/** The fields the bug is not about were shrunk to the documented defaults. */
function expectDefaultsApartFromLeaf(c: Record<string, unknown>): void {
  expect(c.clientIp).toBe(CONNECTION_DEFAULTS.clientIp);
  expect(c.endpoint).toBe(CONNECTION_DEFAULTS.endpoint);
  expect(c.distributionId).toBe(CONNECTION_DEFAULTS.distributionId);
}

afterAll(() => stopSandboxWorkers());

describe('conngate fuzz finds planted bugs and shrinks them', () => {
  it('a serial compared without normalising case: the revoked serial 0a sent as "0A"', async () => {
    const r = await fuzz('serial-case', 1);
    const f = r.finding!;
    expect(f.property).toBe('revoked-denied');
    expect(f.caseIndex).toBeLessThan(DEFAULT_FUZZ_CASES);
    expect(f.reproduced).toBe(true);
    expectDefaultsApartFromLeaf(f.counterexample);
    expect(leafOf(f.counterexample)).toMatchObject({
      serialNumber: '0A', subject: 'C=US, O=Example Corp, CN=client.example.com', issuer: 'C=US, O=Example Corp, CN=Example Corp Intermediate CA', san: '',
    });
    expect(f.suiteCase).toMatchObject({ store: { '0a': '1' }, expect: { decision: 'deny' }, now: NOW.toISOString() });
    // Other seeds find it too, each time as an upper-case spelling of a revoked serial with a hex letter.
    for (const seed of [2, 3]) {
      const other = (await fuzz('serial-case', seed)).finding!;
      expect(other.property).toBe('revoked-denied');
      const serial = leafOf(other.counterexample)!.serialNumber;
      expect(serial).toMatch(/[A-F]/);
      expect(r.revokedCount).toBeGreaterThan(0);
      expect(sampleRevokedInput(undefined, DEFAULT_CANARY_SERIAL).store.has(canonicalSerial(serial)!)).toBe(true);
    }
  });

  it('leading zeros kept: a high-bit serial in CloudFront\'s own spelling, with its DER 00 byte', async () => {
    const f = (await fuzz('serial-leading-zeros', 1)).finding!;
    expect(f.property).toBe('revoked-denied');
    expectDefaultsApartFromLeaf(f.counterexample);
    expect(leafOf(f.counterexample)!.serialNumber).toBe('00:8f:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:13');
  });

  it('a subject allowlist with startsWith: O=Example Corpx passes for Example Corp (suite-declared property)', async () => {
    const f = (await fuzz('subject-startswith', 1, ['revoked-denied'])).finding!;
    expect(f.property).toBe('only-example-corp');
    expect(f.reason).toBe('expected deny, got allow');
    expectDefaultsApartFromLeaf(f.counterexample);
    expect(leafOf(f.counterexample)).toMatchObject({ subject: 'C=US, O=Example Corpx, CN=client.example.com', issuer: 'C=US, O=Example Corp, CN=Example Corp Intermediate CA' });
    expect(f.suiteCase).toMatchObject({ expect: { decision: 'deny' } });
  });

  it('a throw on an IPv6 client: the smallest IPv6 address, and nothing else', async () => {
    const f = (await fuzz('ipv6-throw', 1, ['revoked-denied'])).finding!;
    expect(f.property).toBe('no-throw');
    expect(f.reason).toMatch(/^TypeError: /);
    expect(f.counterexample).toEqual({
      connectionId: 'oLHiEKbQSn8lkvJfA3D4gFowK3_iZ0g4i5nMUjE1Akod8TuAzn5nzg==', clientIp: '::ffff:0.0.0.0',
      endpoint: CONNECTION_DEFAULTS.endpoint, distributionId: CONNECTION_DEFAULTS.distributionId,
    });
  });

  it('a quadratic loop on long SAN lists: over the 5 ms budget, shrunk to a list just long enough', async () => {
    const f = (await fuzz('san-quadratic', 1, ['revoked-denied'])).finding!;
    expect(f.property).toBe('time-budget');
    expect(f.reason).toMatch(/^exceeded the execution time limit/);
    expectDefaultsApartFromLeaf(f.counterexample);
    const entries = leafOf(f.counterexample)!.san.split(',');
    // How many entries cross 5 ms depends on the machine; a short list never does, and the list is the generated one.
    expect(entries.length).toBeGreaterThan(20);
    expect(entries.length).toBeLessThanOrEqual(400);
    expect(entries.every((e, i) => e === `DNS:h${i}.example.com`)).toBe(true);
  });
});
