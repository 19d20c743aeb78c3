/**
 * `conngate revocations check`: read-only, exit 0 when the store matches its verified sources, exit 1 for
 * drift (a revoked serial missing), staleness (nextUpdate passed or within --warn-before), a missing canary
 * or a source older than what the store applied; extras are reported without failing. Never writes.
 */
import * as path from 'node:path';
import { DeleteKeyCommand, PutKeyCommand } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { CANARY, emulatorFixture, emulatorStore, EmulatorStore, putDirect, storeEtag } from './emulator-store';
import { makeCrl } from './openssl-pki';
import { cli } from './in-process-cli';


describe('conngate revocations check', () => {
  const fx = emulatorFixture('check-ca');
  let s: EmulatorStore;
  let crl: string;
  let base: string[];
  beforeAll(async () => {
    s = await emulatorStore({ emulator: fx.emu });
    crl = makeCrl(fx.ca, ['0A01', '0A02', '0A03'], { crlNumber: '05', nextUpdateHours: 48 });
    base = ['--kvs-arn', s.kvsArn, '--endpoint', fx.emu.endpoint, '--outputs', path.join(fx.dir, '.conngate', 'outputs.json'), '--ca', fx.ca.certFile];
    expect((await cli(['revocations', 'sync', 'dev', '--crl', crl, ...base])).code).toBe(0);
  });

  const check = async (args: string[]) => {
    const before = await storeEtag(s.client, s.kvsArn);
    const r = await cli(['revocations', 'check', 'dev', ...base, ...args]);
    expect(await storeEtag(s.client, s.kvsArn)).toBe(before); // read-only, always
    return r;
  };

  it('passes (exit 0) on a store in step with its CRL, with a table and JSON', async () => {
    const r = await check(['--crl', crl]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^revocations check dev: OK\n/);
    expect(r.out).toMatch(/store +4 serial keys incl\. canary, 1 reserved; 0\.00 MB of 5\.00 MB/);
    expect(r.out).toMatch(/crl +.*"O=Conngate Test, CN=check-ca" \(key sha256:[0-9a-f]{16}\) number 05, 3 revoked, .*\(ok\); vs store mark: current/);
    expect(r.out).toMatch(/mark +"O=Conngate Test, CN=check-ca" \(key sha256:[0-9a-f]{16}\) number 05/);
    const j = JSON.parse((await check(['--crl', crl, '--json'])).out);
    expect(j).toMatchObject({ stage: 'dev', ok: true, missing: { count: 0 }, extras: { count: 0 }, canaryPresent: true,
      crls: [{ crlNumber: '05', freshness: 'ok', mark: 'current', revoked: 3 }], marks: [{ crlNumber: '05', readable: true }], problems: [] });
  });

  it('fails (exit 1) when a CRL\'s nextUpdate is within --warn-before, or has passed', async () => {
    const soon = await check(['--crl', crl, '--warn-before', '3d']);
    expect(soon.code).toBe(1);
    expect(soon.out).toMatch(/FAIL \(1 problem\)[\s\S]*problem: .*nextUpdate .* is within the warning window/);
    const expired = makeCrl(fx.ca, ['0A01', '0A02', '0A03'], { crlNumber: '06', thisUpdateHoursAgo: 3, nextUpdateHours: -1 });
    const r = await check(['--crl', expired, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.crls[0]).toMatchObject({ freshness: 'expired', mark: 'newer-than-store' });
    expect(j.problems).toEqual([expect.stringMatching(/nextUpdate .* has passed/)]);
  });

  it('fails (exit 1) when a revoked serial is missing from the store, and only reports extras', async () => {
    await putDirect(s.client, s.kvsArn, ['beef']);
    const extras = await check(['--crl', crl]);
    expect(extras.code).toBe(0);
    expect(extras.out).toMatch(/extras +1: beef \(in the store, in no source\)/);
    await s.client.send(new DeleteKeyCommand({ KvsARN: s.kvsArn, Key: '0a02', IfMatch: await storeEtag(s.client, s.kvsArn) }));
    const r = await check(['--crl', crl]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/missing +1: 0a02/);
    expect(r.out).toMatch(/problem: 1 revoked serial\(s\) of the sources are missing from the store \(e\.g\. 0a02\): run revocations sync/);
    // sync repairs it; check passes again.
    expect((await cli(['revocations', 'sync', 'dev', '--crl', crl, '--max-delete-share', '0.5', ...base])).code).toBe(0);
    expect((await check(['--crl', crl])).code).toBe(0);
  });

  it('fails (exit 1) for a source older than what the store applied, and for a missing canary', async () => {
    const older = makeCrl(fx.ca, ['0A01', '0A02', '0A03'], { crlNumber: '04', thisUpdateHoursAgo: 5 });
    const r = await check(['--crl', older]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/vs store mark: older-than-store[\s\S]*problem: .*older than the CRL the store already applied/);
    await s.client.send(new DeleteKeyCommand({ KvsARN: s.kvsArn, Key: CANARY, IfMatch: await storeEtag(s.client, s.kvsArn) }));
    const c = await check(['--crl', crl]);
    expect(c.code).toBe(1);
    expect(c.out).toMatch(/canary +MISSING/);
    const markKey = JSON.parse((await check(['--crl', crl, '--json'])).out).marks[0].key as string;
    await s.client.send(new PutKeyCommand({ KvsARN: s.kvsArn, Key: markKey, Value: 'damaged', IfMatch: await storeEtag(s.client, s.kvsArn) }));
    const m = await check(['--crl', crl]);
    expect(m.code).toBe(1);
    expect(m.out).toMatch(/mark +conngate:crl-mark:[0-9a-f]{32}: UNREADABLE[\s\S]*problem: conngate:crl-mark:.*the high-water mark is unreadable/);
  });

  it('refuses bad input with exit 2: no --ca for a CRL, a bad --warn-before', async () => {
    const noCa = await cli(['revocations', 'check', 'dev', '--kvs-arn', s.kvsArn, '--endpoint', fx.emu.endpoint, '--crl', crl]);
    expect(noCa.code).toBe(2);
    expect(noCa.err).toMatch(/^conngate: --ca: a CRL is applied only when/m);
    const bad = await check(['--crl', crl, '--warn-before', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^conngate: --warn-before: "soon" is not a duration \(fix: pass e\.g\. 12h/m);
  });
});
