/** What a parsed CRL holds, apart from the parsing: the high-water marks and the revoked set read these types too. */
import type { CaCertificate } from './ca-certificate';
import type { CrlStructure } from './crl-structure';

/** One parsed CRL. */
export interface ParsedCrl {
  /** file or URL (and block number for multi-CRL PEM files) it came from */
  where: string;
  issuer: string;
  issuerDer: Buffer;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** cRLNumber, lowercase hex without leading zeros */
  crlNumber?: string;
  /**
   * identifies the CRL's history: its issuer name, its scope (issuingDistributionPoint) and the key that verified
   * it; the high-water mark is kept per scopeId. For an unverified CRL (no key) it is nameScopeId.
   */
  scopeId: string;
  /** the issuer name and scope alone (the form marks had before they were bound to a key) */
  nameScopeId: string;
  /** SHA-256 of the verifying CA's SubjectPublicKeyInfo, hex; undefined when not verified */
  caKey?: string;
  /** canonical serials of the revoked certificates */
  serials: string[];
  structure: CrlStructure;
  /** the CA whose key signed it, when it was verified while parsing (see CrlAuthenticator) */
  verifiedBy?: CaCertificate;
}

/** What a CRL is before its entries are read: enough to check its signature and its scope. */
export type CrlHeader = Pick<ParsedCrl, 'where' | 'issuer' | 'issuerDer' | 'nameScopeId' | 'structure'>;

/**
 * Admits a CRL once its header is read and before its entries are walked: until then the bytes are anyone's, and
 * walking 64 MB of entries costs seconds. Returns the CA whose signature it checked (undefined when the caller
 * skips verification), or throws.
 */
export type CrlAuthenticator = (crl: CrlHeader) => CaCertificate | undefined;
