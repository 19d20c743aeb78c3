/**
 * X.509 CRLs (PEM or DER, several per PEM file) as a revocation source, with the checks a sync must make before
 * trusting one: issuer equal to a given CA's subject, signature by that CA's key (which must allow cRLSign),
 * nextUpdate freshness, and a serial count that fits the store. Parsing is crl-structure.ts (bounded memory).
 */
import { createHash } from 'node:crypto';
import { UserError } from '../diagnostics/user-error';
import type { CaCertificate } from './ca-certificate';
import { DerError } from './der-reader';
import { crlSignedBy, signatureAlgorithm } from './crl-signature';
import { CrlStructure, forEachRevokedSerial, readCrlStructure, UnsupportedCrlError } from './crl-structure';
import { KVS_LIMITS } from './kvs-limits';
import { PemError, pemBlocks } from './pem-blocks';
import { REVOKED_VALUE, RevokedSet } from './revoked-set';
import { readSourceFile } from './source-file';
import type { CrlAuthenticator, CrlHeader, ParsedCrl } from './parsed-crl';

export type { CrlAuthenticator, CrlHeader, ParsedCrl } from './parsed-crl';

/** Parses the CRLs in one file's bytes (PEM with one or more `X509 CRL` blocks, or a single DER CRL). */
export function parseCrlBytes(bytes: Buffer, where: string, authenticate?: CrlAuthenticator): ParsedCrl[] {
  if (bytes.length === 0) throw new UserError(where, 'empty file, not a CRL', 'pass a PEM or DER X.509 CRL');
  if (bytes[0] !== 0x30 && bytes.includes('-----BEGIN ')) {
    let blocks;
    try {
      blocks = pemBlocks(bytes.toString('latin1'));
    } catch (e) {
      if (!(e instanceof PemError)) throw e;
      throw new UserError(where, e.message, 'pass the complete CRL file');
    }
    const crls = blocks.filter((b) => b.type === 'X509 CRL');
    if (crls.length === 0) {
      throw new UserError(where, `not a CRL (found PEM ${[...new Set(blocks.map((b) => b.type))].join(', ')})`,
        'pass an X.509 CRL ("-----BEGIN X509 CRL-----"), e.g. from `openssl ca -gencrl`');
    }
    return crls.map((b, i) => decodeCrl(b.der, crls.length > 1 ? `${where}#${i + 1}` : where, authenticate));
  }
  return [decodeCrl(bytes, where, authenticate)];
}

function decodeCrl(der: Buffer, where: string, authenticate?: CrlAuthenticator): ParsedCrl {
  // A DER CRL is a SEQUENCE; anything else is text or some other file handed over by mistake.
  if (der[0] !== 0x30) throw new UserError(where, 'not a CRL (neither PEM nor DER ASN.1)', 'pass a PEM or DER X.509 CRL');
  try {
    const structure = readCrlStructure(der);
    const nameScopeId = crlScopeId(structure);
    const verifiedBy = authenticate?.({ where, issuer: structure.issuer, issuerDer: structure.issuerDer, nameScopeId, structure });
    const caKey = verifiedBy?.spkiSha256;
    const scopeId = crlScopeId(structure, caKey);
    const serials: string[] = [];
    let bytes = 0;
    let count = 0;
    forEachRevokedSerial(structure, (serial) => {
      count++;
      // The canonical key is the hex of the bytes (2 characters each), plus the one-byte value.
      bytes += serial.length * 2 + REVOKED_VALUE.length;
      // Past the store's size the serials are only counted: memory stays bounded however long the CRL is.
      if (bytes <= KVS_LIMITS.maxStoreBytes) serials.push(serial.toString('hex'));
    });
    if (bytes > KVS_LIMITS.maxStoreBytes) throw storeSizeRefusal(where, count, bytes);
    return {
      where, issuer: structure.issuer, issuerDer: structure.issuerDer, thisUpdate: structure.thisUpdate,
      nextUpdate: structure.nextUpdate, crlNumber: structure.crlNumber, scopeId, nameScopeId, caKey, serials, structure, verifiedBy,
    };
  } catch (e) {
    if (e instanceof UnsupportedCrlError) throw new UserError(where, `refused: ${e.message}`, e.fix);
    if (!(e instanceof DerError)) throw e;
    const truncated = /end of data|past the end/.test(e.message);
    throw new UserError(where, truncated ? `truncated or corrupt CRL (${e.message})` : `not a CRL (${e.message})`,
      truncated ? 'fetch the CRL again; the file is incomplete' : 'pass a PEM or DER X.509 CRL');
  }
}

/**
 * The arithmetic of a CRL too large for one store. Each serial costs its canonical key (2 hex characters per
 * byte) plus the one-byte value: 33 bytes for the common 16-byte serial, 41 for a 20-byte one.
 */
export function storeSizeRefusal(where: string, count: number, bytes: number): UserError {
  const per = bytes / count;
  const fit = Math.floor(KVS_LIMITS.maxStoreBytes / Math.ceil(per));
  return new UserError(where,
    `the CRL revokes ${count.toLocaleString('en-US')} certificates: ${bytes.toLocaleString('en-US')} bytes as KeyValueStore keys and values ` +
    `(${per.toFixed(1)} bytes per serial), over the store's ${KVS_LIMITS.maxStoreBytes.toLocaleString('en-US')} bytes, which hold at most ` +
    `${fit.toLocaleString('en-US')} serials of this size; nothing was written`,
    'ask the CA to partition its CRL or drop expired certificates from it, or split the issuers across stages\' stores');
}

/**
 * A CRL's scope id, 32 hex characters. With the verifying key (caKey, SHA-256 of its SubjectPublicKeyInfo):
 * sha-256 of a version label, the key digest, the issuer's DER name and the issuingDistributionPoint; the label
 * and the fixed-length digest first keep it apart from the key-less form, sha-256 of the name and the
 * issuingDistributionPoint alone (the form of marks written before they were bound to keys, and of unverified
 * CRLs). DER elements are self-delimiting, so no two inputs concatenate to the same bytes.
 */
export function crlScopeId(s: Pick<CrlStructure, 'issuerDer' | 'scopeDer'>, caKey?: string): string {
  const h = createHash('sha256');
  if (caKey) h.update('conngate crl scope v2\0').update(Buffer.from(caKey, 'hex'));
  h.update(s.issuerDer);
  if (s.scopeDer) h.update(s.scopeDer);
  return h.digest('hex').slice(0, 32);
}

/** Reads and parses the CRLs in a file. */
export function readCrlFile(file: string, authenticate?: CrlAuthenticator): ParsedCrl[] {
  return parseCrlBytes(readSourceFile(file, 'CRL file', '--crl'), file, authenticate);
}

/**
 * Refuses a CRL unless one of the CA certificates has its issuer as subject (DER equal), allows cRLSign when it
 * states a key usage, and has the key that made its signature. A CRL signed by someone else could un-revoke
 * certificates, so there is no override short of --insecure-skip-crl-verify.
 */
export function verifyCrl(crl: CrlHeader, cas: CaCertificate[]): CaCertificate {
  const alg = signatureAlgorithm(crl.structure.signatureAlgorithmOid);
  if (!alg.ok) throw new UserError(crl.where, `refused: signed with ${alg.why}`, 'ask the CA for a CRL signed with SHA-256 (or stronger) RSA, ECDSA or EdDSA');
  const named = cas.filter((ca) => ca.subjectDer.equals(crl.issuerDer));
  if (named.length === 0) {
    throw new UserError(crl.where, `CRL issuer "${crl.issuer}" is not the subject of any --ca certificate (${cas.map((c) => `"${c.subject}"`).join(', ')})`,
      'pass the certificate of the CA that issued this CRL to --ca');
  }
  // RFC 5280 5.2.1: the CRL's authority key identifier names the key that signed it. When both sides state one, a
  // CA certificate whose subject key identifier differs is not this CRL's signer, whatever the name says.
  const aki = crl.structure.authorityKeyId;
  const candidates = named.filter((ca) => !aki || !ca.subjectKeyId || ca.subjectKeyId === aki);
  if (candidates.length === 0) {
    throw new UserError(crl.where, `the CRL's authority key identifier ${aki} is not the subject key identifier of any --ca certificate named "${crl.issuer}" ` +
      `(${named.map((c) => `${c.where}: ${c.subjectKeyId}`).join(', ')})`, 'pass the certificate of the CA key that signed this CRL to --ca');
  }
  for (const ca of candidates) {
    if (!crlSignedBy(crl.structure, ca)) continue;
    if (ca.keyUsage && !ca.keyUsage.cRLSign) {
      throw new UserError(crl.where, `the CA certificate ${ca.where} ("${ca.subject}") does not allow cRLSign in its key usage`,
        'pass the certificate the CA uses for signing CRLs');
    }
    return ca;
  }
  throw new UserError(crl.where, `signature does not verify against ${candidates.map((c) => c.where).join(', ')} (${alg.name}, CRL issuer "${crl.issuer}")`,
    'pass the certificate of the CA that issued this CRL to --ca, or fetch the CRL again');
}

/** How far a CRL's thisUpdate may lie in the future (clock skew between the CA and this machine). */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Refuses a CRL whose nextUpdate has passed (a newer one exists and may revoke more) unless allowStale, and one
 * issued in the future (a wrong clock here or at the CA makes every later comparison meaningless).
 */
export function checkCrlFresh(crl: ParsedCrl, now: Date, allowStale = false): void {
  if (crl.thisUpdate.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) {
    throw new UserError(crl.where, `CRL issued in the future: thisUpdate ${crl.thisUpdate.toISOString()} is after now (${now.toISOString()})`,
      'check this machine\'s clock and the CA\'s');
  }
  if (!allowStale && crl.nextUpdate && crl.nextUpdate.getTime() < now.getTime()) {
    throw new UserError(crl.where, `stale CRL: nextUpdate ${crl.nextUpdate.toISOString()} has passed (issuer "${crl.issuer}")`,
      'fetch the current CRL from the CA, or pass --allow-stale to apply this one anyway');
  }
}

/** The revoked set of a list of parsed CRLs. */
export function crlsToRevokedSet(crls: ParsedCrl[]): RevokedSet {
  const entries = new Map<string, string>();
  for (const c of crls) for (const s of c.serials) entries.set(s, REVOKED_VALUE);
  return { entries, inputs: crls.map((c) => `${c.where} (CRL of "${c.issuer}"${c.crlNumber ? ` number ${c.crlNumber}` : ''}, ${c.serials.length} revoked)`) };
}
