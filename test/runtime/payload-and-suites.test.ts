import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildConnectionObject } from '../../runtime/payload';
import { caseConnection, findSuiteFor, loadSuite } from '../../runtime/suite';
import { runSuiteLocally } from '../../runtime/suite-runner';
import { canonicalSerial } from '../../revocation/canonical-serial';

const functionsDir = path.join(__dirname, '..', '..', 'functions');
let tmp: string;

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { cwd: tmp, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-payload-'));
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
    '-days', '30', '-subj', '/C=US/O=Example Corp/CN=Example Corp Intermediate CA']);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr',
    '-subj', '/C=US/O=Example Corp/CN=client.example.com']);
  openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '0x9e2aaf0153c4d2e1fa', '-days', '7', '-out', 'leaf.pem']);
  openssl(['x509', '-in', 'leaf.pem', '-outform', 'der', '-out', 'leaf.der']);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('buildConnectionObject', () => {
  it('renders a certificate made by openssl in the documented format', () => {
    const obj = buildConnectionObject(fs.readFileSync(path.join(tmp, 'leaf.pem')), { clientIp: '198.51.100.9' });
    const leaf = obj.clientCertificate!.certificates.leaf;
    expect(leaf.subject).toBe('C=US, O=Example Corp, CN=client.example.com');
    expect(leaf.issuer).toBe('C=US, O=Example Corp, CN=Example Corp Intermediate CA');
    expect(leaf.serialNumber).toBe('00:9e:2a:af:01:53:c4:d2:e1:fa');
    const enddate = openssl(['x509', '-in', 'leaf.pem', '-noout', '-enddate']).trim().replace('notAfter=', '');
    expect(leaf.validity.notAfter).toBe(new Date(enddate).toISOString().replace('.000Z', 'Z'));
    expect(leaf.validity.notBefore).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const fp = openssl(['x509', '-in', 'leaf.pem', '-noout', '-fingerprint', '-sha256']).trim().split('=')[1].replace(/:/g, '');
    expect(Buffer.from(leaf.sha256Fingerprint.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('hex')).toBe(fp.toLowerCase());
    expect(obj.clientIp).toBe('198.51.100.9');
    expect(obj.connectionId).toHaveLength(56);
  });
  it('reads DER the same as PEM and refuses what is not a certificate', () => {
    expect(buildConnectionObject(fs.readFileSync(path.join(tmp, 'leaf.der'))))
      .toEqual(buildConnectionObject(fs.readFileSync(path.join(tmp, 'leaf.pem'))));
    expect(() => buildConnectionObject(fs.readFileSync(path.join(tmp, 'leaf.key')), { source: 'leaf.key' }))
      .toThrow(/^leaf\.key: is not an X\.509 certificate/);
  });
  it('keeps a low serial without an added 00', () => {
    const obj = buildConnectionObject(fs.readFileSync(path.join(functionsDir, 'fixtures', 'client-1byte.pem')));
    expect(obj.clientCertificate!.certificates.leaf.serialNumber).toBe('0a');
  });
});

describe('suites', () => {
  it('every committed suite passes locally', async () => {
    const suites = fs.readdirSync(functionsDir).filter((f) => f.endsWith('.suite.json'));
    expect(suites.sort()).toEqual(['expiry-window.suite.json', 'revocation-check.suite.json', 'subject-allowlist.suite.json']);
    for (const f of suites) {
      const results = await runSuiteLocally(loadSuite(path.join(functionsDir, f)));
      expect(results.filter((r) => !r.passed).map((r) => `${r.name}: ${r.message}`)).toEqual([]);
    }
  });
  it('a wrong expectation fails the case', async () => {
    const suite = loadSuite(path.join(functionsDir, 'revocation-check.suite.json'));
    const c = suite.cases.find((x) => x.name === 'valid certificate is allowed')!;
    const [r] = await runSuiteLocally({ ...suite, cases: [{ ...c, store: { [canonicalSerial('12:34:ab:cd')!]: 'r' } }] });
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/^expected allow, got deny/);
  });
  it('finds the suite for a function and marks local-only cases', () => {
    expect(findSuiteFor(path.join(functionsDir, 'revocation-check.js'))).toBe(path.join(functionsDir, 'revocation-check.suite.json'));
    const suite = loadSuite(path.join(functionsDir, 'revocation-check.suite.json'));
    expect(suite.cases.find((c) => c.name.startsWith('store lookup failure'))!.remote).toBe(false);
    expect(suite.cases.filter((c) => c.smoke).length).toBeGreaterThanOrEqual(3);
    expect(suite.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
  it('caseConnection substitutes the canary and applies overrides', () => {
    const suite = loadSuite(path.join(functionsDir, 'revocation-check.suite.json'));
    const canary = suite.cases.find((c) => c.name === 'canary serial is denied')!;
    const conn = caseConnection(canary, { canarySerial: '0badc0de0badc0de' }) as { clientCertificate: { certificates: { leaf: { serialNumber: string } } } };
    expect(conn.clientCertificate.certificates.leaf.serialNumber).toBe('0b:ad:c0:de:0b:ad:c0:de');
    const noCert = suite.cases.find((c) => c.name === 'no client certificate is denied')!;
    expect(caseConnection(noCert, { canarySerial: '0badc0de0badc0de' })).not.toHaveProperty('clientCertificate');
  });
  it('rejects suites that do not match the schema and certificates that are not certificates, with one line each', () => {
    const bad = path.join(tmp, 'bad.suite.json');
    fs.writeFileSync(bad, JSON.stringify({ cases: [{ name: 'x', connection: {}, expect: { decision: 'maybe' } }] }));
    expect(() => loadSuite(bad)).toThrow(/bad\.suite\.json: does not match the suite schema: \/cases\/0\/expect\/decision: must be one of \["allow","deny"\] \(fix: see /);
    fs.writeFileSync(bad, JSON.stringify({ cases: [{ name: 'x', certificate: 'leaf.key', expect: { decision: 'deny' } }] }));
    expect(() => loadSuite(bad)).toThrow(/case "x": certificate leaf\.key: is not an X\.509 certificate/);
    fs.writeFileSync(bad, JSON.stringify({ cases: [{ name: 'x', connection: {}, store: { a: 'b' }, remote: true, expect: { decision: 'deny' } }] }));
    expect(() => loadSuite(bad)).toThrow(/remote is true but the case needs local store contents/);
    fs.writeFileSync(bad, JSON.stringify({ cases: [{ name: 'x', connection: {}, serialNumber: '${canarySerial:der-lower}', expect: { decision: 'deny' } }] }));
    expect(() => loadSuite(bad)).toThrow(/case "x": unknown serial spelling "der-lower" .*\(fix: use one of colon, colon-upper/);
  });
});
