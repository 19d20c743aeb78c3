/**
 * The structure of a DER X.509 CRL (RFC 5280 section 5), read with der-reader.ts in one pass over the bytes:
 * the header fields the sync checks, the raw TBSCertList and signature for node:crypto, and a walk over the
 * revoked certificates that returns serials one at a time, so a 100,000-entry CRL costs its serial strings and
 * nothing per ASN.1 node.
 *
 * Refused here, because applying them as a full CRL would un-revoke certificates or trust the wrong signer:
 * delta CRLs, indirect CRLs (IDP indirectCRL, or an entry's certificateIssuer), CRLs that cover only some
 * reasons or only attribute certificates, and any unknown critical extension (RFC 5280 says a CRL with one
 * must not be used).
 */
import {
  children, contentBytes, DerError, elementBytes, expectTlv, integerHex, integerMagnitude, oidText, readTime, readTlv, TAG, Tlv,
} from './der-reader';
import { nameText } from './distinguished-name';

const EXT = {
  authorityKeyIdentifier: '2.5.29.35',
  cRLNumber: '2.5.29.20',
  deltaCRLIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  freshestCRL: '2.5.29.46',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  reasonCode: '2.5.29.21',
  holdInstructionCode: '2.5.29.23',
  invalidityDate: '2.5.29.24',
  certificateIssuer: '2.5.29.29',
} as const;

const KNOWN_CRL_EXTENSIONS = new Set<string>([EXT.authorityKeyIdentifier, EXT.cRLNumber, EXT.issuingDistributionPoint,
  EXT.freshestCRL, EXT.authorityInfoAccess]);
const KNOWN_ENTRY_EXTENSIONS = new Set<string>([EXT.reasonCode, EXT.holdInstructionCode, EXT.invalidityDate]);

/** Why a CRL cannot be applied as a full, direct CRL: a structural fact, not a decoding error. */
export class UnsupportedCrlError extends Error {
  constructor(what: string, readonly fix: string) {
    super(what);
    this.name = 'UnsupportedCrlError';
  }
}

/** The header of a CRL and where its parts are in `der`. */
export interface CrlStructure {
  der: Uint8Array;
  /** the signed bytes (the whole TBSCertList element) */
  tbs: Buffer;
  signatureAlgorithmOid: string;
  /** the whole AlgorithmIdentifier element (parameters matter for RSA-PSS) */
  signatureAlgorithm: Buffer;
  /** the signature bits (BIT STRING content without its unused-bits byte) */
  signature: Buffer;
  /** the issuer Name element, DER */
  issuerDer: Buffer;
  issuer: string;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** cRLNumber as lowercase hex without leading zeros, when present */
  crlNumber?: string;
  /** the issuingDistributionPoint extension value, DER, when present: names the CRL's scope (partition) */
  scopeDer?: Buffer;
  /**
   * the URIs of the issuingDistributionPoint's fullName, as latin1 text (untrusted until the signature is checked):
   * where the CA says this CRL is published, compared with the URL it was fetched from
   */
  scopeUris?: string[];
  /** the authorityKeyIdentifier keyIdentifier, hex, when present */
  authorityKeyId?: string;
  /** where the revokedCertificates SEQUENCE is, if any */
  revoked?: Tlv;
}

/** Parses the outer structure and header of a DER CRL. Throws DerError or UnsupportedCrlError. */
export function readCrlStructure(der: Uint8Array): CrlStructure {
  const outer = expectTlv(der, 0, der.length, TAG.SEQUENCE, 'CertificateList');
  if (outer.end !== der.length) throw new DerError(outer.end, `${der.length - outer.end} bytes of trailing data after the CRL`);
  const [tbsT, algT, sigT, ...extra] = children(der, outer);
  if (!tbsT || !algT || !sigT || extra.length > 0) throw new DerError(outer.start, 'CertificateList must have exactly 3 parts');
  if (tbsT.tag !== TAG.SEQUENCE || algT.tag !== TAG.SEQUENCE || sigT.tag !== TAG.BIT_STRING) {
    throw new DerError(outer.start, 'CertificateList parts have the wrong types');
  }
  if (sigT.end - sigT.contentStart < 2 || der[sigT.contentStart] !== 0) throw new DerError(sigT.start, 'malformed signature BIT STRING');

  let p = tbsT.contentStart;
  let t = readTlv(der, p, tbsT.end);
  if (t.tag === TAG.INTEGER) {
    const v = integerHex(der, t);
    if (v !== '01') throw new DerError(t.start, `unsupported CRL version ${v} (only v1 and v2 exist)`);
    p = t.end;
    t = readTlv(der, p, tbsT.end);
  }
  const innerAlg = t;
  if (innerAlg.tag !== TAG.SEQUENCE) throw new DerError(innerAlg.start, 'expected the TBSCertList signature AlgorithmIdentifier');
  if (!elementBytes(der, innerAlg).equals(elementBytes(der, algT))) {
    throw new DerError(algT.start, 'the signature algorithm inside the CRL differs from the one outside');
  }
  const issuerT = readTlv(der, innerAlg.end, tbsT.end);
  if (issuerT.tag !== TAG.SEQUENCE) throw new DerError(issuerT.start, 'expected the issuer Name');
  const thisT = readTlv(der, issuerT.end, tbsT.end);
  const thisUpdate = readTime(der, thisT);
  p = thisT.end;
  let nextUpdate: Date | undefined;
  let revoked: Tlv | undefined;
  let extsT: Tlv | undefined;
  while (p < tbsT.end) {
    t = readTlv(der, p, tbsT.end);
    if ((t.tag === TAG.UTC_TIME || t.tag === TAG.GENERALIZED_TIME) && !nextUpdate && !revoked && !extsT) nextUpdate = readTime(der, t);
    else if (t.tag === TAG.SEQUENCE && !revoked && !extsT) revoked = t;
    else if (t.tag === 0xa0 && !extsT) extsT = t;
    else throw new DerError(t.start, `unexpected element (tag 0x${t.tag.toString(16)}) in TBSCertList`);
    p = t.end;
  }

  const algChildren = children(der, algT);
  const structure: CrlStructure = {
    der, tbs: elementBytes(der, tbsT), signatureAlgorithm: elementBytes(der, algT),
    signatureAlgorithmOid: oidText(der, algChildren[0] ?? algT),
    signature: Buffer.from(der.buffer, der.byteOffset + sigT.contentStart + 1, sigT.end - sigT.contentStart - 1),
    issuerDer: elementBytes(der, issuerT), issuer: nameText(der, issuerT), thisUpdate, nextUpdate, revoked,
  };
  if (extsT) readCrlExtensions(der, extsT, structure);
  return structure;
}

interface Extension {
  oid: string;
  critical: boolean;
  /** the extnValue OCTET STRING's content (the extension's own DER) */
  value: Tlv;
}

/** Reads an Extensions SEQUENCE (two fixed levels). Duplicates are refused (RFC 5280 4.2). */
function readExtensions(der: Uint8Array, seq: Tlv): Extension[] {
  if (seq.tag !== TAG.SEQUENCE) throw new DerError(seq.start, 'expected Extensions');
  const seen = new Set<string>();
  return children(der, seq).map((e) => {
    if (e.tag !== TAG.SEQUENCE) throw new DerError(e.start, 'expected an Extension');
    const parts = children(der, e);
    const oid = oidText(der, parts[0] ?? e);
    let i = 1;
    let critical = false;
    if (parts[i]?.tag === TAG.BOOLEAN) {
      // One byte, as DER requires: an empty BOOLEAN's "first byte" would be the next element's tag.
      if (parts[i].end - parts[i].contentStart !== 1) throw new DerError(parts[i].start, `extension ${oid}: the critical flag is not one byte`);
      critical = der[parts[i].contentStart] !== 0;
      i++;
    }
    const octets = parts[i];
    if (!octets || octets.tag !== TAG.OCTET_STRING || parts.length !== i + 1) throw new DerError(e.start, `malformed extension ${oid}`);
    if (seen.has(oid)) throw new DerError(e.start, `extension ${oid} appears twice`);
    seen.add(oid);
    // Re-base the value's TLV on the whole buffer: it is DER inside the OCTET STRING.
    const value = readTlv(der, octets.contentStart, octets.end);
    if (value.end !== octets.end) throw new DerError(value.end, `trailing data in extension ${oid}`);
    return { oid, critical, value };
  });
}

function readCrlExtensions(der: Uint8Array, wrapper: Tlv, out: CrlStructure): void {
  const inner = readTlv(der, wrapper.contentStart, wrapper.end);
  if (inner.end !== wrapper.end) throw new DerError(inner.end, 'trailing data after crlExtensions');
  for (const ext of readExtensions(der, inner)) {
    switch (ext.oid) {
      case EXT.deltaCRLIndicator:
        throw new UnsupportedCrlError('a delta CRL (deltaCRLIndicator): it lists only changes since a base CRL, and applying it alone would un-revoke everything else',
          'pass the full (base) CRL the CA publishes; delta CRLs are not supported');
      case EXT.cRLNumber:
        // RFC 5280 5.2.3: at most 20 octets. Longer would not fit the high-water mark and is no real CA's.
        if (ext.value.end - ext.value.contentStart > 21) throw new DerError(ext.value.start, 'cRLNumber longer than 20 octets');
        out.crlNumber = integerHex(der, ext.value);
        break;
      case EXT.issuingDistributionPoint:
        out.scopeUris = checkIssuingDistributionPoint(der, ext.value);
        out.scopeDer = elementBytes(der, ext.value);
        break;
      case EXT.authorityKeyIdentifier: {
        const keyId = children(der, ext.value).find((c) => c.tag === 0x80);
        if (keyId) out.authorityKeyId = contentBytes(der, keyId).toString('hex');
        break;
      }
      default:
        if (ext.critical && !KNOWN_CRL_EXTENSIONS.has(ext.oid)) {
          throw new UnsupportedCrlError(`an unknown critical CRL extension ${ext.oid}`, 'a CRL with a critical extension conngate does not understand must not be used; ask the CA');
        }
    }
  }
}

/**
 * Accepts a scope (a partition by distribution point, user certificates only); refuses what would mislead. A CRL
 * of CA certificates only does not cover client certificates at all: applied as a stage's source it would
 * un-revoke every client certificate. Fields are the five RFC 5280 defines, in their DER (implicit) tags.
 */
function checkIssuingDistributionPoint(der: Uint8Array, idp: Tlv): string[] {
  if (idp.tag !== TAG.SEQUENCE) throw new DerError(idp.start, 'malformed issuingDistributionPoint');
  const uris: string[] = [];
  for (const field of children(der, idp)) {
    if (field.tag === 0xa0) {
      // distributionPoint [0] { fullName [0] GeneralNames }: the uniformResourceIdentifier [6] names. A
      // nameRelativeToCRLIssuer [1] carries no URI (no URL can then be checked against it).
      const fullName = children(der, field).find((c) => c.tag === 0xa0);
      for (const gn of fullName ? children(der, fullName) : []) if (gn.tag === 0x86) uris.push(contentBytes(der, gn).toString('latin1'));
    }
    if (![0xa0, 0x81, 0x82, 0x83, 0x84, 0x85].includes(field.tag)) {
      throw new DerError(field.start, `unknown issuingDistributionPoint field (tag 0x${field.tag.toString(16)})`);
    }
    const on = field.end > field.contentStart && der[field.contentStart] !== 0;
    if (field.tag === 0x82 && on) {
      throw new UnsupportedCrlError('a CRL of CA certificates only (onlyContainsCACerts): client certificates are not in it',
        'pass the CRL the CA publishes for the client certificates it issues');
    }
    if (field.tag === 0x84 && on) {
      throw new UnsupportedCrlError('an indirect CRL (issuingDistributionPoint indirectCRL): its entries may belong to other CAs',
        'pass a direct CRL signed by the CA that issued the certificates; indirect CRLs are not supported');
    }
    if (field.tag === 0x83) {
      throw new UnsupportedCrlError('a CRL that covers only some revocation reasons (onlySomeReasons): certificates revoked for other reasons are not in it',
        'pass the CA\'s full CRL');
    }
    if (field.tag === 0x85 && on) {
      throw new UnsupportedCrlError('a CRL of attribute certificates only (onlyContainsAttributeCerts)', 'pass the CRL of the CA\'s client certificates');
    }
  }
  return uris;
}

/**
 * Calls `onSerial` with each revoked certificate's serial bytes without leading zero bytes (a view into the CRL,
 * valid during the call; its hex is the canonical serial), in order. Entry extensions are checked:
 * certificateIssuer (an indirect CRL) and unknown critical ones are refused.
 */
export function forEachRevokedSerial(crl: CrlStructure, onSerial: (serial: Buffer, index: number) => void): number {
  const { der, revoked } = crl;
  if (!revoked) return 0;
  let p = revoked.contentStart;
  let n = 0;
  while (p < revoked.end) {
    const entry = readTlv(der, p, revoked.end);
    if (entry.tag !== TAG.SEQUENCE) throw new DerError(entry.start, `revoked entry ${n + 1} is not a SEQUENCE`);
    const serialT = readTlv(der, entry.contentStart, entry.end);
    const dateT = readTlv(der, serialT.end, entry.end);
    // The revocation date is not used; its type and size are checked, not its digits (a hot loop at 1,000,000 entries).
    const dateLen = dateT.end - dateT.contentStart;
    if (!((dateT.tag === TAG.UTC_TIME && dateLen === 13) || (dateT.tag === TAG.GENERALIZED_TIME && dateLen === 15))) {
      throw new DerError(dateT.start, `revoked entry ${n + 1} has no valid revocationDate`);
    }
    if (dateT.end < entry.end) {
      const extsT = readTlv(der, dateT.end, entry.end);
      if (extsT.end !== entry.end) throw new DerError(extsT.end, `trailing data in revoked entry ${n + 1}`);
      for (const ext of readExtensions(der, extsT)) {
        if (ext.oid === EXT.certificateIssuer) {
          throw new UnsupportedCrlError(`an indirect CRL (entry ${n + 1} names another certificateIssuer)`,
            'pass a direct CRL signed by the CA that issued the certificates; indirect CRLs are not supported');
        }
        if (ext.critical && !KNOWN_ENTRY_EXTENSIONS.has(ext.oid)) {
          throw new UnsupportedCrlError(`an unknown critical extension ${ext.oid} in entry ${n + 1}`, 'ask the CA; such a CRL must not be used');
        }
      }
    }
    onSerial(integerMagnitude(der, serialT), n);
    n++;
    p = entry.end;
  }
  return n;
}
