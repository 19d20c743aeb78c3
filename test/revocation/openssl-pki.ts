/**
 * A throwaway PKI made with the openssl CLI for revocation tests: a CA, leaf certificates with chosen serials,
 * and CRLs signed by `openssl ca -gencrl` from an index of revoked serials.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TestCa {
  dir: string;
  name: string;
  certFile: string;
  keyFile: string;
}

export interface IssuedCert {
  certFile: string;
  pem: string;
  /** serial as given (hex, OpenSSL style, uppercase) */
  serialHex: string;
}

function openssl(args: string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A fresh temporary folder removed by the caller (or left in the OS temp dir). */
export function tempDir(prefix = 'conngate-rev-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Creates a self-signed P-256 CA. */
export function makeCa(dir: string, name: string): TestCa {
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.pem`);
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile,
    '-out', certFile, '-subj', `/O=Conngate Test/CN=${name}`, '-days', '30'], dir);
  return { dir, name, certFile, keyFile };
}

/** Issues a leaf certificate with the given hex serial (no 0x). */
export function issueCert(ca: TestCa, serialHex: string, cn: string): IssuedCert {
  const key = path.join(ca.dir, `${cn}.key`);
  const csr = path.join(ca.dir, `${cn}.csr`);
  const certFile = path.join(ca.dir, `${cn}.pem`);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr,
    '-subj', `/O=Conngate Test/CN=${cn}`], ca.dir);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', `0x${serialHex}`,
    '-days', '10', '-out', certFile], ca.dir);
  return { certFile, pem: fs.readFileSync(certFile, 'utf8'), serialHex: serialHex.toUpperCase() };
}

export interface CrlOptions {
  /** hours from now to nextUpdate (negative: already stale) @default 24 */
  nextUpdateHours?: number;
  format?: 'pem' | 'der';
  file?: string;
}

function asn1Time(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
}

/** Signs a CRL revoking the given hex serials; returns its path. */
export function makeCrl(ca: TestCa, revokedSerialsHex: string[], opts: CrlOptions = {}): string {
  const work = fs.mkdtempSync(path.join(ca.dir, 'crl-'));
  const index = revokedSerialsHex.map((s) =>
    `R\t301231000000Z\t250101000000Z,keyCompromise\t${s.toUpperCase()}\tunknown\t/CN=revoked-${s}\n`).join('');
  fs.writeFileSync(path.join(work, 'index.txt'), index);
  fs.writeFileSync(path.join(work, 'crlnumber'), '01\n');
  fs.writeFileSync(path.join(work, 'ca.cnf'),
    '[ca]\ndefault_ca = CA_default\n[CA_default]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\n');
  const hours = opts.nextUpdateHours ?? 24;
  const now = Date.now();
  const last = new Date(Math.min(now - 3600_000, now + (hours - 2) * 3600_000));
  const next = new Date(now + hours * 3600_000);
  const pemFile = path.join(work, 'crl.pem');
  openssl(['ca', '-gencrl', '-config', 'ca.cnf', '-keyfile', ca.keyFile, '-cert', ca.certFile, '-out', pemFile,
    '-crl_lastupdate', asn1Time(last), '-crl_nextupdate', asn1Time(next)], work);
  const out = opts.file ?? path.join(ca.dir, `${ca.name}-${path.basename(work)}.${opts.format ?? 'pem'}`);
  if (opts.format === 'der') openssl(['crl', '-in', pemFile, '-outform', 'DER', '-out', out], work);
  else fs.copyFileSync(pemFile, out);
  return out;
}
