/**
 * The CA certificates a CRL is checked against (`--ca`): the subject (DER, to match the CRL issuer), the public
 * key (for node:crypto), key usage (a CA that states it must allow cRLSign), the subject key identifier, and the
 * CRL Distribution Points of any certificate (for `--crl-from-cert`).
 */
import { createHash, createPublicKey, KeyObject } from 'node:crypto';
import { UserError } from '../diagnostics/user-error';
import { children, contentBytes, DerError, elementBytes, expectTlv, oidText, readTlv, TAG, Tlv } from './der-reader';
import { nameText } from './distinguished-name';
import { PemError, pemBlocks } from './pem-blocks';
import { readSourceFile } from './source-file';
import { printable } from '../diagnostics/untrusted-text';

export interface CaCertificate {
  /** file (and block number) it came from */
  where: string;
  subjectDer: Buffer;
  subject: string;
  /** the issuer Name, DER: a CRL named by this certificate's distribution points must be its issuer's */
  issuerDer: Buffer;
  issuer: string;
  publicKey: KeyObject;
  /**
   * SHA-256 of the SubjectPublicKeyInfo DER, hex: the CA key's identity. A CRL's history (its high-water mark) is
   * kept per issuer name and this key, so two CA certificates with one name (a re-key) never share one.
   */
  spkiSha256: string;
  /** key usage bits when the certificate has the extension; undefined = no restriction stated */
  keyUsage?: { cRLSign: boolean };
  subjectKeyId?: string;
  /** http(s), ldap, ... URIs of the CRL Distribution Points extension */
  crlDistributionPoints: string[];
}

/** Parses one DER certificate. Throws DerError for malformed input. */
export function parseCertificate(der: Uint8Array, where: string): CaCertificate {
  const cert = expectTlv(der, 0, der.length, TAG.SEQUENCE, 'Certificate');
  if (cert.end !== der.length) throw new DerError(cert.end, 'trailing data after the certificate');
  const tbs = expectTlv(der, cert.contentStart, cert.end, TAG.SEQUENCE, 'TBSCertificate');
  const f = children(der, tbs);
  let i = f[0]?.tag === 0xa0 ? 1 : 0; // [0] version
  const [, , issuerT, , subjectT, spkiT] = f.slice(i); // serial, signature, issuer, validity, subject, spki
  if (!issuerT || !subjectT || !spkiT || issuerT.tag !== TAG.SEQUENCE || subjectT.tag !== TAG.SEQUENCE || spkiT.tag !== TAG.SEQUENCE) throw new DerError(tbs.start, 'incomplete TBSCertificate');
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: elementBytes(der, spkiT), format: 'der', type: 'spki' });
  } catch (e) {
    throw new DerError(spkiT.start, `unusable public key (${(e as Error).message})`);
  }
  const out: CaCertificate = {
    where, subjectDer: Buffer.from(elementBytes(der, subjectT)), subject: nameText(der, subjectT),
    issuerDer: Buffer.from(elementBytes(der, issuerT)), issuer: nameText(der, issuerT), publicKey,
    spkiSha256: createHash('sha256').update(elementBytes(der, spkiT)).digest('hex'), crlDistributionPoints: [],
  };
  for (i += 6; i < f.length; i++) {
    if (f[i].tag !== 0xa3) continue;
    const exts = readTlv(der, f[i].contentStart, f[i].end);
    for (const e of children(der, exts)) readCertExtension(der, e, out);
  }
  return out;
}

function readCertExtension(der: Uint8Array, e: Tlv, out: CaCertificate): void {
  const parts = children(der, e);
  const oid = oidText(der, parts[0] ?? e);
  const octets = parts[parts.length - 1];
  if (!octets || octets.tag !== TAG.OCTET_STRING) throw new DerError(e.start, `malformed extension ${oid}`);
  const value = readTlv(der, octets.contentStart, octets.end);
  if (oid === '2.5.29.15') {
    // KeyUsage BIT STRING: first content byte = unused bits; cRLSign is bit 6 (0x02 of the first byte).
    const bits = contentBytes(der, value);
    out.keyUsage = { cRLSign: bits.length > 1 && (bits[1] & 0x02) !== 0 };
  } else if (oid === '2.5.29.14') {
    out.subjectKeyId = contentBytes(der, value).toString('hex');
  } else if (oid === '2.5.29.31') {
    // CRLDistributionPoints: SEQUENCE OF DistributionPoint { [0] { [0] fullName GeneralNames } }: fixed depth.
    for (const dp of children(der, value)) {
      const dpName = children(der, dp).find((c) => c.tag === 0xa0);
      const fullName = dpName ? children(der, dpName).find((c) => c.tag === 0xa0) : undefined;
      for (const gn of fullName ? children(der, fullName) : []) {
        // Escaped: the URL is shown in one-line errors and progress, and a certificate can be anyone's.
        if (gn.tag === 0x86) out.crlDistributionPoints.push(printable(contentBytes(der, gn).toString('latin1')));
      }
    }
  }
}

/** Reads certificates from a file: PEM (one or more CERTIFICATE blocks) or a single DER certificate. */
export function readCertificates(file: string, what: string, flag: string): CaCertificate[] {
  const bytes = readSourceFile(file, what, flag);
  try {
    const text = bytes.toString('latin1');
    if (text.includes('-----BEGIN ')) {
      const blocks = pemBlocks(text).filter((b) => b.type === 'CERTIFICATE');
      if (blocks.length === 0) throw new Error('no CERTIFICATE block');
      return blocks.map((b, n) => parseCertificate(b.der, blocks.length > 1 ? `${file}#${n + 1}` : file));
    }
    return [parseCertificate(bytes, file)];
  } catch (e) {
    if (!(e instanceof DerError || e instanceof PemError || (e instanceof Error && e.message === 'no CERTIFICATE block'))) throw e;
    throw new UserError(file, `not a certificate (${e.message})`, `pass a certificate in PEM or DER to ${flag}`);
  }
}
