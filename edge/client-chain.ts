import { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicConstraints, id_ce_basicConstraints, id_ce_keyUsage, KeyUsage, KeyUsageFlags } from '@peculiar/asn1-x509';
import type { ConnectionFailureReason } from '../connection-logs/connection-log-record';
import { certificateExtension, MAX_CHAIN_DEPTH } from '../runtime/payload';

/** How a trust store validates client certificates (the distribution's TrustStoreConfig and the store itself). */
export interface TrustStoreView {
  /** The CA certificates of the bundle the store last read. */
  cas: X509Certificate[];
  ignoreCertificateExpiry: boolean;
  useOcsp: boolean;
}

/** A chain that validated: the leaf, the intermediates the client sent (leaf's issuer first), and the trust anchor. */
export interface ValidatedChain { leaf: X509Certificate; intermediates: X509Certificate[]; anchor: X509Certificate }

export type ChainVerdict = { ok: true; chain: ValidatedChain } | { ok: false; reason: ConnectionFailureReason; detail: string };

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

/** One extension's value, copied out (the leaf's key usage is read on every handshake: no full parse of the certificate). */
function extensionOf(cert: X509Certificate, oid: string): ArrayBuffer | undefined {
  const value = certificateExtension(cert.raw, oid);
  return value && new Uint8Array(value).buffer;
}

/** By certificate object: a trust store's CAs are parsed once, not on every handshake (a parse costs ~0.3 ms). */
const pathLens = new WeakMap<X509Certificate, number | undefined>();

/** The basicConstraints pathLenConstraint of a CA certificate, if it has one. */
function pathLenOf(cert: X509Certificate): number | undefined {
  if (pathLens.has(cert)) return pathLens.get(cert);
  const ext = extensionOf(cert, id_ce_basicConstraints);
  const limit = ext ? AsnConvert.parse(ext, BasicConstraints).pathLenConstraint : undefined;
  pathLens.set(cert, limit);
  return limit;
}

/** Whether a leaf's key usage, when it has one, lets its key sign a TLS handshake (digitalSignature, or keyAgreement as OpenSSL's client purpose). */
function keyMaySignHandshake(cert: X509Certificate): boolean {
  const ext = extensionOf(cert, id_ce_keyUsage);
  if (!ext) return true;
  const flags = AsnConvert.parse(ext, KeyUsage).toNumber();
  return (flags & (KeyUsageFlags.digitalSignature | KeyUsageFlags.keyAgreement)) !== 0;
}

function issued(child: X509Certificate, issuer: X509Certificate): boolean {
  return child.checkIssued(issuer) && child.verify(issuer.publicKey);
}

/**
 * The certificates the client sent that link from the leaf upwards (each issued and signed by the next), leaf
 * excluded. What a function sees as `intermediates` in passthrough mode, where nothing is validated.
 */
export function linkedIntermediates(leaf: X509Certificate, sent: X509Certificate[], limit = MAX_CHAIN_DEPTH - 1): X509Certificate[] {
  const out: X509Certificate[] = [];
  let child = leaf;
  while (out.length < limit) {
    const next = sent.find((c) => !out.includes(c) && c !== leaf && issued(child, c));
    if (!next || (next.checkIssued(next) && next.verify(next.publicKey))) break;
    out.push(next);
    child = next;
  }
  return out;
}

/**
 * Validates a client's certificate chain as CloudFront documents it for a trust store: a path from the leaf
 * through the intermediates the client sent to a CA of the bundle, at most MAX_CHAIN_DEPTH certificates deep
 * (leaf and anchor included), every certificate within its validity (expiry forgiven with IgnoreCertificateExpiry;
 * not-yet-valid never), intermediates that are CAs, and a leaf whose extended key usage, when present, allows
 * client authentication. Which reason code each failure gets is documented by name only; the mapping is ours.
 */
export function validateClientChain(sent: X509Certificate[], store: TrustStoreView, now: Date): ChainVerdict {
  const leaf = sent[0];
  const pool = sent.slice(1);
  const path: X509Certificate[] = [leaf];
  let anchor: X509Certificate | undefined;
  // Longer paths than the depth limit are not searched: a client cannot make the edge walk an endless chain.
  while (path.length <= MAX_CHAIN_DEPTH) {
    const top = path[path.length - 1];
    anchor = store.cas.find((ca) => issued(top, ca));
    if (anchor) break;
    const next = pool.find((c) => !path.includes(c) && issued(top, c));
    if (!next) break;
    path.push(next);
  }
  if (!anchor) {
    return path.length > MAX_CHAIN_DEPTH
      ? { ok: false, reason: 'ClientCertMaxChainDepthExceeded', detail: `no trusted CA within ${MAX_CHAIN_DEPTH} certificates` }
      : { ok: false, reason: 'ClientCertUntrusted', detail: 'no CA of the trust store issued the chain' };
  }
  // A trust anchor that is itself the leaf (a client presenting a CA of the bundle) still counts as one level.
  const anchorIsLeaf = path.length === 1 && anchor.raw.equals(leaf.raw);
  const depth = path.length + (anchorIsLeaf ? 0 : 1);
  if (depth > MAX_CHAIN_DEPTH) {
    return { ok: false, reason: 'ClientCertMaxChainDepthExceeded', detail: `chain of ${depth} certificates, more than ${MAX_CHAIN_DEPTH}` };
  }
  const t = now.getTime();
  for (const c of [...path, anchor]) {
    if (Date.parse(c.validFrom) > t) return { ok: false, reason: 'ClientCertNotYetValid', detail: `${c.subject.replace(/\n/g, ', ')} is valid from ${c.validFrom}` };
    if (Date.parse(c.validTo) < t && !store.ignoreCertificateExpiry) {
      return { ok: false, reason: 'ClientCertExpired', detail: `${c.subject.replace(/\n/g, ', ')} expired ${c.validTo}` };
    }
  }
  for (const c of path.slice(1)) {
    if (!c.ca) return { ok: false, reason: 'ClientCertInvalid', detail: `intermediate ${c.subject.replace(/\n/g, ', ')} is not a CA` };
  }
  // A CA may limit how many intermediates follow it (RFC 5280 4.2.1.9; OpenSSL holds the trust anchor to it too).
  const cas = anchorIsLeaf ? path.slice(1) : [...path.slice(1), anchor];
  for (const [i, c] of cas.entries()) {
    const limit = pathLenOf(c);
    if (limit !== undefined && i > limit) {
      return { ok: false, reason: 'ClientCertInvalid', detail: `${c.subject.replace(/\n/g, ', ')} allows ${limit} intermediates below it, the chain has ${i}` };
    }
  }
  const usages = leaf.keyUsage;
  if (usages && usages.length > 0 && !usages.includes(CLIENT_AUTH) && !usages.includes(ANY_EXTENDED_KEY_USAGE)) {
    return { ok: false, reason: 'ClientCertIntentInvalid', detail: 'the extended key usage does not allow client authentication' };
  }
  // A CA certificate of the bundle presented as the client's own has keyCertSign and cRLSign only: refused here too.
  if (!keyMaySignHandshake(leaf)) {
    return { ok: false, reason: 'ClientCertIntentInvalid', detail: 'the key usage allows neither digitalSignature nor keyAgreement' };
  }
  return { ok: true, chain: { leaf, intermediates: path.slice(1), anchor } };
}
