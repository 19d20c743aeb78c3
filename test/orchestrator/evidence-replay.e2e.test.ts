import * as fs from 'node:fs';
import { TagResourceCommand, UntagResourceCommand, UpdateConnectionFunctionCommand } from '@aws-sdk/client-cloudfront';
import { UpdateKeysCommand } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { candidateSha256 } from '../../orchestrator/stage/candidate';
import { EVIDENCE_TAGS, readEvidenceTags } from '../../orchestrator/evidence/evidence';
import { HEAD_KEY, headPut, parseHead } from '../../orchestrator/evidence/evidence-head';
import { EvidenceKeyring, hmacSigner, MAX_EVIDENCE_SEQ } from '../../orchestrator/signing/evidence-signing';
import { publishAndWait, readFunctionStage } from '../../orchestrator/stage/function-stages';
import { runStagePipeline, type PipelineContext, type StageRunReport } from '../../orchestrator/pipeline/pipeline';
import { approvalStore, recordApproval } from '../../orchestrator/policies/promotion-approval';
import { ReservedStore } from '../../orchestrator/records/reserved-store';
import { ROLLBACK_KEY } from '../../orchestrator/records/rollback-target';
import { CAMPAIGN_EVIDENCE_KEY } from '../faults/campaign-project';
import { campaignOnEmulator } from '../faults/campaign-emulator';

jest.setTimeout(300_000);

/**
 * No replay, no downgrade: records that verify but are not the stage's newest count for nothing. An attacker with
 * TagResource only, or with store writes only, cannot open a gate with an older record or get older code published;
 * and code that recovery would sign must meet the stage's promotion policies like any promotion.
 */
describe('evidence replay and downgrade', () => {
  const env = campaignOnEmulator('conngate-replay');
  let good: string;
  const run = (stage: string, over: Partial<PipelineContext> & { keys?: EvidenceKeyring } = {}, apply = true): Promise<StageRunReport> =>
    runStagePipeline({ ...env.p.context({ keys: over.keys }), ...over }, stage, apply ? env.p.applier() : undefined);
  const fnId = (stage: string) => env.p.context().outputs.read(stage)!.functionId;
  const live = (stage: string) => readFunctionStage(env.p.cf, fnId(stage), 'LIVE');
  const store = (stage: string) => new ReservedStore(env.p.kvs, env.p.context().outputs.read(stage)!.kvsArn);

  /** Publishes `code` to a stage's LIVE straight through the API, as anyone with CloudFront write access could. */
  async function publishOutOfBand(stage: string, code: string): Promise<void> {
    const dev = await readFunctionStage(env.p.cf, fnId(stage), 'DEVELOPMENT');
    const upd = await env.p.cf.send(new UpdateConnectionFunctionCommand({ Id: fnId(stage), IfMatch: dev.etag, ConnectionFunctionConfig: dev.summary.ConnectionFunctionConfig,
      ConnectionFunctionCode: Buffer.from(code) }));
    await publishAndWait(env.p.cf, fnId(stage), upd.ETag!, { intervalMs: 20 });
  }

  /** The store's raw values of the given keys (what an attacker with store write access can copy and put back). */
  async function rawKeys(stage: string, keys: string[]): Promise<{ key: string; value: string }[]> {
    const s = store(stage);
    const out: { key: string; value: string }[] = [];
    for (const key of keys) {
      const value = await s.get(key);
      if (value !== undefined) out.push({ key, value });
    }
    return out;
  }
  const rollbackKeys = async (stage: string) => {
    const meta = JSON.parse((await store(stage).get(ROLLBACK_KEY))!) as { chunks: number };
    return [ROLLBACK_KEY, ...Array.from({ length: meta.chunks }, (_, i) => `${ROLLBACK_KEY}:${i}`)];
  };

  beforeAll(async () => {
    good = fs.readFileSync(env.p.fnFile, 'utf8');
    expect((await run('dev')).outcome).toBe('verified');
  });

  it('TagResource only: an older passed record put back after a later failed one for the same code and LIVE ETag opens no gate', async () => {
    const arn = (await live('dev')).summary.ConnectionFunctionArn!;
    const passed = await readEvidenceTags(env.p.cf, arn);
    expect(passed.result).toBe('passed');
    // A bad day: the canary leaves dev's store, and a pipeline with a rotated key (the old one not yet listed)
    // re-tests LIVE: it fails, and the same code under the same LIVE ETag gets a newer, failed record.
    const canary = env.p.spec('dev').canarySerial;
    const s = store('dev');
    await env.p.kvs.send(new UpdateKeysCommand({ KvsARN: s.kvsArn, IfMatch: await s.etag(), Deletes: [{ Key: canary }] }));
    const rotatedSecret = 'a-rotated-evidence-key-0123456789';
    const rotated = new EvidenceKeyring(hmacSigner(rotatedSecret));
    // verify mode: nothing is applied (an apply would put the canary back) and the failing DEVELOPMENT publishes nothing.
    expect((await run('dev', { keys: rotated }, false)).outcome).toBe('failed-development');
    const failed = await readEvidenceTags(env.p.cf, arn);
    expect(failed).toMatchObject({ result: 'failed', liveEtag: passed.liveEtag, candidateSha256: passed.candidateSha256, seq: String(Number(passed.seq) + 1) });
    await env.p.kvs.send(new UpdateKeysCommand({ KvsARN: s.kvsArn, IfMatch: await s.etag(), Puts: [{ Key: canary, Value: '1' }] }));

    // The attacker puts the older passed record back with TagResource alone; both keys are trusted now.
    const field: Record<keyof typeof EVIDENCE_TAGS, keyof typeof passed> = {
      candidate: 'candidateSha256', suite: 'suiteSha256', result: 'result', time: 'time', liveEtag: 'liveEtag', keyId: 'keyId', signature: 'signature',
      account: 'account', endpoint: 'endpoint', seq: 'seq', verifiedSeq: 'verifiedSeq',
    };
    await env.p.cf.send(new TagResourceCommand({ Resource: arn, Tags: { Items: Object.entries(EVIDENCE_TAGS).map(([k, Key]) => ({ Key, Value: passed[field[k as keyof typeof EVIDENCE_TAGS]] ?? '' })) } }));
    expect(await readEvidenceTags(env.p.cf, arn)).toEqual(passed);
    const both = new EvidenceKeyring(hmacSigner(rotatedSecret), [hmacSigner(CAMPAIGN_EVIDENCE_KEY)]);
    const r = await run('staging', { keys: both });
    expect(r.outcome).toBe('refused');
    expect(r.message).toMatch(new RegExp(`it is record ${passed.seq}, not the stage's newest \\(record ${failed.seq}`));
    expect(await env.p.liveSha('staging')).toBeUndefined();
    // dev's next run re-tests its LIVE (the replayed record does not count) and records it as the newest.
    const again = await run('dev', { keys: new EvidenceKeyring(hmacSigner(CAMPAIGN_EVIDENCE_KEY), [hmacSigner(rotatedSecret)]) });
    expect(again.outcome).toBe('verified');
    expect(again.recovery).toMatch(/not the stage's newest.*passed the suite and is now recorded as verified/);
  });

  it('store writes only: an older rollback record (and an older head) put back is never published without --allow-rollback-to', async () => {
    const shaA = candidateSha256(good);
    expect((await live('dev')).sha256).toBe(shaA);
    const olderRecord = await rawKeys('dev', [...await rollbackKeys('dev'), HEAD_KEY]);
    // A newer candidate B is verified in dev: it is the newest verified code and the rollback target.
    const codeB = `${good}\n// candidate B\n`;
    fs.writeFileSync(env.p.fnFile, codeB);
    expect((await run('dev')).outcome).toBe('verified');
    // The attacker writes A's older record (and the head of that time) back into the store...
    const s = store('dev');
    await s.write(await s.etag(), olderRecord);
    // ...and a broken C reaches LIVE outside the pipeline, so the next run recovers from the store's target.
    const broken = good.replace('await kvs.exists(serial)', 'false');
    await publishOutOfBand('dev', broken);
    const r = await run('dev', {}, false);
    expect(r.recovery).toMatch(new RegExp(`rollback target ${shaA.slice(0, 12)} is record \\d+, older than the stage's newest verified code \\(record \\d+, named by the function's signed evidence tags\\).*--allow-rollback-to ${shaA}`));
    expect((await live('dev')).sha256).toBe(candidateSha256(broken));
    // The operator's explicit choice restores it.
    await run('dev', { allowRollbackTo: shaA }, false).catch(() => undefined);
    expect((await live('dev')).sha256).toBe(shaA);
    expect(await env.p.liveProblem('dev')).toBeUndefined();
    fs.writeFileSync(env.p.fnFile, good);
    expect((await run('dev')).outcome).toBe('verified');
  });

  it('recovery applies the stage\'s promotion policies: an unapproved or deny-window LIVE is not signed but rolled back', async () => {
    const staging = env.p.spec('staging');
    const shaA = candidateSha256(good);
    const approve = async (sha: string) => recordApproval((await approvalStore(env.p.cf, env.p.kvs, staging))!, env.p.keys,
      { stage: 'staging', candidateSha256: sha, approver: 'alice', time: new Date().toISOString() });
    try {
      // Approvals live in the approved stage's own store: staging is deployed first, then gated by approval.
      expect((await run('staging')).outcome).toBe('verified');
      expect((await live('staging')).sha256).toBe(shaA);
      staging.promotion = { requireApproval: true };
      // dev verifies B; B reaches staging's LIVE outside the pipeline, with no approval.
      const codeB = `${good}\n// candidate B2\n`;
      fs.writeFileSync(env.p.fnFile, codeB);
      expect((await run('dev')).outcome).toBe('verified');
      await publishOutOfBand('staging', codeB);
      let r = await run('staging');
      expect(r.recovery).toMatch(/may not run in staging: .*refused by promotion policy: approval: .*restored the last verified code/);
      expect((await live('staging')).sha256).toBe(shaA);
      expect(r.outcome).toBe('refused');

      // Approved, but a deny window is open: recovery does not sign B either, and the rollback itself goes ahead.
      await approve(candidateSha256(codeB));
      staging.promotion = { requireApproval: true, denyWindows: [{ name: 'all day', schedule: '0 0 * * *', durationMinutes: 1440, timeZone: 'UTC' }] };
      await publishOutOfBand('staging', codeB);
      r = await run('staging');
      expect(r.recovery).toMatch(/refused by promotion policy: deny window all day is open until .*restored the last verified code/);
      expect((await live('staging')).sha256).toBe(shaA);
      expect(await env.p.liveProblem('staging')).toBeUndefined();
    } finally {
      delete staging.promotion;
      fs.writeFileSync(env.p.fnFile, good);
    }
  });

  it('store writes only: a head raised to hold rollbacks back only holds them back, and the refusal says the unsigned head is all that names the newer record', async () => {
    const s = store('dev');
    const head = parseHead(await s.get(HEAD_KEY))!;
    const target = (await rollbackKeys('dev'))[0];
    const targetSha = (JSON.parse((await s.get(target))!) as { sha256: string }).sha256;
    await s.write(await s.etag(), [headPut({ ...head, seq: head.seq + 1000, verifiedSeq: head.seq + 1000 })]);
    // The head still names LIVE's record: what counts is unchanged.
    expect(await env.p.liveProblem('dev')).toBeUndefined();
    const broken = good.replace('await kvs.exists(serial)', 'false');
    await publishOutOfBand('dev', broken);
    const r = await run('dev', {}, false);
    expect(r.recovery).toMatch(new RegExp(`is record ${head.verifiedSeq}, older than the stage's newest verified code \\(record ${head.seq + 1000}, named by the store's conngate:head only, which is not signed \\(the tags prove record ${head.verifiedSeq}\\): if no run made it, a store writer raised it\\).*--allow-rollback-to ${targetSha}`));
    expect((await live('dev')).sha256).toBe(candidateSha256(broken));
    await run('dev', { allowRollbackTo: targetSha }, false).catch(() => undefined);
    expect((await live('dev')).sha256).toBe(targetSha);
    expect(await env.p.liveProblem('dev')).toBeUndefined();
  });

  it('store writes only: a head raised to the last sequence number stops recording (only that), with a message that says how to recover', async () => {
    const s = store('dev');
    const head = parseHead(await s.get(HEAD_KEY))!;
    await s.write(await s.etag(), [headPut({ ...head, seq: MAX_EVIDENCE_SEQ })]);
    // The head still names LIVE's record: the raised number alone changes nothing about what counts.
    expect(await env.p.liveProblem('dev')).toBeUndefined();
    const arn = (await live('dev')).summary.ConnectionFunctionArn!;
    const before = await readEvidenceTags(env.p.cf, arn);
    fs.writeFileSync(env.p.fnFile, `${good}\n// candidate D\n`);
    try {
      const r = await run('dev');
      expect(r.outcome).toBe('failed');
      expect(r.message).toMatch(/evidence could not be recorded .*at its limit \(record 999999999999999, .*fix: delete the conngate:head key from the dev KeyValueStore and the conngate:\* tags from its function/);
      // Nothing was signed past the limit: the tags hold the record they held.
      expect(await readEvidenceTags(env.p.cf, arn)).toEqual(before);
      // Doing what the message says: LIVE (D, unrecorded) is tested again and recorded.
      await s.write(await s.etag(), [], [HEAD_KEY]);
      await env.p.cf.send(new UntagResourceCommand({ Resource: arn, TagKeys: { Items: Object.values(EVIDENCE_TAGS) } }));
      const again = await run('dev');
      expect(again.outcome).toBe('verified');
      expect(await env.p.liveProblem('dev')).toBeUndefined();
    } finally {
      fs.writeFileSync(env.p.fnFile, good);
    }
    expect((await run('dev')).outcome).toBe('verified');
  });
});
