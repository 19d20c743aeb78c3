import { createHmac } from 'node:crypto';
import { UserError } from '../../diagnostics/user-error';
import { evidenceKeyringFromEnv } from '../../orchestrator/signing/evidence-keys';
import { evidenceMessage, parseTrustedKeys, type EvidenceClaims } from '../../orchestrator/signing/evidence-signing';
import { runCli } from '../support/conngate-cli';
import { TEST_EVIDENCE_KEY } from '../support/emulator-project';

/**
 * A rotated-out HMAC key listed in CONNGATE_EVIDENCE_TRUSTED_KEYS is held to the same 16-byte minimum as the
 * signing key: an empty entry (`hmac:` from an unset CI variable) would trust the empty secret, with which anyone
 * can sign evidence that opens every gate.
 */
describe('trusted key entries', () => {
  const claims: EvidenceClaims = {
    stage: 'dev', functionArn: 'arn:aws:cloudfront::123456789012:connection-function/cf_1', account: '123456789012', endpoint: 'aws', seq: 1, verifiedSeq: 1,
    candidateSha256: 'a'.repeat(64),
    suiteSha256: 'b'.repeat(64), liveEtag: 'E1', result: 'passed', time: '2026-01-01T00:00:00.000Z',
  };

  it.each([['hmac:'], ['hmac:short'], [`hmac:${TEST_EVIDENCE_KEY},hmac:`], ['hmac:   ']])('refuses %j as bad input', (entry) => {
    expect(() => parseTrustedKeys(entry, 'CONNGATE_EVIDENCE_TRUSTED_KEYS')).toThrow(UserError);
    expect(() => evidenceKeyringFromEnv({ CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY, CONNGATE_EVIDENCE_TRUSTED_KEYS: entry })).toThrow(/shorter than 16 bytes/);
  });

  it('evidence forged with the empty secret is never trusted', async () => {
    // What an attacker with cloudfront:TagResource could write if the empty secret were trusted.
    const keyId = `hmac-${createHmac('sha256', Buffer.alloc(0)).update('conngate evidence key id').digest('hex').slice(0, 16)}`;
    const signature = createHmac('sha256', Buffer.alloc(0)).update(evidenceMessage(claims, keyId)).digest('base64url');
    const keys = await evidenceKeyringFromEnv({ CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY, CONNGATE_EVIDENCE_TRUSTED_KEYS: `hmac:${'o'.repeat(16)}` });
    expect(await keys.signatureProblem({ ...claims, keyId, signature })).toMatch(/does not trust/);
  });

  it('the CLI says so in one line, exit 2', async () => {
    const r = await runCli(['deploy', 'dev', '--endpoint', 'http://127.0.0.1:9'], { env: { CONNGATE_EVIDENCE_KEY: TEST_EVIDENCE_KEY, CONNGATE_EVIDENCE_TRUSTED_KEYS: 'hmac:' } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^conngate: CONNGATE_EVIDENCE_TRUSTED_KEYS: .*shorter than 16 bytes.*\(fix: /);
  });
});
