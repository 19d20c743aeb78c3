import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import { TagResourceCommand, UpdateConnectionFunctionCommand } from '@aws-sdk/client-cloudfront';
import { candidateSha256 } from '../../orchestrator/stage/candidate';
import { EVIDENCE_TAGS, readEvidenceTags } from '../../orchestrator/evidence/evidence';
import { ed25519Signer, EvidenceKeyring, hmacSigner } from '../../orchestrator/signing/evidence-signing';
import { publishAndWait, readFunctionStage } from '../../orchestrator/stage/function-stages';
import { runStagePipeline, type StageRunReport } from '../../orchestrator/pipeline/pipeline';
import { readStageStatuses } from '../../orchestrator/reports/stage-status';
import { CAMPAIGN_EVIDENCE_KEY } from '../faults/campaign-project';
import { campaignOnEmulator } from '../faults/campaign-emulator';

jest.setTimeout(300_000);

/**
 * The gate trusts signed evidence only: tags anyone with cloudfront:TagResource can write do not open it, nor do
 * valid signatures for other code, an older LIVE ETag, another suite, or a key rotated out.
 */
describe('gate: forged, stale and foreign evidence is refused', () => {
  const env = campaignOnEmulator('conngate-gate');
  let goodCode: string;
  const run = (stage: string, keys?: EvidenceKeyring): Promise<StageRunReport> => runStagePipeline(env.p.context({ keys }), stage, env.p.applier());

  /** Publishes `code` to dev's LIVE straight through the API, as anyone with CloudFront write access could. */
  async function publishOutOfBand(code: string): Promise<void> {
    const id = env.p.context().outputs.read('dev')!.functionId;
    const dev = await readFunctionStage(env.p.cf, id, 'DEVELOPMENT');
    const upd = await env.p.cf.send(new UpdateConnectionFunctionCommand({ Id: id, IfMatch: dev.etag, ConnectionFunctionConfig: dev.summary.ConnectionFunctionConfig,
      ConnectionFunctionCode: Buffer.from(code) }));
    await publishAndWait(env.p.cf, id, upd.ETag!, { intervalMs: 20 });
  }

  async function devLive() {
    return readFunctionStage(env.p.cf, env.p.context().outputs.read('dev')!.functionId, 'LIVE');
  }

  async function setTags(arn: string, tags: Record<string, string>): Promise<void> {
    await env.p.cf.send(new TagResourceCommand({ Resource: arn, Tags: { Items: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } }));
  }

  beforeAll(async () => {
    goodCode = fs.readFileSync(env.p.fnFile, 'utf8');
    expect((await run('dev')).outcome).toBe('verified');
  });
  beforeEach(() => fs.writeFileSync(env.p.fnFile, goodCode));

  it('a changed candidate published to dev out of band with copied, edited or self-signed tags does not reach staging', async () => {
    const forged = goodCode.replace(/await kvs\.exists\(serial\)/, 'false');
    const forgedSha = candidateSha256(forged);
    const honest = await readEvidenceTags(env.p.cf, (await devLive()).summary.ConnectionFunctionArn!);
    await publishOutOfBand(forged);
    const live = await devLive();
    const arn = live.summary.ConnectionFunctionArn!;
    fs.writeFileSync(env.p.fnFile, forged);
    const attacker = await new EvidenceKeyring(hmacSigner('the-attackers-own-secret-key')).sign({
      stage: 'dev', functionArn: arn, account: honest.account!, endpoint: 'emulator', seq: Number(honest.seq) + 1, verifiedSeq: Number(honest.seq) + 1, candidateSha256: forgedSha, suiteSha256: honest.suiteSha256!, liveEtag: live.etag, result: 'passed', time: new Date().toISOString(),
    });
    const forgeries: [string, Record<string, string>, RegExp][] = [
      ['the honest signature kept, fields edited', { [EVIDENCE_TAGS.candidate]: forgedSha, [EVIDENCE_TAGS.liveEtag]: live.etag }, /signature does not verify/],
      ['no signature at all', { [EVIDENCE_TAGS.candidate]: forgedSha, [EVIDENCE_TAGS.liveEtag]: live.etag, [EVIDENCE_TAGS.keyId]: '', [EVIDENCE_TAGS.signature]: '' }, /it is not signed/],
      ['signed with a key of its own', { [EVIDENCE_TAGS.candidate]: forgedSha, [EVIDENCE_TAGS.liveEtag]: live.etag, [EVIDENCE_TAGS.keyId]: attacker.keyId, [EVIDENCE_TAGS.signature]: attacker.signature, [EVIDENCE_TAGS.time]: attacker.time },
        /signed by key hmac-[0-9a-f]+, which this pipeline does not trust/],
      ['the attacker signature under the pipeline key id', { [EVIDENCE_TAGS.candidate]: forgedSha, [EVIDENCE_TAGS.liveEtag]: live.etag, [EVIDENCE_TAGS.keyId]: honest.keyId!, [EVIDENCE_TAGS.signature]: attacker.signature, [EVIDENCE_TAGS.time]: attacker.time },
        /signature does not verify/],
    ];
    for (const [what, tags, refusal] of forgeries) {
      await setTags(arn, { [EVIDENCE_TAGS.result]: 'passed', [EVIDENCE_TAGS.suite]: honest.suiteSha256!, ...tags });
      const r = await runStagePipeline(env.p.context(), 'staging', env.p.applier());
      expect([what, r.outcome]).toEqual([what, 'refused']);
      expect([what, r.message]).toEqual([what, expect.stringMatching(refusal)]);
      expect(await env.p.liveSha('staging')).toBeUndefined();
    }
    // Status says the same: dev's evidence does not verify, the gate into staging is closed.
    const statuses = await readStageStatuses({ cf: env.p.cf, kvs: env.p.kvs }, env.p.stages, env.p.keys);
    expect(statuses.find((s) => s.stage === 'dev')).toMatchObject({ verified: false, evidenceCheck: expect.stringMatching(/signature does not verify/) });
    const stagingGate = statuses.find((s) => s.stage === 'staging')!.gate;
    expect(stagingGate.open).toBe(false);
    // ... by the same rule a deploy meets: the reason status shows is the refusal a deploy of staging prints.
    const refused = await runStagePipeline(env.p.context(), 'staging', env.p.applier());
    expect(refused.message).toContain(stagingGate.reason);

    // dev's next run tests the forged LIVE, finds it failing and restores the verified code.
    fs.writeFileSync(env.p.fnFile, goodCode);
    const back = await run('dev');
    expect(back.recovery).toMatch(/cases failed in LIVE.*restored the last verified code/);
    expect(await env.p.liveProblem('dev')).toBeUndefined();
  });

  it('valid evidence goes stale when LIVE is published again (same code, new ETag) or the suite changes', async () => {
    expect(await env.p.liveProblem('dev')).toBeUndefined();
    await publishOutOfBand(goodCode);
    let r = await run('staging');
    expect(r.outcome).toBe('refused');
    expect(r.message).toMatch(/the evidence is stale: it was recorded for LIVE ETag \S+, LIVE is now \S+/);
    expect((await run('dev')).recovery).toMatch(/stale.*passed the suite and is now recorded as verified/);

    const suiteFile = env.p.spec('dev').suiteFile;
    const suite = fs.readFileSync(suiteFile, 'utf8');
    try {
      fs.writeFileSync(suiteFile, suite.replace(/\n$/, '') + '\n\n');
      r = await run('staging');
      expect(r.outcome).toBe('refused');
      expect(r.message).toMatch(/the evidence is for suite [0-9a-f]{12}, but the stage's suite is now [0-9a-f]{12}/);
    } finally {
      fs.writeFileSync(suiteFile, suite);
    }
    r = await run('staging');
    expect(r.outcome).toBe('verified');
    expect(r.gate?.evidenceKeyId).toBe(env.p.keys.signer.keyId);
  });

  it('key rotation: evidence of the old key is refused until the old key is listed as trusted', async () => {
    const ed = ed25519Signer(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 'new key');
    const rotated = new EvidenceKeyring(ed);
    let r = await run('prod', rotated);
    expect(r.outcome).toBe('refused');
    expect(r.message).toMatch(new RegExp(`staging runs [0-9a-f]{12} in LIVE but the evidence is refused: it is signed by key ${env.p.keys.signer.keyId}, which this pipeline does not trust`));
    expect(await env.p.liveSha('prod')).toBeUndefined();

    const rotatedTrustingOld = new EvidenceKeyring(ed, [hmacSigner(CAMPAIGN_EVIDENCE_KEY)]);
    r = await run('prod', rotatedTrustingOld);
    expect(r.outcome).toBe('verified');
    const prodTags = await readEvidenceTags(env.p.cf, (await readFunctionStage(env.p.cf, env.p.spec('prod').functionName, 'LIVE')).summary.ConnectionFunctionArn!);
    expect(prodTags.keyId).toBe(ed.keyId);
    // Status with the new key alone: prod verifies, staging (old key) does not, and says why.
    const statuses = await readStageStatuses({ cf: env.p.cf, kvs: env.p.kvs }, env.p.stages, rotated);
    expect(statuses.find((s) => s.stage === 'prod')!.verified).toBe(true);
    expect(statuses.find((s) => s.stage === 'staging')!.evidenceCheck).toMatch(/does not trust/);
  });
});
