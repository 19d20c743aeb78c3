import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { publicKeyVerifier, type EvidenceSigner, type EvidenceVerifierKey } from './evidence-signing';

/**
 * Evidence signed by an AWS KMS asymmetric key (ECC_NIST_P256 with ECDSA_SHA_256): the private key never leaves
 * KMS. The key id is derived from the public key, exactly as for a local key, so a verifier that only holds the
 * exported public key (`CONNGATE_EVIDENCE_TRUSTED_KEYS`) recognises it. Verification is local, with that public key.
 */
export async function kmsSigner(kms: Pick<KMSClient, 'send'>, keyArn: string): Promise<EvidenceSigner & EvidenceVerifierKey> {
  const pub = await kms.send(new GetPublicKeyCommand({ KeyId: keyArn }));
  if (!pub.PublicKey) throw new Error(`KMS returned no public key for ${keyArn}`);
  if (pub.KeyUsage && pub.KeyUsage !== 'SIGN_VERIFY') throw new Error(`KMS key ${keyArn} is for ${pub.KeyUsage}, not SIGN_VERIFY`);
  const verifier = publicKeyVerifier(createPublicKey({ key: Buffer.from(pub.PublicKey), format: 'der', type: 'spki' }));
  return {
    keyId: verifier.keyId,
    kind: 'kms',
    verify: verifier.verify,
    sign: async (message) => {
      const out = await kms.send(new SignCommand({ KeyId: keyArn, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }));
      if (!out.Signature) throw new Error(`KMS returned no signature for ${keyArn}`);
      return Buffer.from(out.Signature).toString('base64url');
    },
  };
}
