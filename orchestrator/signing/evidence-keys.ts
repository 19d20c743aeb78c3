import * as fs from 'node:fs';
import { UserError } from '../../diagnostics/user-error';
import { ed25519Signer, EvidenceKeyring, hmacSigner, MIN_HMAC_SECRET_BYTES, parseTrustedKeys, UNSIGNED_SIGNER } from './evidence-signing';

/** Where the pipeline's evidence key comes from (the environment, so CI secrets stay out of command lines). */
export const EVIDENCE_KEY_ENV = {
  hmac: 'CONNGATE_EVIDENCE_KEY',
  file: 'CONNGATE_EVIDENCE_KEY_FILE',
  kms: 'CONNGATE_EVIDENCE_KMS_KEY_ID',
  trusted: 'CONNGATE_EVIDENCE_TRUSTED_KEYS',
} as const;

/** The loud line printed on every run that signs nothing. */
export const INSECURE_EVIDENCE_WARNING =
  'conngate: WARNING: --insecure-unsigned-evidence: evidence is NOT signed and unsigned evidence opens gates; anyone who can tag a function can forge it. Never use this outside a throwaway setup.';

/**
 * The keyring from the environment: exactly one of an HMAC secret, an Ed25519 private key PEM file or a KMS key,
 * plus the previous keys still trusted. No key at all is bad input unless the caller opted out explicitly.
 */
export function evidenceKeyringFromEnv(env: NodeJS.ProcessEnv, opts: { insecureUnsigned?: boolean; warn?: (line: string) => void } = {}): EvidenceKeyring | Promise<EvidenceKeyring> {
  const set = (Object.values(EVIDENCE_KEY_ENV) as string[]).filter((n) => n !== EVIDENCE_KEY_ENV.trusted && env[n]);
  if (set.length > 1) throw new UserError(set.join(' and '), 'more than one evidence key is set', 'set exactly one of them');
  const trusted = parseTrustedKeys(env[EVIDENCE_KEY_ENV.trusted], EVIDENCE_KEY_ENV.trusted);
  if (opts.insecureUnsigned) {
    (opts.warn ?? ((l) => process.stderr.write(l + '\n')))(INSECURE_EVIDENCE_WARNING);
    return new EvidenceKeyring(UNSIGNED_SIGNER, trusted, true);
  }
  const secret = env[EVIDENCE_KEY_ENV.hmac];
  if (secret !== undefined && secret !== '') {
    if (Buffer.byteLength(secret) < MIN_HMAC_SECRET_BYTES) {
      throw new UserError(EVIDENCE_KEY_ENV.hmac, `the secret is shorter than ${MIN_HMAC_SECRET_BYTES} bytes`, 'use a random secret, e.g. `openssl rand -base64 32`');
    }
    return new EvidenceKeyring(hmacSigner(secret), trusted);
  }
  const file = env[EVIDENCE_KEY_ENV.file];
  if (file) {
    let pem: string;
    try {
      pem = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new UserError(EVIDENCE_KEY_ENV.file, `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'point it at an Ed25519 private key PEM');
    }
    return new EvidenceKeyring(ed25519Signer(pem, `${EVIDENCE_KEY_ENV.file} ${file}`), trusted);
  }
  const kmsKey = env[EVIDENCE_KEY_ENV.kms];
  if (kmsKey) {
    return (async () => {
      // Loaded only for KMS users: the KMS client is not needed for anyone else's runs.
      const { KMSClient } = require('@aws-sdk/client-kms') as typeof import('@aws-sdk/client-kms');
      const { kmsSigner } = require('./evidence-kms') as typeof import('./evidence-kms');
      return new EvidenceKeyring(await kmsSigner(new KMSClient({}), kmsKey), trusted);
    })();
  }
  throw new UserError('evidence key', 'no key to sign evidence with',
    `set ${EVIDENCE_KEY_ENV.hmac} (a random secret), ${EVIDENCE_KEY_ENV.file} (an Ed25519 private key PEM) or ${EVIDENCE_KEY_ENV.kms}, or pass --insecure-unsigned-evidence for a throwaway setup`);
}
