import * as fs from 'node:fs';
import * as path from 'node:path';
import { candidateSha256 } from '../../orchestrator/stage/candidate';
import { openWindowUntil, parseDenyWindow } from '../../orchestrator/policies/deny-window';
import { readLedger } from '../../orchestrator/evidence/evidence';
import { EvidenceKeyring, hmacSigner } from '../../orchestrator/signing/evidence-signing';
import { runStagePipeline, type PipelineContext } from '../../orchestrator/pipeline/pipeline';
import { approvalKey, approvalStore, recordApproval } from '../../orchestrator/policies/promotion-approval';
import { readStageStatuses } from '../../orchestrator/reports/stage-status';
import { UserError } from '../../diagnostics/user-error';
import { campaignOnEmulator } from '../faults/campaign-emulator';

jest.setTimeout(300_000);

describe('deny windows: a cron subset read in a time zone', () => {
  const w = (schedule: string, durationMinutes: number, timeZone: string) => parseDenyWindow({ schedule, durationMinutes, timeZone }, 'w');
  it('opens at the schedule in the zone and closes after the duration', () => {
    const weekdays9to17NewYork = w('0 9 * * 1-5', 480, 'America/New_York');
    // Wednesday 2 Dec 2026, 12:00 in New York (EST, UTC-5) = 17:00Z: open until 17:00 local = 22:00Z.
    expect(openWindowUntil(weekdays9to17NewYork, new Date('2026-12-02T17:00:00Z'))?.toISOString()).toBe('2026-12-02T22:00:00.000Z');
    expect(openWindowUntil(weekdays9to17NewYork, new Date('2026-12-02T13:59:00Z'))).toBeUndefined(); // 08:59 local
    expect(openWindowUntil(weekdays9to17NewYork, new Date('2026-12-02T22:00:00Z'))).toBeUndefined(); // 17:00 local: closed
    expect(openWindowUntil(weekdays9to17NewYork, new Date('2026-12-05T17:00:00Z'))).toBeUndefined(); // Saturday
    // The same wall-clock schedule in Tokyo is open at another instant.
    expect(openWindowUntil(w('0 9 * * 1-5', 480, 'Asia/Tokyo'), new Date('2026-12-02T01:00:00Z'))).toBeDefined();
    // A window that spans midnight into the next day.
    expect(openWindowUntil(w('0 22 * * 5', 600, 'UTC'), new Date('2026-12-05T03:00:00Z'))?.toISOString()).toBe('2026-12-05T08:00:00.000Z');
  });
  it('refuses a schedule or time zone it cannot read, naming the field', () => {
    expect(() => w('0 9 * *', 60, 'UTC')).toThrow(/has 4 fields, not 5/);
    expect(() => w('0 25 * * *', 60, 'UTC')).toThrow(/hour "25" is outside 0-23/);
    expect(() => w('*/5 * * * *', 60, 'UTC')).toThrow(UserError);
    expect(() => w('0 9 * * *', 60, 'Mars/Olympus')).toThrow(/w\.timeZone: "Mars\/Olympus" is not a time zone/);
  });
});

/** Each policy refuses the promotion into staging while unmet and lets it pass once met; an override is recorded. */
describe('promotion policies enforced by the gate', () => {
  const env = campaignOnEmulator('conngate-policies');
  let candidate: string;
  const staging = () => env.p.spec('staging');
  const run = (over: Partial<PipelineContext> = {}) => runStagePipeline({ ...env.p.context(), ...over }, 'staging', env.p.applier());
  const inMinutes = (m: number) => () => new Date(Date.now() + m * 60_000);

  beforeAll(async () => {
    candidate = candidateSha256(fs.readFileSync(env.p.fnFile));
    expect((await runStagePipeline(env.p.context(), 'dev', env.p.applier())).outcome).toBe('verified');
  });
  afterEach(() => { delete staging().promotion; });

  it('soak time: refused until dev has run the candidate verified for N minutes; status names the unmet condition', async () => {
    staging().promotion = { soakMinutes: 60 };
    const refused = await run();
    expect(refused.outcome).toBe('refused');
    expect(refused.message).toMatch(/refused by promotion policy: soak: dev has run [0-9a-f]{12} verified for 0 of 60 minutes \(until /);
    const [, st] = await readStageStatuses({ cf: env.p.cf, kvs: env.p.kvs }, env.p.stages, env.p.keys, { cf: env.p.cf, kvs: env.p.kvs, stages: env.p.stages });
    expect(st.gate).toEqual({ open: false, reason: expect.stringMatching(/^promotion policy: soak: dev has run/) });
    const later = await readStageStatuses({ cf: env.p.cf, kvs: env.p.kvs }, env.p.stages, env.p.keys, { cf: env.p.cf, kvs: env.p.kvs, stages: env.p.stages, now: inMinutes(61) });
    expect(later[1].gate.open).toBe(true);
    expect((await run({ now: inMinutes(61) })).outcome).toBe('verified');
  });

  it('required approval: refused without one, with a forged one, with one for other code; passes with a signed approval', async () => {
    staging().promotion = { requireApproval: true };
    expect((await run()).message).toMatch(/approval: no approval of [0-9a-f]{12} into staging \(run `conngate approve staging --candidate/);
    const store = (await approvalStore(env.p.cf, env.p.kvs, staging()))!;
    // Anyone with KVS write access can write the key; without the evidence key the approval does not verify.
    const forged = await recordApproval(store, new EvidenceKeyring(hmacSigner('not-the-pipeline-key')), { stage: 'staging', candidateSha256: candidate, approver: 'mallory', time: new Date().toISOString() });
    expect((await run()).message).toMatch(/the recorded approval is refused: it is signed by key .* which this pipeline does not trust/);
    await store.write(await store.etag(), [{ key: approvalKey('staging'), value: JSON.stringify({ ...forged, approver: 'alice', keyId: env.p.keys.signer.keyId }) }]);
    expect((await run()).message).toMatch(/the recorded approval is refused: its signature does not verify/);
    await recordApproval(store, env.p.keys, { stage: 'staging', candidateSha256: 'ab'.repeat(32), approver: 'alice', time: new Date().toISOString() });
    expect((await run()).message).toMatch(/the approval by alice is for abababababab, not/);
    await recordApproval(store, env.p.keys, { stage: 'staging', candidateSha256: candidate, approver: 'alice', time: new Date().toISOString() });
    expect((await run()).outcome).toBe('verified');
  });

  it('deny window: refused while a freeze is open, passes outside it', async () => {
    staging().promotion = { denyWindows: [{ name: 'weekday freeze', schedule: '0 9 * * 1-5', durationMinutes: 480, timeZone: 'America/New_York' }] };
    const wednesdayNoon = () => new Date('2026-12-02T17:00:00Z');
    const refused = await run({ now: wednesdayNoon });
    expect(refused.outcome).toBe('refused');
    expect(refused.message).toMatch(/deny window weekday freeze is open until 2026-12-02T22:00:00.000Z/);
    expect((await run({ now: () => new Date('2026-12-05T17:00:00Z') })).outcome).toBe('verified');
  });

  it('an emergency override promotes past unmet policies and is recorded in the ledger with its reason and what it overrode', async () => {
    staging().promotion = { soakMinutes: 600, requireApproval: true };
    await (await approvalStore(env.p.cf, env.p.kvs, staging()))!.write(
      await (await approvalStore(env.p.cf, env.p.kvs, staging()))!.etag(), [], [approvalKey('staging')]);
    const r = await run({ policyOverride: { reason: 'incident 4711: revocation hotfix', by: 'oncall-bob' } });
    expect(r.outcome).toBe('verified');
    expect(r.steps.find((s) => s.name === 'gate')!.detail).toMatch(/promotion policy overridden \(incident 4711: revocation hotfix\) by oncall-bob: soak: .*; approval: no approval/);
    const entry = readLedger(path.join(env.p.stateDir, 'ledger.jsonl')).filter((e) => e.event === 'policy-override').at(-1)!;
    expect(entry).toMatchObject({ stage: 'staging', candidateSha256: candidate });
    expect(entry.detail).toMatch(/incident 4711.*by oncall-bob: soak: dev has run .* of 600 minutes.*approval: no approval/);
  });
});
