/**
 * Checks a CRL's signature with node:crypto over the raw TBSCertList bytes: OpenSSL does the work, so a
 * 100,000-entry CRL costs one hash of its bytes, and no ASN.1 library re-encodes what it parsed.
 */
import { verify } from 'node:crypto';
import type { CaCertificate } from './ca-certificate';
import type { CrlStructure } from './crl-structure';

/** Signature algorithms CAs use for CRLs, by OID: the digest node:crypto needs (null for EdDSA). */
const ALGORITHMS: Record<string, { name: string; digest: string | null; keyType: string }> = {
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', digest: 'sha256', keyType: 'rsa' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', digest: 'sha384', keyType: 'rsa' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', digest: 'sha512', keyType: 'rsa' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', digest: 'sha256', keyType: 'ec' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', digest: 'sha384', keyType: 'ec' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', digest: 'sha512', keyType: 'ec' },
  '1.3.101.112': { name: 'Ed25519', digest: null, keyType: 'ed25519' },
  '1.3.101.113': { name: 'Ed448', digest: null, keyType: 'ed448' },
};

const REFUSED: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption (broken)',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption (SHA-1 is no longer accepted)',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1 (SHA-1 is no longer accepted)',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS (not supported by conngate yet)',
};

/** The algorithm's name, or why it is refused. */
export function signatureAlgorithm(oid: string): { ok: true; name: string } | { ok: false; why: string } {
  const a = ALGORITHMS[oid];
  if (a) return { ok: true, name: a.name };
  return { ok: false, why: REFUSED[oid] ?? `unknown signature algorithm ${oid}` };
}

/** True when `ca`'s key made the CRL's signature. Never throws for a mismatched key type: that is just "no". */
export function crlSignedBy(crl: CrlStructure, ca: CaCertificate): boolean {
  const a = ALGORITHMS[crl.signatureAlgorithmOid];
  if (!a || ca.publicKey.asymmetricKeyType !== a.keyType) return false;
  try {
    return verify(a.digest, crl.tbs, a.keyType === 'ec' ? { key: ca.publicKey, dsaEncoding: 'der' } : ca.publicKey, crl.signature);
  } catch {
    return false;
  }
}
