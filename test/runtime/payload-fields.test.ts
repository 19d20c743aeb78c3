// The full documented connection object from real openssl certificates: san, sanHex, spki, ocspEndpoint,
// intermediates from a chain, the base64url connectionId, and revocationStatus from an OCSP outcome.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildConnectionObject, MAX_CHAIN_DEPTH } from '../../runtime/payload';
import { caseConnection, loadSuite } from '../../runtime/suite';
import { runSuiteLocally } from '../../runtime/suite-runner';

let tmp: string;
const file = (n: string) => path.join(tmp, n);
const read = (n: string) => fs.readFileSync(file(n));

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { cwd: tmp, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** issue(name, subject, issuer, serial, extensions): a P-256 certificate signed by `issuer` (self-signed if none). */
function issue(name: string, subject: string, issuer: string | undefined, serial: string, ext: string): void {
  fs.writeFileSync(file(`${name}.cnf`), ext);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  const signer = issuer ? ['-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`] : ['-signkey', `${name}.key`];
  openssl(['x509', '-req', '-in', `${name}.csr`, ...signer, '-set_serial', serial, '-days', '30', '-extfile', `${name}.cnf`, '-out', `${name}.pem`]);
}

const CA_EXT = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n';

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-payload-fields-'));
  issue('root', '/C=US/O=Example Corp/CN=Root CA', undefined, '0x01', CA_EXT);
  issue('int1', '/C=US/O=Example Corp/CN=Intermediate One', 'root', '0x0111', `${CA_EXT}authorityInfoAccess=OCSP;URI:http://ocsp.example.com/root\n`);
  issue('int2', '/C=US/O=Example Corp/CN=Intermediate Two', 'int1', '0x0222', `${CA_EXT}authorityInfoAccess=OCSP;URI:http://ocsp.example.com/int1\n`);
  issue('int3', '/C=US/O=Example Corp/CN=Intermediate Three', 'int2', '0x0333', CA_EXT);
  issue('leaf', '/C=US/O=Example Corp/CN=client.example.com', 'int2', '0x9e2aaf0153c4d2e1fa',
    'basicConstraints=CA:FALSE\nsubjectAltName=DNS:client.example.com,DNS:api.example.com,IP:192.0.2.7\nauthorityInfoAccess=OCSP;URI:http://ocsp.example.com/int2\n');
  issue('deep', '/C=US/O=Example Corp/CN=deep.example.com', 'int3', '0x0444', 'basicConstraints=CA:FALSE\n');
  issue('bare', '/C=US/O=Example Corp/CN=bare.example.com', 'root', '0x0555', 'basicConstraints=CA:FALSE\n');
  fs.writeFileSync(file('chain.pem'), Buffer.concat([read('int2.pem'), read('int1.pem')]));
  fs.writeFileSync(file('chain-reversed.pem'), Buffer.concat([read('int1.pem'), read('int2.pem')]));
  fs.writeFileSync(file('deep-chain.pem'), Buffer.concat([read('int3.pem'), read('int2.pem'), read('int1.pem'), read('root.pem')]));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('leaf fields from openssl certificates', () => {
  it('san as CloudFront documents it ("DNS:a,DNS:b"), sanHex = the DER GeneralNames openssl encoded', () => {
    const leaf = buildConnectionObject(read('leaf.pem')).clientCertificate!.certificates.leaf;
    expect(leaf.san).toBe('DNS:client.example.com,DNS:api.example.com,IP Address:192.0.2.7');
    // openssl's own DER of the extension value: find the SAN OCTET STRING in the certificate's ASN.1 dump.
    openssl(['x509', '-in', 'leaf.pem', '-outform', 'der', '-out', 'leaf.der']);
    const dump = openssl(['asn1parse', '-in', 'leaf.der', '-inform', 'der']);
    const sanLine = dump.split('\n').findIndex((l) => l.includes('X509v3 Subject Alternative Name'));
    const octet = /\[HEX DUMP\]:([0-9A-F]+)/.exec(dump.split('\n')[sanLine + 1])![1];
    expect(leaf.sanHex).toBe(octet.toLowerCase());
  });

  it('spki is the DER SubjectPublicKeyInfo openssl exports, ocspEndpoint the AIA OCSP URL', () => {
    const leaf = buildConnectionObject(read('leaf.pem')).clientCertificate!.certificates.leaf;
    openssl(['x509', '-in', 'leaf.pem', '-noout', '-pubkey', '-out', 'leaf.pub']);
    openssl(['pkey', '-pubin', '-in', 'leaf.pub', '-outform', 'der', '-out', 'leaf.pub.der']);
    expect(leaf.spki).toBe(read('leaf.pub.der').toString('hex'));
    expect(leaf.ocspEndpoint).toBe('http://ocsp.example.com/int2');
  });

  it('leaves san, sanHex and ocspEndpoint empty for a certificate without them', () => {
    const leaf = buildConnectionObject(read('bare.pem')).clientCertificate!.certificates.leaf;
    expect([leaf.san, leaf.sanHex, leaf.ocspEndpoint]).toEqual(['', '', '']);
  });

  it('gives a 56-character connectionId in the base64url alphabet, stable per certificate', () => {
    const ids = ['leaf.pem', 'bare.pem', 'int1.pem', 'int2.pem', 'root.pem'].map((n) => buildConnectionObject(read(n)).connectionId);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{56}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(buildConnectionObject(read('leaf.pem')).connectionId).toBe(ids[0]);
  });
});

describe('intermediates from --chain', () => {
  it('describes each intermediate with the same fields, leaf issuer first', () => {
    const obj = buildConnectionObject(read('leaf.pem'), { chain: read('chain.pem') });
    const ints = obj.clientCertificate!.certificates.intermediates!;
    expect(ints.map((c) => c.subject)).toEqual(['C=US, O=Example Corp, CN=Intermediate Two', 'C=US, O=Example Corp, CN=Intermediate One']);
    expect(ints.map((c) => c.serialNumber)).toEqual(['02:22', '01:11']);
    expect(ints[0].ocspEndpoint).toBe('http://ocsp.example.com/int1');
    expect(ints[0].issuer).toBe(ints[1].subject);
    expect(Object.keys(ints[0]).sort()).toEqual(Object.keys(obj.clientCertificate!.certificates.leaf).sort());
  });

  it('refuses a chain that does not link (wrong order, or a stranger) and one deeper than CloudFront validates', () => {
    expect(() => buildConnectionObject(read('leaf.pem'), { chain: read('chain-reversed.pem'), source: 'leaf.pem' }))
      .toThrow(/^leaf\.pem --chain \(certificate 1\): did not issue the leaf/);
    expect(() => buildConnectionObject(read('bare.pem'), { chain: read('chain.pem'), source: 'bare.pem' })).toThrow(/did not issue the leaf/);
    expect(() => buildConnectionObject(read('deep.pem'), { chain: read('deep-chain.pem'), source: 'deep.pem' }))
      .toThrow(new RegExp(`chain of 5 certificates \\(leaf included\\) is deeper than the ${MAX_CHAIN_DEPTH}`));
    expect(() => buildConnectionObject(read('leaf.pem'), { chain: read('leaf.key'), source: 'leaf.pem' })).toThrow(/not an X\.509 certificate/);
  });
});

describe('revocationStatus from an OCSP outcome', () => {
  it('reports method, status and serial per certificate and derives chainValidity', () => {
    const rs = (o: Parameters<typeof buildConnectionObject>[1]) =>
      buildConnectionObject(read('leaf.pem'), { chain: read('chain.pem'), ...o }).clientCertificate!.revocationStatus!;
    expect(rs({ ocsp: { leaf: 'Good' } })).toEqual({
      chainValidity: 'Valid',
      certificates: {
        leaf: { method: 'OCSP', status: 'Good', serialNumber: '00:9e:2a:af:01:53:c4:d2:e1:fa' },
        intermediates: [{ method: 'OCSP', status: 'Good', serialNumber: '02:22' }, { method: 'OCSP', status: 'Good', serialNumber: '01:11' }],
      },
    });
    expect(rs({ ocsp: { leaf: 'Revoked' } }).chainValidity).toBe('Invalid');
    expect(rs({ ocsp: { leaf: 'Good', intermediates: ['Good', 'Revoked'] } }).chainValidity).toBe('Invalid');
    expect(rs({ ocsp: { leaf: 'Error' } }).certificates.leaf).toEqual({ method: 'OCSP', status: 'Error', serialNumber: '00:9e:2a:af:01:53:c4:d2:e1:fa', errorType: 'InternalError' });
    expect(rs({ ocsp: { leaf: 'Unknown' } }).chainValidity).toBe('Unknown');
    expect(buildConnectionObject(read('leaf.pem')).clientCertificate!.revocationStatus).toBeUndefined();
  });

  it('refuses outcomes CloudFront cannot produce', () => {
    expect(() => buildConnectionObject(read('bare.pem'), { ocsp: { leaf: 'Good' }, source: 'bare.pem' }))
      .toThrow(/^bare\.pem: has no OCSP responder URL: with OCSP checking on, CloudFront does not run the connection function/);
    expect(() => buildConnectionObject(read('leaf.pem'), { ocsp: { leaf: 'Good', errorType: 'InternalError' } })).toThrow(/errorType is only reported with status Error/);
    expect(() => buildConnectionObject(read('leaf.pem'), { ocsp: { leaf: 'Error', errorType: 'whatever' } })).toThrow(/not a documented form/);
    expect(() => buildConnectionObject(read('leaf.pem'), { ocsp: { leaf: 'Fine' as never } })).toThrow(/unknown OCSP status "Fine"/);
    expect(() => buildConnectionObject(read('leaf.pem'), { chain: read('chain.pem'), ocsp: { leaf: 'Good', intermediates: ['Good'] } }))
      .toThrow(/gives 1 intermediate statuses for 2 intermediates/);
  });
});

describe('suites with chain and ocsp', () => {
  const FN = `import cf from 'cloudfront';
function connectionHandler(connection) {
  const cc = connection.clientCertificate;
  if (!cc) { connection.deny(); return; }
  const rs = cc.revocationStatus;
  console.log('ints=' + (cc.certificates.intermediates || []).length + ' ocsp=' + (rs ? rs.certificates.leaf.status : 'off'));
  if (rs && rs.chainValidity !== 'Valid') { connection.deny(); return; }
  connection.allow();
}
`;
  it('builds revocationStatus per case (after a serial override) and runs it through the sandboxed runtime', async () => {
    fs.writeFileSync(file('ocsp.js'), FN);
    fs.writeFileSync(file('ocsp.suite.json'), JSON.stringify({ cases: [
      { name: 'good', certificate: 'leaf.pem', chain: 'chain.pem', ocsp: { leaf: 'Good' }, expect: { decision: 'allow', logs: ['ints=2 ocsp=Good'] } },
      { name: 'revoked', certificate: 'leaf.pem', chain: 'chain.pem', ocsp: { leaf: 'Revoked' }, expect: { decision: 'deny', logs: ['ocsp=Revoked'] } },
      { name: 'off', certificate: 'leaf.pem', expect: { decision: 'allow', logs: ['ints=0 ocsp=off'] } },
      { name: 'override', certificate: 'leaf.pem', serialNumber: '0b:ad', ocsp: { leaf: 'Unknown' }, expect: { decision: 'deny' } },
      { name: 'no certificate (passthrough)', certificate: 'leaf.pem', withoutCertificate: true, expect: { decision: 'deny' } },
    ] }));
    const suite = loadSuite(file('ocsp.suite.json'));
    const override = caseConnection(suite.cases[3], { canarySerial: '0badc0de' }) as any;
    expect(override.clientCertificate.revocationStatus.certificates.leaf.serialNumber).toBe('0b:ad');
    const results = await runSuiteLocally(suite);
    expect(results.map((r: any) => [r.name, r.passed])).toEqual(suite.cases.map((c) => [c.name, true]));
  }, 60_000);

  it('refuses ocsp with withoutCertificate, and chain without certificate', () => {
    const write = (c: object) => { fs.writeFileSync(file('bad.suite.json'), JSON.stringify({ function: 'ocsp.js', cases: [c] })); return () => loadSuite(file('bad.suite.json')); };
    expect(write({ name: 'x', certificate: 'leaf.pem', withoutCertificate: true, ocsp: { leaf: 'Good' }, expect: { decision: 'deny' } }))
      .toThrow(/ocsp needs a certificate but withoutCertificate removes it/);
    expect(write({ name: 'x', connection: {}, chain: 'chain.pem', expect: { decision: 'deny' } })).toThrow(/chain needs certificate/);
    expect(write({ name: 'x', certificate: 'leaf.pem', ocsp: { leaf: 'Bad' }, expect: { decision: 'deny' } })).toThrow(/does not match the suite schema/);
  });
});
