import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import type { RunningEmulator } from '../../emulator';
import { candidateSha256 } from '../../orchestrator/stage/candidate';
import { EvidenceKeyring, hmacSigner } from '../../orchestrator/signing/evidence-signing';
import { ReservedStore } from '../../orchestrator/records/reserved-store';
import { loadRollbackTarget, ROLLBACK_KEY, rollbackTargetSha, saveRollbackTarget } from '../../orchestrator/records/rollback-target';
import { emulatorStore, readAll } from '../revocation/emulator-store';

/**
 * The rollback target a fresh runner restores from the stage's KeyValueStore: only code whose signed, passed
 * evidence names it and whose bytes hash to it; anything planted, altered, foreign or torn is refused with a reason.
 */
describe('rollback target in the KeyValueStore', () => {
  let emulator: RunningEmulator;
  let store: ReservedStore;
  const keys = new EvidenceKeyring(hmacSigner('rollback-target-test-key'));
  const arn = 'arn:aws:cloudfront::123456789012:connection-function/cf-1';
  // 10 KB of code that does not compress much: several chunks.
  const code = Buffer.from(`function handler(){}\n// ${randomBytes(7000).toString('base64')}\n`);
  const sign = (k: EvidenceKeyring, over: Partial<Parameters<EvidenceKeyring['sign']>[0]> = {}) => k.sign({
    stage: 'dev', functionArn: arn, account: '123456789012', endpoint: 'emulator', seq: 5, verifiedSeq: 5, candidateSha256: candidateSha256(code), suiteSha256: 's'.repeat(64), liveEtag: 'E1', result: 'passed', time: new Date().toISOString(), ...over,
  });

  const expectation = { stage: 'dev', functionArn: arn, endpoint: 'emulator' as const, minVerifiedSeq: 5 };

  beforeAll(async () => {
    const s = await emulatorStore();
    emulator = s.emulator;
    store = new ReservedStore(s.client, s.kvsArn);
  });
  afterAll(async () => emulator?.close());

  it('round-trips code in chunks under the 1 KB value limit, next to the canary, and drops stale chunks', async () => {
    await saveRollbackTarget(store, code, await sign(keys));
    const all = await readAll(store.kvs, store.kvsArn);
    const chunks = [...all.keys()].filter((k) => k.startsWith(`${ROLLBACK_KEY}:`));
    expect(chunks.length).toBeGreaterThan(5);
    expect([...all.values()].every((v) => Buffer.byteLength(v) <= 1000)).toBe(true);
    const t = await loadRollbackTarget(store, keys, expectation);
    expect(typeof t).toBe('object');
    expect(Buffer.from((t as { code: Uint8Array }).code).equals(code)).toBe(true);

    const small = Buffer.from('function handler(){}\n');
    await saveRollbackTarget(store, small, await sign(keys, { candidateSha256: candidateSha256(small) }));
    const after = [...(await readAll(store.kvs, store.kvsArn)).keys()].filter((k) => k.startsWith(`${ROLLBACK_KEY}:`));
    expect(after).toEqual([`${ROLLBACK_KEY}:0`]);
    expect(await rollbackTargetSha(store)).toBe(candidateSha256(small));
    await saveRollbackTarget(store, code, await sign(keys));
  });

  it('refuses a target planted with evidence of an untrusted key, for another stage or function, or failed', async () => {
    const attacker = new EvidenceKeyring(hmacSigner('the-attackers-own-secret-key'));
    const cases: [Promise<unknown>, RegExp][] = [
      [sign(attacker), /evidence is refused: it is signed by key hmac-[0-9a-f]+, which this pipeline does not trust/],
      [sign(keys, { stage: 'staging' }), /belongs to staging/],
      [sign(keys, { functionArn: `${arn}-other` }), /belongs to dev .*-other/],
    ];
    for (const [evidence, reason] of cases) {
      const etag = await store.etag();
      const meta = JSON.parse((await store.get(ROLLBACK_KEY))!);
      await store.write(etag, [{ key: ROLLBACK_KEY, value: JSON.stringify({ ...meta, evidence: await evidence }) }]);
      expect(await loadRollbackTarget(store, keys, expectation)).toMatch(reason);
    }
    await expect(saveRollbackTarget(store, code, await sign(keys, { result: 'failed' }))).rejects.toThrow(/needs passed evidence/);
  });

  it('refuses a target older than the stage\'s newest verified code unless the operator names it, and a target of another account or endpoint kind', async () => {
    await saveRollbackTarget(store, code, await sign(keys, { seq: 4, verifiedSeq: 4 }));
    const sha = candidateSha256(code);
    expect(await loadRollbackTarget(store, keys, expectation)).toMatch(new RegExp(`is record 4, older than the stage's newest verified code \\(record 5\\).*--allow-rollback-to ${sha}`));
    expect(typeof await loadRollbackTarget(store, keys, { ...expectation, allowRollbackTo: sha })).toBe('object');
    expect(await loadRollbackTarget(store, keys, { ...expectation, allowRollbackTo: 'f'.repeat(64) })).toMatch(/older than/);
    await saveRollbackTarget(store, code, await sign(keys, { account: '210987654321' }));
    expect(await loadRollbackTarget(store, keys, expectation)).toMatch(/not bound to this function's account/);
    await saveRollbackTarget(store, code, await sign(keys, { endpoint: 'aws' }));
    expect(await loadRollbackTarget(store, keys, expectation)).toMatch(/not bound to this function's account and emulator endpoint/);
  });

  it('refuses altered or missing code', async () => {
    await saveRollbackTarget(store, code, await sign(keys));
    const etag = await store.etag();
    const chunk = (await store.get(`${ROLLBACK_KEY}:1`))!;
    await store.write(etag, [{ key: `${ROLLBACK_KEY}:1`, value: chunk.slice(0, -4) + 'AAAA' }]);
    expect(await loadRollbackTarget(store, keys, expectation)).toMatch(/corrupt|does not hash/);
    await store.write(await store.etag(), [], [`${ROLLBACK_KEY}:2`]);
    expect(await loadRollbackTarget(store, keys, expectation)).toMatch(/incomplete \(chunk 2 missing\)/);
  });

  it('refuses a genuine record replayed over planted chunks that inflate far past any function (a deflate bomb)', async () => {
    await saveRollbackTarget(store, code, await sign(keys));
    // A store writer keeps the genuine signed record and swaps the chunks: the signature covers the code's hash, not
    // the chunks, so the inflate runs before the hash can refuse them and must stop at its own bound.
    const meta = JSON.parse((await store.get(ROLLBACK_KEY))!);
    const chunks = deflateRawSync(Buffer.alloc(10 * 1024 * 1024)).toString('base64').match(/.{1,1000}/g)!;
    await store.write(await store.etag(), [...chunks.map((value, i) => ({ key: `${ROLLBACK_KEY}:${i}`, value })),
      { key: ROLLBACK_KEY, value: JSON.stringify({ ...meta, chunks: chunks.length }) }]);
    const started = Date.now();
    expect(await loadRollbackTarget(store, keys, expectation)).toMatch(/ is corrupt$/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('writes only conngate reserved keys', async () => {
    await expect(store.write(await store.etag(), [{ key: '0badc0de', value: '1' }])).rejects.toThrow(/not a conngate reserved key/);
  });
});
