import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import { DescribeKeyValueStoreCommand } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { GetPublicKeyCommand, SignCommand } from '@aws-sdk/client-kms';
import { createCloudFrontClient, createKvsClient } from '../../aws/clients';
import { createIamClient, createStsClient } from '../../aws/identity-clients';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { UserError } from '../../diagnostics/user-error';
import { evidenceProblem as checkEvidence, taggedRecord, type TaggedEvidence } from '../../orchestrator/evidence/evidence';
import { parseHead, type EvidenceHead } from '../../orchestrator/evidence/evidence-head';
import { evidenceKeyringFromEnv, INSECURE_EVIDENCE_WARNING } from '../../orchestrator/signing/evidence-keys';
import { kmsSigner } from '../../orchestrator/signing/evidence-kms';
import {
  ed25519Signer, endpointKindOf, evidenceDigest, evidenceMessage, EvidenceKeyring, type EndpointKind, hmacSigner, publicKeyVerifier, UNSIGNED_SIGNER, type EvidenceClaims, type SignedEvidence,
} from '../../orchestrator/signing/evidence-signing';

const claims: EvidenceClaims = {
  stage: 'dev', functionArn: 'arn:aws:cloudfront::123456789012:connection-function/cf-1', account: '123456789012', endpoint: 'aws', seq: 7, verifiedSeq: 7,
  candidateSha256: 'a'.repeat(64),
  suiteSha256: 'b'.repeat(64), liveEtag: 'E2QWRUHEXAMPLE', result: 'passed', time: '2026-01-01T00:00:00.000Z',
};
const secret = 'a-random-evidence-secret-for-tests';

function flipFirstBit(signature: string): string {
  const bytes = Buffer.from(signature, 'base64url');
  bytes[0] ^= 1;
  return bytes.toString('base64url');
}

function tagsOf(e: SignedEvidence): TaggedEvidence {
  return { candidateSha256: e.candidateSha256, suiteSha256: e.suiteSha256, result: e.result, time: e.time, liveEtag: e.liveEtag, keyId: e.keyId, signature: e.signature,
    account: e.account, endpoint: e.endpoint, seq: String(e.seq), verifiedSeq: String(e.verifiedSeq) };
}
const expectation = { stage: 'dev', functionArn: claims.functionArn, liveSha256: claims.candidateSha256, liveEtag: claims.liveEtag, suiteSha256: claims.suiteSha256 };
type Expectation = typeof expectation & { endpoint?: EndpointKind; head?: EvidenceHead };

/**
 * The signature checks, with the stage's evidence head naming the tags as they are (the head's own checks are
 * tested below): a tampered field must fail its signature, not only the head's digest.
 */
async function evidenceProblem(keys: EvidenceKeyring, tags: TaggedEvidence, exp: Expectation): Promise<string | undefined> {
  const rec = taggedRecord(tags, exp.stage, exp.functionArn);
  const head = typeof rec === 'string' ? undefined : { seq: rec.seq, verifiedSeq: rec.verifiedSeq, evidence: evidenceDigest(rec) };
  return checkEvidence(keys, tags, { endpoint: 'aws', head, ...exp });
}

describe('evidence signatures', () => {
  it('signs a fixed, versioned message over every field and the key id', () => {
    expect(evidenceMessage(claims, 'hmac-0123').toString()).toBe(
      ['conngate-evidence/2', 'hmac-0123', 'dev', claims.functionArn, '123456789012', 'aws', '7', '7', 'a'.repeat(64), 'b'.repeat(64), 'E2QWRUHEXAMPLE', 'passed', claims.time].join('\n'));
    expect(() => evidenceMessage({ ...claims, stage: 'dev\npassed' }, 'k')).toThrow(/cannot be signed/);
    expect(() => evidenceMessage({ ...claims, seq: -1 }, 'k')).toThrow(/cannot be signed/);
    expect(() => evidenceMessage({ ...claims, seq: 1.5 }, 'k')).toThrow(/cannot be signed/);
  });

  it.each([
    ['HMAC', () => hmacSigner(secret)],
    ['Ed25519', () => ed25519Signer(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 'test key')],
  ])('%s evidence verifies as signed, and any changed field, stage or function makes it fail', async (_kind, make) => {
    const keys = new EvidenceKeyring(make());
    const signed = await keys.sign(claims);
    expect(await evidenceProblem(keys, tagsOf(signed), expectation)).toBeUndefined();
    const tampered: [Partial<TaggedEvidence>, RegExp][] = [
      [{ candidateSha256: 'c'.repeat(64) }, /signature does not verify/],
      [{ suiteSha256: 'c'.repeat(64) }, /signature does not verify/],
      [{ liveEtag: 'EOTHER' }, /signature does not verify/],
      [{ result: 'failed' }, /signature does not verify/],
      [{ time: '2030-01-01T00:00:00.000Z' }, /signature does not verify/],
      // One bit of the signature's first byte flipped (a text edit of its last characters can decode to the same bytes).
      [{ signature: flipFirstBit(signed.signature) }, /signature does not verify/],
      [{ keyId: undefined, signature: undefined }, /not signed/],
      [{ seq: '8' }, /signature does not verify/],
      [{ verifiedSeq: '9' }, /signature does not verify/],
      [{ seq: undefined }, /names no account, endpoint and sequence/],
    ];
    for (const [change, problem] of tampered) {
      expect(await evidenceProblem(keys, { ...tagsOf(signed), ...change }, expectation)).toMatch(problem);
    }
    // The same tags on another stage or another function do not verify either.
    expect(await evidenceProblem(keys, tagsOf(signed), { ...expectation, stage: 'staging' })).toMatch(/signature does not verify/);
    expect(await evidenceProblem(keys, tagsOf(signed), { ...expectation, functionArn: claims.functionArn + 'x' })).toMatch(/signature does not verify/);
  });

  it('a valid record counts only as the stage\'s newest, for its own account and endpoint kind', async () => {
    const keys = new EvidenceKeyring(hmacSigner(secret));
    const newest = await keys.sign({ ...claims, seq: 8, verifiedSeq: 8 });
    const older = await keys.sign(claims);
    const head = { seq: 8, verifiedSeq: 8, evidence: evidenceDigest(newest) };
    const exp = { ...expectation, endpoint: 'aws' as const, head };
    expect(await checkEvidence(keys, tagsOf(newest), exp)).toBeUndefined();
    // An older passed record put back with TagResource: it verifies, but it is not the newest.
    expect(await checkEvidence(keys, tagsOf(older), exp)).toMatch(/it is record 7, not the stage's newest \(record 8/);
    expect(await checkEvidence(keys, tagsOf(newest), { ...exp, head: undefined })).toMatch(/names no newest evidence/);
    // Another account's record (its function ARN names that account) and an emulator's record on AWS.
    const foreign = await keys.sign({ ...claims, account: '210987654321' });
    expect(await checkEvidence(keys, tagsOf(foreign), { ...exp, head: { ...head, evidence: evidenceDigest(foreign) } })).toMatch(/recorded for account 210987654321, but the function is in account 123456789012/);
    const emulated = await keys.sign({ ...claims, endpoint: 'emulator' });
    expect(await checkEvidence(keys, tagsOf(emulated), { ...exp, head: { ...head, evidence: evidenceDigest(emulated) } })).toMatch(/recorded against an emulator, and this stage is reached through AWS/);
    // A record of a conngate that did not bind these is not counted at all.
    const legacy = { ...tagsOf(newest), account: undefined, endpoint: undefined, seq: undefined, verifiedSeq: undefined };
    expect(await checkEvidence(keys, legacy, exp)).toMatch(/names no account, endpoint and sequence/);
  });

  it('every sequence number a head can hold numbers a next record whose tags read back (a store writer cannot make every record unreadable)', async () => {
    const keys = new EvidenceKeyring(hmacSigner(secret));
    const head = (seq: number) => parseHead(JSON.stringify({ seq, verifiedSeq: 0, evidence: 'c'.repeat(64) }));
    // The largest number the tags carry (15 digits) is the largest a head may name and a record may be signed with.
    for (const seq of [0, 41, 999_999_999_999_998]) {
      expect(head(seq)?.seq).toBe(seq);
      const next = await keys.sign({ ...claims, seq: seq + 1, verifiedSeq: seq + 1 });
      expect(taggedRecord(tagsOf(next), 'dev', claims.functionArn)).toMatchObject({ seq: seq + 1, verifiedSeq: seq + 1 });
    }
    expect(head(999_999_999_999_999)?.seq).toBe(999_999_999_999_999);
    await expect(keys.sign({ ...claims, seq: 10 ** 15, verifiedSeq: 10 ** 15 })).rejects.toThrow(/cannot be signed/);
    for (const seq of [10 ** 15, Number.MAX_SAFE_INTEGER, -1, 1.5]) expect(head(seq)).toBeUndefined();
    for (const text of ['{"seq":"7","verifiedSeq":0,"evidence":"' + 'c'.repeat(64) + '"}', '{"seq":7,"verifiedSeq":8,"evidence":"' + 'c'.repeat(64) + '"}', 'x'.repeat(5000), '[]', 'null']) {
      expect(parseHead(text)).toBeUndefined();
    }
    // Tags in other spellings of a number are not a record's.
    const signed = await keys.sign(claims);
    for (const seq of ['07', '+7', '7.0', '7e0', ' 7', '1000000000000000']) {
      expect(taggedRecord({ ...tagsOf(signed), seq }, 'dev', claims.functionArn)).toMatch(/names no account, endpoint and sequence/);
    }
  });

  it('valid signatures still do not open anything stale or foreign: code, ETag and suite must match what is there now', async () => {
    const keys = new EvidenceKeyring(hmacSigner(secret));
    const signed = tagsOf(await keys.sign(claims));
    expect(await evidenceProblem(keys, signed, { ...expectation, liveSha256: 'd'.repeat(64) })).toMatch(/speaks for aaaaaaaaaaaa, but LIVE runs dddddddddddd/);
    expect(await evidenceProblem(keys, signed, { ...expectation, liveEtag: 'ENEW' })).toMatch(/stale.*ENEW/);
    expect(await evidenceProblem(keys, signed, { ...expectation, suiteSha256: 'e'.repeat(64) })).toMatch(/suite bbbbbbbbbbbb, but the stage's suite is now eeeeeeeeeeee/);
    const failed = tagsOf(await keys.sign({ ...claims, result: 'failed' }));
    expect(await evidenceProblem(keys, failed, expectation)).toMatch(/says the suite failed/);
  });

  it('key rotation: evidence of a key no longer trusted is refused; listed as trusted, it verifies by its key id', async () => {
    const oldKeys = new EvidenceKeyring(hmacSigner(secret));
    const old = tagsOf(await oldKeys.sign(claims));
    const edPem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const rotated = new EvidenceKeyring(ed25519Signer(edPem, 'new key'));
    expect(await evidenceProblem(rotated, old, expectation)).toMatch(new RegExp(`signed by key ${old.keyId}, which this pipeline does not trust`));
    const rotatedTrustingOld = new EvidenceKeyring(ed25519Signer(edPem, 'new key'), [hmacSigner(secret)]);
    expect(await evidenceProblem(rotatedTrustingOld, old, expectation)).toBeUndefined();
    // A key id is not a password: evidence naming the trusted key id but signed by another key is refused.
    const attacker = tagsOf(await new EvidenceKeyring(hmacSigner('attacker-secret-0123456789')).sign(claims));
    expect(await evidenceProblem(rotatedTrustingOld, { ...attacker, keyId: old.keyId }, expectation)).toMatch(/signature does not verify/);
  });

  it('unsigned evidence is refused unless the pipeline runs with the insecure opt-out', async () => {
    const unsigned = tagsOf(await new EvidenceKeyring(UNSIGNED_SIGNER, [], true).sign(claims));
    expect(unsigned.keyId).toBe('unsigned');
    expect(await evidenceProblem(new EvidenceKeyring(hmacSigner(secret)), unsigned, expectation)).toMatch(/not signed/);
    expect(await evidenceProblem(new EvidenceKeyring(UNSIGNED_SIGNER, [], true), unsigned, expectation)).toBeUndefined();
  });

  it('KMS: signs through the KMS API (RAW message, ECDSA_SHA_256) and verifies locally with the public key', async () => {
    // The boundary the machine cannot reach (AWS KMS) answered by a local P-256 key, in the shapes KMS uses:
    // GetPublicKey gives a DER SubjectPublicKeyInfo, Sign a DER ECDSA signature over SHA-256 of the raw message.
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const sent: unknown[] = [];
    const kms = {
      send: async (cmd: unknown) => {
        sent.push(cmd);
        if (cmd instanceof GetPublicKeyCommand) return { PublicKey: publicKey.export({ type: 'spki', format: 'der' }), KeyUsage: 'SIGN_VERIFY' };
        if (cmd instanceof SignCommand) return { Signature: cryptoSign('sha256', Buffer.from(cmd.input.Message!), privateKey) };
        throw new Error('unexpected KMS call');
      },
    } as never;
    const signer = await kmsSigner(kms, 'arn:aws:kms:us-east-1:123456789012:key/test');
    const keys = new EvidenceKeyring(signer);
    const signed = await keys.sign(claims);
    const signCall = sent.find((c) => c instanceof SignCommand) as SignCommand;
    expect(signCall.input).toMatchObject({ MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' });
    expect(Buffer.from(signCall.input.Message!).toString()).toBe(evidenceMessage(claims, signer.keyId).toString());
    expect(await evidenceProblem(keys, tagsOf(signed), expectation)).toBeUndefined();
    // A verifier holding only the exported public key recognises the same key id.
    const pubOnly = publicKeyVerifier(publicKey);
    expect(pubOnly.keyId).toBe(signer.keyId);
    expect(await evidenceProblem(new EvidenceKeyring(hmacSigner(secret), [pubOnly]), tagsOf(signed), expectation)).toBeUndefined();
  });
});

/** The host a client's next call would go to (the call stops there, before it is sent). */
async function hostOf(client: { middlewareStack: unknown }, send: () => Promise<unknown>): Promise<string> {
  let host = '';
  const probe = () => async (args: { request: unknown }) => {
    host = (args.request as { hostname: string }).hostname;
    throw new Error('stopped before sending');
  };
  (client.middlewareStack as { add(m: unknown, o: object): void }).add(probe, { step: 'build', name: 'hostProbe' });
  await send().catch(() => undefined);
  return host;
}

describe('endpoint kind', () => {
  it('is the target\'s, for every client conngate makes and before any call; an endpoint from the environment does not move calls off AWS', async () => {
    const emulator = { endpoint: 'http://127.0.0.1:9', region: 'us-east-1' };
    expect(endpointKindOf(createCloudFrontClient(emulator))).toBe('emulator');
    // Approvals take their endpoint kind from the KeyValueStore client of the store they live in.
    expect(endpointKindOf(createKvsClient(emulator))).toBe('emulator');
    const saved = { ...process.env };
    // Credentials of no one: the calls stop before they are sent.
    Object.assign(process.env, { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'not-a-secret' });
    try {
      const cf = createCloudFrontClient({ region: 'us-east-1' });
      expect(endpointKindOf(cf)).toBe('aws');
      expect(await hostOf(cf, () => cf.send(new ListDistributionsCommand({})))).toBe('cloudfront.amazonaws.com');
      expect(endpointKindOf(cf)).toBe('aws');
      const kvs = createKvsClient({ region: 'us-east-1' });
      expect(await hostOf(kvs, () => kvs.send(new DescribeKeyValueStoreCommand({ KvsARN: 'arn:aws:cloudfront::123456789012:key-value-store/0f2a' })))).toMatch(/^123456789012\.cloudfront-kvs\.global\.api\.aws$/);
      expect(endpointKindOf(kvs)).toBe('aws');
      // doctor's STS and IAM clients: the credentials it checks are the target account's, not an environment endpoint's.
      const sts = createStsClient({ region: 'us-east-1' });
      expect(await hostOf(sts, () => sts.send(new GetCallerIdentityCommand({})))).toMatch(/^sts\.(us-east-1\.)?amazonaws\.com$/);
      const iam = createIamClient({ region: 'us-east-1' });
      expect(await hostOf(iam, () => iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: 'arn:aws:iam::123456789012:role/x', ActionNames: ['s3:GetObject'] })))).toBe('iam.amazonaws.com');
    } finally {
      for (const k of ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });
});

describe('evidence keys from the environment', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conngate-keys-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('no key is bad input naming every way to set one, and the explicit opt-out', () => {
    expect(() => evidenceKeyringFromEnv({})).toThrow(UserError);
    expect(() => evidenceKeyringFromEnv({})).toThrow(/CONNGATE_EVIDENCE_KEY.*CONNGATE_EVIDENCE_KEY_FILE.*--insecure-unsigned-evidence/);
  });

  it('refuses two keys at once, a short secret, and a key file that is not Ed25519', () => {
    const ecFile = path.join(dir, 'ec.pem');
    fs.writeFileSync(ecFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(() => evidenceKeyringFromEnv({ CONNGATE_EVIDENCE_KEY: secret, CONNGATE_EVIDENCE_KEY_FILE: ecFile })).toThrow(/more than one evidence key/);
    expect(() => evidenceKeyringFromEnv({ CONNGATE_EVIDENCE_KEY: 'short' })).toThrow(/shorter than 16 bytes/);
    expect(() => evidenceKeyringFromEnv({ CONNGATE_EVIDENCE_KEY_FILE: ecFile })).toThrow(/is a ec key, not Ed25519/);
    expect(() => evidenceKeyringFromEnv({ CONNGATE_EVIDENCE_KEY_FILE: path.join(dir, 'missing.pem') })).toThrow(/cannot read .*ENOENT/);
  });

  it('loads an Ed25519 key file and the previous keys still trusted (hmac secrets and public key files)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const keyFile = path.join(dir, 'ed.pem');
    const oldPub = path.join(dir, 'old.pub.pem');
    fs.writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const old = generateKeyPairSync('ed25519');
    fs.writeFileSync(oldPub, old.publicKey.export({ type: 'spki', format: 'pem' }));
    const keys = await evidenceKeyringFromEnv({ CONNGATE_EVIDENCE_KEY_FILE: keyFile, CONNGATE_EVIDENCE_TRUSTED_KEYS: `hmac:${secret}, ${oldPub}` });
    expect(keys.signer.keyId).toBe(publicKeyVerifier(publicKey).keyId);
    const byOld = tagsOf(await new EvidenceKeyring(ed25519Signer(old.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 'old')).sign(claims));
    expect(await evidenceProblem(keys, byOld, expectation)).toBeUndefined();
    const byHmac = tagsOf(await new EvidenceKeyring(hmacSigner(secret)).sign(claims));
    expect(await evidenceProblem(keys, byHmac, expectation)).toBeUndefined();
  });

  it('the insecure opt-out says so loudly', () => {
    const lines: string[] = [];
    const keys = evidenceKeyringFromEnv({}, { insecureUnsigned: true, warn: (l) => lines.push(l) }) as EvidenceKeyring;
    expect(lines).toEqual([INSECURE_EVIDENCE_WARNING]);
    expect(lines[0]).toMatch(/WARNING.*NOT signed.*forge/);
    expect(keys.signer.kind).toBe('unsigned');
  });
});
