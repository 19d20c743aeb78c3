import { UpdateKeysCommand } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { ReservedStore } from '../../orchestrator/records/reserved-store';
import { loadRollbackTarget, ROLLBACK_KEY } from '../../orchestrator/records/rollback-target';
import { EvidenceKeyring, hmacSigner } from '../../orchestrator/signing/evidence-signing';
import { emulatorStore } from '../revocation/emulator-store';
import { runStagePipeline } from '../../orchestrator/pipeline/pipeline';
import { campaignOnEmulator } from '../faults/campaign-emulator';
import { associatedFunction } from '../faults/run-child';

jest.setTimeout(180_000);

/**
 * Whether a stage is "associated already" is read from the distribution, never from the stage's KeyValueStore:
 * anyone with write access to the store can plant a `conngate:rollback` record, and that must not make a re-run
 * associate a first-deployed LIVE whose suite failed.
 */
describe('a planted rollback record does not get an unverified LIVE associated', () => {
  const env = campaignOnEmulator('conngate-planted-meta', ['dev']);

  it('first deploy failed in LIVE, a forged rollback record in the store, LIVE still failing: no association', async () => {
    const { p, emulator } = env;
    emulator.setFaults({ failLiveTestRate: 1 });
    const first = await runStagePipeline(p.context(), 'dev', p.applier());
    expect(first.outcome).toBe('failed');
    const o = p.context().outputs.read('dev')!;
    expect(await associatedFunction(p.cf, o.distributionId!)).toBeUndefined();

    // The adversary: KeyValueStore write access, no evidence key. A record that parses, with garbage evidence.
    const store = new ReservedStore(p.kvs, o.kvsArn);
    await p.kvs.send(new UpdateKeysCommand({ KvsARN: o.kvsArn, IfMatch: await store.etag(), Puts: [{ Key: ROLLBACK_KEY, Value: JSON.stringify({
      sha256: 'f'.repeat(64), chunks: 1, evidence: { stage: 'dev', functionArn: 'x', candidateSha256: 'f'.repeat(64), suiteSha256: '', liveEtag: '', result: 'passed', time: '', keyId: 'hmac-0000000000000000', signature: 'AAAA' },
    }) }] }));

    p.freshRunner();
    const again = await runStagePipeline(p.context(), 'dev', p.applier());
    emulator.setFaults({});
    expect(again.outcome).not.toBe('verified');
    expect(await p.liveProblem('dev')).toBeDefined();
    expect(await associatedFunction(p.cf, o.distributionId!)).toBeUndefined();
  });
});

describe('a planted rollback record with null evidence', () => {
  it('reads as no target, with a reason, not as a crash', async () => {
    const s = await emulatorStore();
    try {
      const store = new ReservedStore(s.client, s.kvsArn);
      await store.write(await store.etag(), [{ key: ROLLBACK_KEY, value: JSON.stringify({ sha256: 'f'.repeat(64), chunks: 1, evidence: null }) }]);
      await expect(loadRollbackTarget(store, new EvidenceKeyring(hmacSigner('x'.repeat(16))), { stage: 'dev', functionArn: 'arn', endpoint: 'emulator', minVerifiedSeq: 0 }))
        .resolves.toBe('no verified code is recorded for this stage');
    } finally {
      await s.emulator.close();
    }
  });
});
