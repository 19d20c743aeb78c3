import { createHash, createHmac, createPrivateKey, createPublicKey, sign as cryptoSign, timingSafeEqual, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import { UserError } from '../../diagnostics/user-error';

/** Where a record was produced: the real AWS or an emulator. Emulator records never open a gate on AWS. */
export type EndpointKind = 'aws' | 'emulator';

/**
 * What a piece of evidence asserts, field by field. The signature covers every field, so a tag edited by anyone
 * with `cloudfront:TagResource` (or a record copied from another stage, function or code) no longer verifies.
 */
export interface EvidenceClaims {
  stage: string;
  functionArn: string;
  /** The AWS account the record speaks for (a record from another account never counts for this one). */
  account: string;
  /** What the record was produced against. */
  endpoint: EndpointKind;
  /**
   * The stage's evidence sequence number: every record a stage gets is numbered above all before it, and the
   * stage's store names the newest (evidence-head.ts), so an older record put back is told from the newest.
   */
  seq: number;
  /** The sequence number of the stage's newest passed evidence when this was signed (its own seq when passed). */
  verifiedSeq: number;
  candidateSha256: string;
  suiteSha256: string;
  /** The LIVE ETag the verification ran against: a later publish (by anyone) makes the evidence stale. */
  liveEtag: string;
  result: 'passed' | 'failed';
  time: string;
}

export interface SignedEvidence extends EvidenceClaims {
  /** Which key signed: lets a verifier pick the key, and refuse evidence of a key it no longer trusts. */
  keyId: string;
  /** base64url signature over evidenceMessage(); empty for unsigned evidence (insecure opt-out only). */
  signature: string;
}

export const UNSIGNED_KEY_ID = 'unsigned';

/** The shortest HMAC secret signed with or trusted: anything shorter is guessable. */
export const MIN_HMAC_SECRET_BYTES = 16;

/**
 * The largest evidence sequence number: 15 digits, all the function's tags carry back (evidence.ts). The stage's
 * head may name no more, and no record is signed above it: a number past it would be signed, tagged, and never read
 * back as a record, so every later run would record evidence that never counts.
 */
export const MAX_EVIDENCE_SEQ = 999_999_999_999_999;

export function isEvidenceSeq(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= MAX_EVIDENCE_SEQ;
}

/** The exact bytes that are signed: a versioned, newline-separated list, every field checked to hold no newline. */
export function evidenceMessage(c: EvidenceClaims, keyId: string): Buffer {
  for (const n of [c.seq, c.verifiedSeq]) {
    if (!isEvidenceSeq(n)) throw new Error(`evidence sequence ${JSON.stringify(n)} cannot be signed`);
  }
  const fields = ['conngate-evidence/2', keyId, c.stage, c.functionArn, c.account, c.endpoint, String(c.seq), String(c.verifiedSeq),
    c.candidateSha256, c.suiteSha256, c.liveEtag, c.result, c.time];
  for (const f of fields) {
    if (typeof f !== 'string' || /[\n\r]/.test(f)) throw new Error(`evidence field ${JSON.stringify(f)} cannot be signed`);
  }
  return Buffer.from(fields.join('\n'), 'utf8');
}

/**
 * The identity of one signed record: a digest over everything it asserts and its signature. The stage's store keeps
 * the digest of its newest evidence, so a record that verifies but is not that one (put back with TagResource) is
 * refused.
 */
export function evidenceDigest(e: SignedEvidence): string {
  return createHash('sha256').update(evidenceMessage(e, e.keyId)).update('\n').update(e.signature).digest('hex');
}

/**
 * What a client reaches: conngate sends its calls to the real AWS unless an endpoint is set, and an endpoint is
 * always an emulator (aws/clients.ts), so the client's own configuration says which kind a record is made against.
 */
export function endpointKindOf(client: { config: { isCustomEndpoint?: boolean } }): EndpointKind {
  return client.config.isCustomEndpoint ? 'emulator' : 'aws';
}

/** The account in a CloudFront ARN (`arn:aws:cloudfront::<account>:...`), or '' when it has none. */
export function arnAccount(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/** Signs evidence. `keyId` names the key so a verifier can tell which one (and whether it still trusts it). */
export interface EvidenceSigner {
  readonly keyId: string;
  readonly kind: 'hmac' | 'ed25519' | 'kms' | 'unsigned';
  sign(message: Buffer): Promise<string>;
}

/** Checks one signature made by the key it is named after. */
export interface EvidenceVerifierKey {
  readonly keyId: string;
  verify(message: Buffer, signature: string): Promise<boolean>;
}

/** HMAC key ids derive from the secret through HMAC itself, so the id reveals nothing a signature does not. */
function hmacKeyId(secret: Buffer): string {
  return `hmac-${createHmac('sha256', secret).update('conngate evidence key id').digest('hex').slice(0, 16)}`;
}

function publicKeyId(prefix: string, pub: KeyObject): string {
  return `${prefix}-${createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16)}`;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function hmacSigner(secretText: string): EvidenceSigner & EvidenceVerifierKey {
  const secret = Buffer.from(secretText, 'utf8');
  const mac = (m: Buffer) => createHmac('sha256', secret).update(m).digest('base64url');
  return {
    keyId: hmacKeyId(secret), kind: 'hmac',
    sign: async (m) => mac(m),
    verify: async (m, s) => safeEqual(mac(m), s),
  };
}

/** A verifier for a public key (Ed25519, or the EC/RSA public key of a KMS signing key). */
export function publicKeyVerifier(pub: KeyObject, keyId?: string): EvidenceVerifierKey {
  const ed = pub.asymmetricKeyType === 'ed25519';
  return {
    keyId: keyId ?? publicKeyId(ed ? 'ed25519' : 'pk', pub),
    verify: async (m, s) => {
      try {
        return cryptoVerify(ed ? null : 'sha256', m, pub, Buffer.from(s, 'base64url'));
      } catch {
        return false;
      }
    },
  };
}

export function ed25519Signer(pem: string, where: string): EvidenceSigner & EvidenceVerifierKey {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (e) {
    throw new UserError(where, `not a readable private key PEM (${(e as Error).message})`, 'make one with `openssl genpkey -algorithm ed25519 -out evidence-key.pem`');
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new UserError(where, `is a ${key.asymmetricKeyType} key, not Ed25519`, 'make one with `openssl genpkey -algorithm ed25519 -out evidence-key.pem`');
  }
  const verifier = publicKeyVerifier(createPublicKey(key));
  return {
    keyId: verifier.keyId, kind: 'ed25519',
    sign: async (m) => cryptoSign(null, m, key).toString('base64url'),
    verify: verifier.verify,
  };
}

/** Signs a claim set with the signer. */
export async function signEvidence(signer: EvidenceSigner, c: EvidenceClaims): Promise<SignedEvidence> {
  if (signer.kind === 'unsigned') return { ...c, keyId: UNSIGNED_KEY_ID, signature: '' };
  return { ...c, keyId: signer.keyId, signature: await signer.sign(evidenceMessage(c, signer.keyId)) };
}

/**
 * The keys a pipeline signs with and trusts. The signing key is always trusted; keys rotated out are trusted only
 * while listed (CONNGATE_EVIDENCE_TRUSTED_KEYS), so evidence signed by a key that was dropped is refused.
 */
export class EvidenceKeyring {
  private readonly trusted = new Map<string, EvidenceVerifierKey>();
  constructor(readonly signer: EvidenceSigner, trusted: EvidenceVerifierKey[] = [], readonly insecureUnsigned = false) {
    for (const k of trusted) this.trusted.set(k.keyId, k);
    if (isVerifier(signer)) this.trusted.set(signer.keyId, signer);
  }

  /** False when no key is held at all (e.g. `status` without a key): signatures can then not be checked. */
  get canVerify(): boolean {
    return this.trusted.size > 0 || this.insecureUnsigned;
  }

  sign(c: EvidenceClaims): Promise<SignedEvidence> {
    return signEvidence(this.signer, c);
  }

  /** Why the signature does not verify, or undefined when it does. */
  async signatureProblem(e: SignedEvidence): Promise<string | undefined> {
    if (!e.keyId || e.keyId === UNSIGNED_KEY_ID || !e.signature) {
      return this.insecureUnsigned ? undefined : 'it is not signed';
    }
    const key = this.trusted.get(e.keyId);
    if (!key) return `it is signed by key ${e.keyId}, which this pipeline does not trust (rotated out, or never its key)`;
    let message: Buffer;
    try {
      message = evidenceMessage(e, e.keyId);
    } catch {
      return 'its fields are malformed';
    }
    return (await key.verify(message, e.signature)) ? undefined : `its signature does not verify with key ${e.keyId} (forged or altered)`;
  }
}

function isVerifier(s: EvidenceSigner): s is EvidenceSigner & EvidenceVerifierKey {
  return typeof (s as Partial<EvidenceVerifierKey>).verify === 'function';
}

/** Evidence written with no key at all, for the explicit `--insecure-unsigned-evidence` opt-out. */
export const UNSIGNED_SIGNER: EvidenceSigner = { keyId: UNSIGNED_KEY_ID, kind: 'unsigned', sign: async () => '' };

/**
 * The previous keys still trusted after a rotation: a list separated by newlines or commas of `hmac:<secret>`
 * entries and paths of PEM public keys (Ed25519 or a KMS key's public key).
 */
export function parseTrustedKeys(text: string | undefined, where: string): EvidenceVerifierKey[] {
  if (!text) return [];
  return text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean).map((entry) => {
    if (entry.startsWith('hmac:')) {
      // Held to the signing key's minimum: an empty entry (an unset CI variable) would trust the empty secret.
      if (Buffer.byteLength(entry.slice(5)) < MIN_HMAC_SECRET_BYTES) {
        throw new UserError(where, `a trusted hmac: entry is shorter than ${MIN_HMAC_SECRET_BYTES} bytes`, 'list the old secret in full as `hmac:<old secret>` (no commas in it), or drop the entry');
      }
      return hmacSigner(entry.slice(5));
    }
    let pem: string;
    try {
      pem = fs.readFileSync(entry, 'utf8');
    } catch (e) {
      throw new UserError(where, `cannot read the trusted public key ${entry} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'list `hmac:<old secret>` or paths of PEM public keys');
    }
    try {
      return publicKeyVerifier(createPublicKey(pem));
    } catch (e) {
      throw new UserError(where, `${entry} is not a PEM public key (${(e as Error).message})`, 'export it with `openssl pkey -in old-key.pem -pubout`');
    }
  });
}
