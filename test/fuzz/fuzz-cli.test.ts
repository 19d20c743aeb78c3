import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseName, renderName } from '../../fuzz/distinguished-name-text';
import { conditionHolds } from '../../fuzz/declared-properties';
import { FUZZ_SERIAL_SPELLINGS, spellFuzzSerial } from '../../fuzz/serial-forms';
import { SAMPLE_REVOKED_SERIALS } from '../../fuzz/revoked-input';
import { canonicalSerial } from '../../revocation/canonical-serial';
import { runCli } from '../support/conngate-cli';
import { makeCa, makeCrl } from '../revocation/openssl-pki';

const FIXTURES = path.join(__dirname, 'fixtures');
const CERT = path.join(__dirname, '..', '..', 'functions', 'fixtures', 'client-valid.pem');
let tmp: string;

/** A copy of a fixture function and its suite in a scratch folder (the suite's certificate made absolute). */
function scratch(name: string, suiteEdit: (suite: Record<string, unknown>) => void = () => undefined): { fn: string; suite: string } {
  const dir = fs.mkdtempSync(path.join(tmp, `${name}-`));
  const fn = path.join(dir, `${name}.js`);
  fs.copyFileSync(path.join(FIXTURES, `${name}.js`), fn);
  const suite = JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.suite.json`), 'utf8')) as { cases: { certificate?: string }[] } & Record<string, unknown>;
  delete suite.$schema;
  for (const c of suite.cases) if (c.certificate) c.certificate = CERT;
  suiteEdit(suite);
  const suiteFile = path.join(dir, `${name}.suite.json`);
  fs.writeFileSync(suiteFile, `${JSON.stringify(suite, null, 2)}\n`);
  return { fn, suite: suiteFile };
}

beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-fuzz-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('conngate fuzz (CLI)', () => {
  it('the same seed and time give the same finding, case for case', async () => {
    const args = ['fuzz', path.join(FIXTURES, 'serial-case.js'), '--seed', '77', '--now', '2026-12-01T00:00:00Z', '--json'];
    const [a, b] = [await runCli(args), await runCli(args)];
    expect(a.code).toBe(1);
    expect(b.code).toBe(1);
    const ja = JSON.parse(a.stdout) as { schema: string; ok: boolean; finding: Record<string, unknown> };
    const jb = JSON.parse(b.stdout) as typeof ja;
    expect(ja.schema).toBe('conngate.fuzz/1');
    expect(ja.ok).toBe(false);
    for (const k of ['property', 'caseIndex', 'replay', 'counterexample', 'suiteCase']) expect(jb.finding[k]).toEqual(ja.finding[k]);
    // Another seed draws other cases.
    const c = JSON.parse((await runCli(['fuzz', path.join(FIXTURES, 'serial-case.js'), '--seed', '78', '--now', '2026-12-01T00:00:00Z', '--json'])).stdout) as typeof ja;
    expect(c.finding.replay).not.toEqual(ja.finding.replay);
  });

  it('prints the seed, the property, the shrunk counterexample and a suite case; --save adds it and test --local then fails on it the same way', async () => {
    const { fn, suite } = scratch('serial-case');
    const before = await runCli(['test', '--local', suite]);
    expect(before.code).toBe(0);
    const r = await runCli(['fuzz', fn, '--seed', '1', '--now', '2026-12-01T00:00:00Z', '--save']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL: property revoked-denied broken by case \d+ of 10000 \(seed 1\), shrunk \d+ times/);
    expect(r.stdout).toContain('"serialNumber": "0A"');
    expect(r.stdout).toContain('replay: conngate fuzz');
    expect(r.stdout).toMatch(/suite case \(paste into "cases" of .*serial-case\.suite\.json, or run again with --save\):\n\{"name":"fuzz: revoked-denied \(seed 1, case \d+\)"/);
    expect(r.stdout).toMatch(/saved case "fuzz: revoked-denied \(seed 1, case \d+\)"/);
    const saved = JSON.parse(fs.readFileSync(suite, 'utf8')) as { cases: { name: string; store?: Record<string, string> }[] };
    expect(saved.cases).toHaveLength(2);
    expect(saved.cases[1].store).toEqual({ '0a': '1' });
    const after = await runCli(['test', '--local', suite]);
    expect(after.code).toBe(1);
    expect(after.stdout).toMatch(/valid certificate is allowed\s+allow\s+allow\s+.*PASS/);
    expect(after.stdout).toMatch(/fuzz: revoked-denied \(seed 1, case \d+\)\s+deny\s+allow\s+.*FAIL/);
    // The same finding saved twice is refused, and the suite is left as it was.
    const again = await runCli(['fuzz', fn, '--seed', '1', '--now', '2026-12-01T00:00:00Z', '--save']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^conngate: .*: is in the suite already \(fix: .*\)\n$/);
    expect(JSON.parse(fs.readFileSync(suite, 'utf8'))).toEqual(saved);
  });

  it('--crl: the revoked set is the verified CRL\'s, and a CRL that does not verify is refused before any case runs', async () => {
    const ca = makeCa(fs.mkdtempSync(path.join(tmp, 'ca-')), 'fuzz-ca');
    const other = makeCa(fs.mkdtempSync(path.join(tmp, 'ca-')), 'other-ca');
    const crl = makeCrl(ca, ['9E2AAF0153C4D2E1FA', 'AB']);
    const fn = path.join(FIXTURES, 'serial-leading-zeros.js');
    const r = await runCli(['fuzz', fn, '--crl', crl, '--ca', ca.certFile, '--seed', '4', '--now', '2026-12-01T00:00:00Z', '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { revokedCount: number; finding: { property: string; counterexample: { clientCertificate: { certificates: { leaf: { serialNumber: string } } } } } };
    expect(j.revokedCount).toBe(2);
    expect(j.finding.property).toBe('revoked-denied');
    expect(['ab', '9e2aaf0153c4d2e1fa']).toContain(canonicalSerial(j.finding.counterexample.clientCertificate.certificates.leaf.serialNumber));
    const refused = await runCli(['fuzz', fn, '--crl', crl, '--ca', other.certFile]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.split('\n')).toHaveLength(2);
  });

  it('a correct function passes (exit 0) and says how many cases ran', async () => {
    const r = await runCli(['fuzz', path.join(__dirname, '..', '..', 'functions', 'revocation-check.js'), '--cases', '3000', '--seed', '5']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PASS: no property broken in 3,000 cases/);
    expect(r.stdout).toContain('properties: no-throw, time-budget, memory-budget, revoked-denied, deterministic, no-certificate-denied, ocsp-revoked-denied');
  });

  it.each([
    [['--seed', 'abc'], /^conngate: --seed abc: is not a whole number from -2147483648 to 2147483647 \(fix: pass e\.g\. --seed 42\)\n$/],
    [['--seed', '4294967296'], /^conngate: --seed 4294967296: is not a whole number/],
    [['--cases', '0'], /^conngate: --cases 0: is not a whole number from 1 to 10000000/],
    [['--skip', 'no-such-property'], /^conngate: --skip no-such-property: unknown property "no-such-property" \(fix: use one of: no-throw, .*\)\n$/],
    [['--properties', 'revoked-denied,nope'], /^conngate: --properties revoked-denied,nope: unknown property "nope"/],
    [['--now', 'yesterday'], /^conngate: --now yesterday: is not an ISO 8601 date-time/],
  ])('bad input %j: one line, exit 2, nothing run', async (flags, line) => {
    const r = await runCli(['fuzz', path.join(FIXTURES, 'serial-case.js'), ...flags]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(line);
  });

  it.each([
    ['an unknown condition key', { name: 'p', when: { subjectStartsWith: 'x' }, expect: 'deny' }, /properties\/0\/when: unknown property "subjectStartsWith"/],
    ['a missing expect', { name: 'p', when: { certificate: false } }, /properties\/0: must have required property 'expect'/],
    ['a name with spaces', { name: 'Not Ours', when: { certificate: false }, expect: 'deny' }, /properties\/0\/name: must match pattern/],
    ['an OCSP status that does not exist', { name: 'p', when: { ocsp: 'Fine' }, expect: 'deny' }, /properties\/0\/when\/ocsp/],
    ['a built-in name', { name: 'no-throw', when: { certificate: false }, expect: 'deny' }, /property "no-throw": has the name of a built-in property/],
  ])('a schema-invalid property declaration (%s): one line, exit 2, suite unchanged', async (_what, property, line) => {
    const { fn, suite } = scratch('serial-case', (s) => { s.properties = [property]; });
    const bytes = fs.readFileSync(suite, 'utf8');
    const r = await runCli(['fuzz', fn, '--save']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr).toMatch(line);
    expect(fs.readFileSync(suite, 'utf8')).toBe(bytes);
  });
});

describe('the fuzzer\'s building blocks', () => {
  it('every serial spelling reduces to the same canonical key', () => {
    for (const serial of [...SAMPLE_REVOKED_SERIALS, '0badc0de0badc0de', '00', '80']) {
      for (const spelling of FUZZ_SERIAL_SPELLINGS) expect([spelling, canonicalSerial(spellFuzzSerial(serial, spelling))]).toEqual([spelling, serial]);
    }
    expect(spellFuzzSerial('9e2a', 'colon')).toBe('00:9e:2a');
    expect(spellFuzzSerial('0a', 'integer-hex-upper')).toBe('A');
  });

  it('names are written with RFC 4514 escapes and read back to the same attribute values', () => {
    const rdns = [[{ type: 'O', value: 'Example Corp, O=Evil' }], [{ type: 'CN', value: ' #x+y;"<>\\ ' }, { type: 'OU', value: 'caf\u00e9' }]];
    const text = renderName(rdns);
    expect(text).toBe('O=Example Corp\\, O\\=Evil, CN=\\ #x\\+y\\;\\"\\<\\>\\\\\\ +OU=caf\u00e9');
    expect(parseName(text)).toEqual([{ type: 'O', value: 'Example Corp, O=Evil' }, { type: 'CN', value: ' #x+y;"<>\\ ' }, { type: 'OU', value: 'caf\u00e9' }]);
    expect(parseName('O=Example\\2C Corp')).toEqual([{ type: 'O', value: 'Example, Corp' }]);
    expect(parseName('no equals sign')).toBeUndefined();
  });

  it('a subject condition needs exactly one attribute of the type with exactly the value', () => {
    const ctx = { revoked: new Set<string>(), now: new Date() };
    const conn = (subject: string) => ({ clientCertificate: { certificates: { leaf: { subject } } } });
    const when = { subject: { O: 'Example Corp' } };
    expect(conditionHolds(when, conn('C=US, O=Example Corp, CN=x'), ctx)).toBe(true);
    expect(conditionHolds(when, conn('C=US,O=Example Corp'), ctx)).toBe(true);
    for (const s of ['O=Example Corpx', 'O=Example Corp, O=Other', 'O=Ex\u0430mple Corp', 'O=example corp', 'O=Example Corp\\, O=Evil', 'CN=O=Example Corp']) {
      expect([s, conditionHolds(when, conn(s), ctx)]).toEqual([s, false]);
    }
    expect(conditionHolds({ not: when }, {}, ctx)).toBe(true);
    expect(conditionHolds({ certificate: false }, {}, ctx)).toBe(true);
    expect(conditionHolds({ clientIp: 'ipv6' }, { clientIp: '::1' }, ctx)).toBe(true);
    expect(conditionHolds({ anyOf: [{ clientIp: 'ipv4' }, { certificate: true }] }, { clientIp: '::1' }, ctx)).toBe(false);
  });
});
