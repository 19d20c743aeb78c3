/**
 * X.509 CRLs (PEM or DER, several per PEM file) as a revocation source, with the checks a sync must make before
 * trusting one: signature against the issuing CA and nextUpdate freshness.
 */
import { UserError } from '../diagnostics/user-error';
import { canonicalSerial } from './canonical-serial';
import { REVOKED_VALUE, RevokedSet } from './revoked-set';
import { readSourceFile } from './source-file';
import { x509 } from './x509-library';

/** One parsed CRL. */
export interface ParsedCrl {
  /** file (and block number for multi-CRL PEM files) it came from */
  where: string;
  issuer: string;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** canonical serials of the revoked certificates */
  serials: string[];
  crl: InstanceType<typeof x509.X509Crl>;
}

/** The PEM blocks of a file's text, decoded by the x509 library (type and DER bytes). */
function pemBlocks(text: string): { type: string; der: Uint8Array }[] {
  return x509.PemConverter.decodeWithHeaders(text).map((b) => ({ type: b.type, der: new Uint8Array(b.rawData) }));
}

/** Parses the CRLs in one file's bytes (PEM with one or more `X509 CRL` blocks, or a single DER CRL). */
export function parseCrlBytes(bytes: Buffer, where: string): ParsedCrl[] {
  if (bytes.length === 0) throw new UserError(where, 'empty file, not a CRL', 'pass a PEM or DER X.509 CRL');
  const text = bytes.toString('latin1');
  if (text.includes('-----BEGIN ')) {
    const blocks = pemBlocks(text);
    if (blocks.length === 0) {
      throw new UserError(where, 'PEM block without a matching END line (truncated file?)', 'pass the complete CRL file');
    }
    const crls = blocks.filter((b) => b.type === 'X509 CRL');
    if (crls.length === 0) {
      throw new UserError(where, `not a CRL (found PEM ${[...new Set(blocks.map((b) => b.type))].join(', ')})`,
        'pass an X.509 CRL ("-----BEGIN X509 CRL-----"), e.g. from `openssl ca -gencrl`');
    }
    return crls.map((b, i) => decodeCrl(b.der, crls.length > 1 ? `${where}#${i + 1}` : where));
  }
  return [decodeCrl(new Uint8Array(bytes), where)];
}

function decodeCrl(der: Uint8Array, where: string): ParsedCrl {
  // A DER CRL is a SEQUENCE; anything else is text or some other file handed over by mistake.
  if (der[0] !== 0x30) {
    throw new UserError(where, 'not a CRL (neither PEM nor DER ASN.1)', 'pass a PEM or DER X.509 CRL');
  }
  let crl: InstanceType<typeof x509.X509Crl>;
  try {
    crl = new x509.X509Crl(der);
  } catch (e) {
    const msg = (e as Error).message;
    const truncated = /end of input|before message was fully decoded|offset and length/i.test(msg);
    throw new UserError(where, truncated ? `truncated or corrupt CRL (${msg})` : `not a CRL (${msg})`,
      truncated ? 'fetch the CRL again; the file is incomplete' : 'pass a PEM or DER X.509 CRL');
  }
  const serials: string[] = [];
  for (const [i, entry] of crl.entries.entries()) {
    const key = canonicalSerial(entry.serialNumber);
    if (!key) throw new UserError(`${where} entry ${i + 1}`, `unreadable serial "${entry.serialNumber}"`, 'regenerate the CRL');
    serials.push(key);
  }
  return { where, issuer: crl.issuer, thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate, serials, crl };
}

/** Reads and parses the CRLs in a file. */
export function readCrlFile(file: string): ParsedCrl[] {
  return parseCrlBytes(readSourceFile(file, 'CRL file', '--crl'), file);
}

/** Reads CA certificates (PEM, one or more per file, or a single DER certificate). */
export function readCaCertificates(file: string): InstanceType<typeof x509.X509Certificate>[] {
  const bytes = readSourceFile(file, 'CA certificate', '--ca');
  try {
    const text = bytes.toString('latin1');
    if (text.includes('-----BEGIN ')) {
      const certs = pemBlocks(text).filter((b) => b.type === 'CERTIFICATE').map((b) => new x509.X509Certificate(b.der));
      if (certs.length === 0) throw new Error('no CERTIFICATE block');
      return certs;
    }
    return [new x509.X509Certificate(new Uint8Array(bytes))];
  } catch (e) {
    throw new UserError(file, `not a CA certificate (${(e as Error).message})`, 'pass the issuing CA certificate in PEM or DER to --ca');
  }
}

/**
 * Refuses a CRL whose signature does not verify against any of the CA certificates. A CRL signed by someone
 * else could un-revoke certificates, so there is no override.
 */
export async function verifyCrlSignature(crl: ParsedCrl, cas: InstanceType<typeof x509.X509Certificate>[], caWhere: string): Promise<void> {
  for (const ca of cas) {
    try {
      if (await crl.crl.verify({ publicKey: ca })) return;
    } catch {
      // A key type that cannot have signed this CRL: try the next CA.
    }
  }
  throw new UserError(crl.where, `signature does not verify against ${caWhere} (CRL issuer ${crl.issuer})`,
    'pass the certificate of the CA that issued this CRL to --ca, or fetch the CRL again');
}

/** Refuses a CRL whose nextUpdate has passed: a newer one exists and may revoke more. */
export function checkCrlFresh(crl: ParsedCrl, now: Date): void {
  if (crl.nextUpdate && crl.nextUpdate.getTime() < now.getTime()) {
    throw new UserError(crl.where, `stale CRL: nextUpdate ${crl.nextUpdate.toISOString()} has passed (issuer ${crl.issuer})`,
      'fetch the current CRL from the CA, or pass --allow-stale to apply this one anyway');
  }
}

/** The revoked set of a list of parsed CRLs. */
export function crlsToRevokedSet(crls: ParsedCrl[]): RevokedSet {
  const entries = new Map<string, string>();
  for (const c of crls) for (const s of c.serials) entries.set(s, REVOKED_VALUE);
  return { entries, inputs: crls.map((c) => `${c.where} (CRL of ${c.issuer}, ${c.serials.length} revoked)`) };
}
