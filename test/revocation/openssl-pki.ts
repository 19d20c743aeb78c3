/**
 * A throwaway PKI made with the openssl CLI for revocation tests: a CA, leaf certificates with chosen serials,
 * and CRLs signed by `openssl ca -gencrl` from an index of revoked serials (written directly, so a
 * 100,000-entry CRL takes a second).
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

export function openssl(args: string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
}

/** A fresh temporary folder removed by the caller (or left in the OS temp dir). */
export function tempDir(prefix = 'conngate-rev-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface CaOptions {
  /** subject, default `/O=Conngate Test/CN=<name>` */
  subject?: string;
  /** reuse this key file (a second CA with the same key) */
  keyFile?: string;
  /** `-addext` values, e.g. 'keyUsage=critical,keyCertSign' */
  addext?: string[];
  /** 'ec' (P-256, default) or 'rsa' (2048) */
  keyType?: 'ec' | 'rsa';
}

/** Creates a self-signed CA. */
export function makeCa(dir: string, name: string, opts: CaOptions = {}): TestCa {
  const keyFile = opts.keyFile ?? path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.pem`);
  const keyArgs = opts.keyFile ? ['-key', opts.keyFile]
    : opts.keyType === 'rsa' ? ['-newkey', 'rsa:2048', '-keyout', keyFile]
      : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-keyout', keyFile];
  openssl(['req', '-x509', ...keyArgs, '-nodes', '-out', certFile, '-subj', opts.subject ?? `/O=Conngate Test/CN=${name}`,
    '-days', '30', ...(opts.addext ?? []).flatMap((e) => ['-addext', e])], dir);
  return { dir, name, certFile, keyFile };
}

/** Issues a leaf certificate with the given hex serial (no 0x); `crlUrls` become its CRL Distribution Points. */
export function issueCert(ca: TestCa, serialHex: string, cn: string, crlUrls: string[] = []): IssuedCert {
  const key = path.join(ca.dir, `${cn}.key`);
  const csr = path.join(ca.dir, `${cn}.csr`);
  const certFile = path.join(ca.dir, `${cn}.pem`);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr,
    '-subj', `/O=Conngate Test/CN=${cn}`], ca.dir);
  const ext: string[] = [];
  if (crlUrls.length > 0) {
    const extFile = path.join(ca.dir, `${cn}.ext`);
    fs.writeFileSync(extFile, `crlDistributionPoints = ${crlUrls.map((u) => `URI:${u}`).join(',')}\n`);
    ext.push('-extfile', extFile);
  }
  openssl(['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', `0x${serialHex}`,
    '-days', '10', '-out', certFile, ...ext], ca.dir);
  return { certFile, pem: fs.readFileSync(certFile, 'utf8'), serialHex: serialHex.toUpperCase() };
}

export interface CrlOptions {
  /** hours from now to nextUpdate (negative: already stale) @default 24 */
  nextUpdateHours?: number;
  /** hours before now of thisUpdate (lastUpdate) @default 1, or 2 h before a stale nextUpdate */
  thisUpdateHoursAgo?: number;
  /** cRLNumber, hex @default 01 */
  crlNumber?: string;
  /** extra lines of the crl_ext config section (e.g. a critical deltaCRLIndicator) */
  crlExtensions?: string[];
  format?: 'pem' | 'der';
  file?: string;
}

export function asn1Time(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
}

/** The index.txt line of one revoked serial (reason keyCompromise, as CAs write it). */
function indexLine(serialHex: string): string {
  return `R\t301231000000Z\t250101000000Z,keyCompromise\t${serialHex.toUpperCase()}\tunknown\t/CN=r\n`;
}

/** Signs a CRL revoking the given hex serials; returns its path. */
export function makeCrl(ca: TestCa, revokedSerialsHex: string[], opts: CrlOptions = {}): string {
  const work = fs.mkdtempSync(path.join(ca.dir, 'crl-'));
  const fd = fs.openSync(path.join(work, 'index.txt'), 'w');
  const CHUNK = 10_000;
  for (let i = 0; i < revokedSerialsHex.length; i += CHUNK) fs.writeSync(fd, revokedSerialsHex.slice(i, i + CHUNK).map(indexLine).join(''));
  fs.closeSync(fd);
  fs.writeFileSync(path.join(work, 'crlnumber'), `${opts.crlNumber ?? '01'}\n`);
  const ext = opts.crlExtensions ?? [];
  fs.writeFileSync(path.join(work, 'ca.cnf'),
    '[ca]\ndefault_ca = CA_default\n[CA_default]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\n' +
    (ext.length ? `crl_extensions = crl_ext\n[crl_ext]\n${ext.join('\n')}\n` : ''));
  const hours = opts.nextUpdateHours ?? 24;
  const now = Date.now();
  const last = opts.thisUpdateHoursAgo !== undefined ? new Date(now - opts.thisUpdateHoursAgo * 3600_000)
    : new Date(Math.min(now - 3600_000, now + (hours - 2) * 3600_000));
  const next = new Date(now + hours * 3600_000);
  const pemFile = path.join(work, 'crl.pem');
  openssl(['ca', '-gencrl', '-config', 'ca.cnf', '-keyfile', ca.keyFile, '-cert', ca.certFile, '-out', pemFile,
    '-crl_lastupdate', asn1Time(last), '-crl_nextupdate', asn1Time(next)], work);
  const out = opts.file ?? path.join(ca.dir, `${ca.name}-${path.basename(work)}.${opts.format ?? 'pem'}`);
  if (opts.format === 'der') openssl(['crl', '-in', pemFile, '-outform', 'DER', '-out', out], work);
  else fs.copyFileSync(pemFile, out);
  fs.rmSync(work, { recursive: true, force: true });
  return out;
}

/** n distinct 16-byte serials with the high bit set (the common CA shape), OpenSSL spelling. */
export function bulkSerials(n: number, tag = 0x9e): string[] {
  const head = tag.toString(16).padStart(2, '0').toUpperCase();
  return Array.from({ length: n }, (_, i) => `${head}${i.toString(16).toUpperCase().padStart(30, '0')}`);
}
