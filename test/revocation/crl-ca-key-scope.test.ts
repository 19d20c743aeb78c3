/**
 * A CRL's history belongs to its issuer's name and the key that verified it. Two CA certificates with one name
 * (a re-key, both in the bundle) each keep their own mark: neither key's CRL can un-revoke the other's serials,
 * move the other's mark, or be refused because of the other's numbers. A re-key is finished by retiring the old
 * key. Marks written before they were bound to keys are held to fail closed and migrate on the next newer CRL.
 */
import { createHash, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { UpdateKeysCommand } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { loadRevocationSource } from '../../revocation/load-source';
import { checkRevocations } from '../../revocation/store-check';
import { syncRevocations, SyncOptions } from '../../revocation/sync';
import { CANARY, emulatorFixture, emulatorStore, EmulatorStore, readAll, storeEtag } from './emulator-store';
import { cli } from './in-process-cli';
import { makeCa, makeCrl, TestCa } from './openssl-pki';

const spkiSha256 = (ca: TestCa): string =>
  createHash('sha256').update(new X509Certificate(fs.readFileSync(ca.certFile)).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');

describe('CRL history per CA key', () => {
  const fx = emulatorFixture();
  /** two CAs named "O=Conngate Test, CN=twin" with different keys, and a bundle holding both certificates */
  let a: TestCa;
  let b: TestCa;
  let bundle: string;
  beforeAll(() => {
    fs.mkdirSync(path.join(fx.dir, 'a'));
    fs.mkdirSync(path.join(fx.dir, 'b'));
    a = makeCa(path.join(fx.dir, 'a'), 'twin');
    b = makeCa(path.join(fx.dir, 'b'), 'twin');
    bundle = path.join(fx.dir, 'bundle.pem');
    fs.writeFileSync(bundle, fs.readFileSync(a.certFile, 'utf8') + fs.readFileSync(b.certFile, 'utf8'));
  });

  const load = (...crls: string[]) => loadRevocationSource({ crlFiles: crls, caFiles: [bundle] });
  const sync = async (s: EmulatorStore, crls: string[], extra: Partial<SyncOptions> = {}) =>
    syncRevocations({ client: s.client, kvsArn: s.kvsArn, source: await load(...crls), protectedKeys: [CANARY], maxDeleteShare: 1, ...extra });
  const serials = async (s: EmulatorStore): Promise<string[]> => [...(await readAll(s.client, s.kvsArn)).keys()].filter((k) => !k.startsWith('conngate:') && k !== CANARY).sort();
  const marks = async (s: EmulatorStore): Promise<Record<string, string>[]> =>
    [...(await readAll(s.client, s.kvsArn))].filter(([k]) => k.startsWith('conngate:crl-mark:')).map(([, v]) => JSON.parse(v)).sort((x, y) => (x.caKey < y.caKey ? -1 : 1));

  it('a same-name key cannot un-revoke the other key\'s serials nor block its CRLs with a higher number', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    await sync(s, [makeCrl(a, ['A1', 'A2', 'A3'], { crlNumber: '05' })]);
    // The attack: key B's CRL, number 1,000,000, revokes nothing of A's. It does not replace A's CRL.
    const bHigh = makeCrl(b, ['B1'], { crlNumber: '0F4240' });
    const before = await storeEtag(s.client, s.kvsArn);
    await expect(sync(s, [bHigh])).rejects.toThrow(
      /^conngate:crl-mark:[0-9a-f]{32}: the store applied a CRL of "O=Conngate Test, CN=twin" \(key sha256:[0-9a-f]{16}, CRL number 05, .*\) that this run does not include/);
    expect(await storeEtag(s.client, s.kvsArn)).toBe(before);
    // Both keys' CRLs together: each its own scope, the union applied, two marks.
    expect(await sync(s, [makeCrl(a, ['A1', 'A2', 'A3', 'A4'], { crlNumber: '06' }), bHigh])).toMatchObject({ puts: 2, deletes: 0, marksWritten: 2 });
    expect(await serials(s)).toEqual(['a1', 'a2', 'a3', 'a4', 'b1']);
    expect(await marks(s)).toEqual([spkiSha256(a), spkiSha256(b)].sort().map((caKey) => expect.objectContaining({ caKey, crlNumber: caKey === spkiSha256(a) ? '06' : '0f4240' })));
    // A's next CRL (number 7, far below B's 1,000,000) is applied: B's numbers are not A's.
    expect(await sync(s, [makeCrl(a, ['A1', 'A2', 'A3', 'A4', 'A5'], { crlNumber: '07' }), bHigh])).toMatchObject({ puts: 1, marksWritten: 1 });
    // Each key's own history still refuses its own replays.
    await expect(sync(s, [makeCrl(a, ['A1'], { crlNumber: '06', thisUpdateHoursAgo: 2 }), bHigh])).rejects.toThrow(/older CRL refused: .*CRL number 07/);
    await expect(sync(s, [makeCrl(a, ['A1', 'A2', 'A3', 'A4', 'A5'], { crlNumber: '07' }), makeCrl(b, [], { crlNumber: '0F423F', thisUpdateHoursAgo: 3 })]))
      .rejects.toThrow(/older CRL refused: .*CRL number 0f4240/);
    expect(await serials(s)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'b1']);
    // A second CRL of the same key and scope in one run is still refused; one of each key is not.
    await expect(load(makeCrl(a, ['A1'], { crlNumber: '08' }), makeCrl(a, ['A2'], { crlNumber: '09' })))
      .rejects.toThrow(/a second CRL of "O=Conngate Test, CN=twin" with the same scope and CA key as /);
  });

  it('refuses a CRL whose authority key identifier names another key than the CA certificate that verifies it', async () => {
    fs.mkdirSync(path.join(fx.dir, 'aki'));
    const real = makeCa(path.join(fx.dir, 'aki'), 'aki-ca');
    // The same key and name, but a certificate stating another subject key identifier.
    const odd = makeCa(path.join(fx.dir, 'aki'), 'aki-ca-odd', { keyFile: real.keyFile, subject: '/O=Conngate Test/CN=aki-ca', addext: ['subjectKeyIdentifier=00112233445566778899'] });
    const crl = makeCrl(real, ['C1'], { crlExtensions: ['authorityKeyIdentifier=keyid:always'] });
    await expect(loadRevocationSource({ crlFiles: [crl], caFiles: [odd.certFile] }))
      .rejects.toThrow(/the CRL's authority key identifier [0-9a-f]+ is not the subject key identifier of any --ca certificate named "O=Conngate Test, CN=aki-ca" \(.*00112233445566778899\)/);
    await expect(loadRevocationSource({ crlFiles: [crl], caFiles: [real.certFile] })).resolves.toMatchObject({ entries: new Map([['c1', '1']]) });
  });

  it('a re-key: both keys in the bundle, both shown by check, then the old key retired through the CLI', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    const base = ['--kvs-arn', s.kvsArn, '--endpoint', fx.emu.endpoint, '--outputs', path.join(fx.dir, 'rekey', '.conngate', 'outputs.json')];
    const oldCrl = makeCrl(a, ['0D01', '0D02'], { crlNumber: '10' });
    expect((await cli(['revocations', 'sync', 'dev', '--crl', oldCrl, '--ca', a.certFile, ...base])).code).toBe(0);
    // The new key starts numbering at 1: its own scope, not "older" than the old key's 10.
    const newCrl = makeCrl(b, ['0E01'], { crlNumber: '01' });
    const both = await cli(['revocations', 'sync', 'dev', '--crl', oldCrl, '--crl', newCrl, '--ca', bundle, ...base]);
    expect(both).toMatchObject({ code: 0, out: expect.stringMatching(/put 1 and deleted 0 keys .*1 CRL mark moved/) });
    const checked = await cli(['revocations', 'check', 'dev', '--crl', oldCrl, '--crl', newCrl, '--ca', bundle, '--json', ...base]);
    expect(checked.code).toBe(0);
    const report = JSON.parse(checked.out) as { marks: { caKey: string; crlNumber: string; inSources: boolean }[]; crls: { caKey: string; mark: string }[] };
    expect(report.marks.map((m) => [m.caKey, m.crlNumber, m.inSources]).sort()).toEqual([[spkiSha256(a), '10', true], [spkiSha256(b), '01', true]].sort());
    expect(report.crls.map((c) => [c.caKey, c.mark]).sort()).toEqual([[spkiSha256(a), 'current'], [spkiSha256(b), 'current']].sort());
    // Until the old key is retired, leaving its CRL out is refused: its serials stay protected.
    const newOnly = ['revocations', 'sync', 'dev', '--crl', newCrl, '--ca', bundle, '--max-delete-share', '1', ...base];
    expect(await cli(newOnly)).toMatchObject({ code: 2, err: expect.stringMatching(/that this run does not include.*retire-ca/) });
    expect(await serials(s)).toEqual(['0d01', '0d02', '0e01']);
    // Bad input to retire-ca: nothing changes.
    expect(await cli(['revocations', 'retire-ca', 'dev', 'abc', ...base])).toMatchObject({ code: 2, err: expect.stringMatching(/^conngate: <ca-key>: "abc" is not a CA key digest/) });
    expect(await cli(['revocations', 'retire-ca', 'dev', 'ab'.repeat(32), ...base]))
      .toMatchObject({ code: 2, err: expect.stringMatching(/the store holds no live CRL mark of this CA key; it holds marks of key sha256:/) });
    const retired = await cli(['revocations', 'retire-ca', 'dev', `sha256:${spkiSha256(a)}`, ...base]);
    expect(retired).toMatchObject({ code: 0, out: expect.stringMatching(/retired CA key sha256:[0-9a-f]{64} \(1 CRL mark now tombstones/) });
    // Now the new key's CRL alone syncs, and the serials only the old key revoked go.
    expect(await cli(newOnly)).toMatchObject({ code: 0, out: expect.stringMatching(/put 0 and deleted 2 keys/) });
    expect(await serials(s)).toEqual(['0e01']);
    // The old key's CRL is refused from now on; check shows the tombstone.
    expect(await cli(['revocations', 'sync', 'dev', '--crl', oldCrl, '--crl', newCrl, '--ca', bundle, ...base]))
      .toMatchObject({ code: 2, err: expect.stringMatching(/verified by a retired CA key \(sha256:[0-9a-f]{64}, retired 20/) });
    expect(await cli(['revocations', 'check', 'dev', '--crl', oldCrl, '--crl', newCrl, '--ca', bundle, ...base]))
      .toMatchObject({ code: 1, out: expect.stringMatching(/problem: .*verified by a retired CA key \(sha256:[0-9a-f]{64}\); the next sync refuses it/) });
    const after = await cli(['revocations', 'check', 'dev', '--crl', newCrl, '--ca', bundle, ...base]);
    expect(after.code).toBe(0);
    expect(after.out).toMatch(/mark +"O=Conngate Test, CN=twin" \(key sha256:[0-9a-f]{16}\) number 10, .* RETIRED 20/);
  });

  it('a key retired in the stage config becomes a tombstone in the sync\'s last batch', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    const aCrl = makeCrl(a, ['1A'], { crlNumber: '02' });
    await sync(s, [aCrl, makeCrl(b, ['1B'], { crlNumber: '02' })]);
    await expect(sync(s, [aCrl])).rejects.toThrow(/that this run does not include/);
    expect(await sync(s, [aCrl], { retiredCaKeys: [spkiSha256(b)] })).toMatchObject({ deletes: 1, marksWritten: 1 });
    expect(await serials(s)).toEqual(['1a']);
    expect((await marks(s)).find((m) => m.caKey === spkiSha256(b))).toMatchObject({ retired: expect.stringMatching(/^20/) });
    expect(await sync(s, [aCrl])).toMatchObject({ batches: 0 });
  });

  it('check agrees with the next sync about a key retired in the stage config, before that sync has run', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    const aCrl = makeCrl(a, ['2A'], { crlNumber: '03' });
    const bCrl = makeCrl(b, ['2B'], { crlNumber: '03' });
    await sync(s, [aCrl, bCrl]);
    const check = async (crls: string[]) => checkRevocations({ client: s.client, kvsArn: s.kvsArn, source: await load(...crls), canary: CANARY, warnBeforeMs: 0, retiredCaKeys: [spkiSha256(b)] });
    // The old key's CRL dropped: the sync passes (and tombstones its mark), so the check does too.
    expect(await check([aCrl])).toMatchObject({ ok: true, problems: [] });
    await expect(sync(s, [aCrl], { retiredCaKeys: [spkiSha256(b)], dryRun: true })).resolves.toMatchObject({ dryRun: true });
    // The old key's CRL still in the job: the sync refuses it, so the check fails on it.
    const both = await check([aCrl, bCrl]);
    expect(both.ok).toBe(false);
    expect(both.problems).toEqual([expect.stringMatching(/verified by a retired CA key \(sha256:[0-9a-f]{64}\); the next sync refuses it/)]);
    await expect(sync(s, [aCrl, bCrl], { retiredCaKeys: [spkiSha256(b)] })).rejects.toThrow(/verified by a retired CA key/);
  });

  it('the stage config retires a key (retiredCrlCaKeys) and allows private CRL hosts (allowPrivateCrlHosts) for sync and check', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    const served = new Map<string, Buffer>();
    const server = createServer((q, r) => { r.writeHead(served.has(q.url ?? '') ? 200 : 404); r.end(served.get(q.url ?? '')); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      served.set('/a.crl', fs.readFileSync(makeCrl(a, ['2A'], { crlNumber: '03' })));
      served.set('/b.crl', fs.readFileSync(makeCrl(b, ['2B'], { crlNumber: '03' })));
      const project = path.join(fx.dir, 'project-config');
      fs.mkdirSync(project, { recursive: true });
      const config = (dev: Record<string, unknown>): void => fs.writeFileSync(path.join(project, 'conngate.config.json'), JSON.stringify({ stages: { dev } }));
      const args = ['--dir', project, '--kvs-arn', s.kvsArn, '--endpoint', fx.emu.endpoint, '--ca', bundle, '--max-delete-share', '1'];
      config({});
      expect(await cli(['revocations', 'sync', 'dev', '--crl', `${url}/a.crl`, '--crl', `${url}/b.crl`, ...args]))
        .toMatchObject({ code: 2, err: expect.stringMatching(/refused: 127\.0\.0\.1 is a loopback address/) });
      config({ allowPrivateCrlHosts: true });
      expect(await cli(['revocations', 'sync', 'dev', '--crl', `${url}/a.crl`, '--crl', `${url}/b.crl`, ...args])).toMatchObject({ code: 0 });
      config({ allowPrivateCrlHosts: true, retiredCrlCaKeys: [`sha256:${spkiSha256(b).toUpperCase()}`] });
      // Before the sync that tombstones it, check already judges the retired key as that sync will.
      expect(await cli(['revocations', 'check', 'dev', '--crl', `${url}/a.crl`, '--crl', `${url}/b.crl`, ...args.slice(0, -2)]))
        .toMatchObject({ code: 1, out: expect.stringMatching(/b\.crl: verified by a retired CA key/) });
      expect(await cli(['revocations', 'sync', 'dev', '--crl', `${url}/a.crl`, ...args])).toMatchObject({ code: 0, out: expect.stringMatching(/deleted 1 keys.*1 CRL mark moved/) });
      expect(await serials(s)).toEqual(['2a']);
      const checked = await cli(['revocations', 'check', 'dev', '--crl', `${url}/a.crl`, '--json', ...args.slice(0, -2)]);
      expect(checked.code).toBe(0);
      expect((JSON.parse(checked.out) as { marks: { caKey: string; retired?: string }[] }).marks.find((m) => m.caKey === spkiSha256(b))).toMatchObject({ retired: expect.any(String) });
      config({ retiredCrlCaKeys: ['not-a-key'] });
      expect(await cli(['revocations', 'sync', 'dev', '--crl', `${url}/a.crl`, ...args])).toMatchObject({ code: 2, err: expect.stringMatching(/retiredCrlCaKeys/) });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('a mark written before marks were bound to keys holds every key of its name (fails closed), and migrates on a newer CRL', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    const probe = await load(makeCrl(a, [], { crlNumber: '01' }));
    const legacyKey = `conngate:crl-mark:${probe.crls[0].nameScopeId}`;
    await s.client.send(new UpdateKeysCommand({
      KvsARN: s.kvsArn, IfMatch: await storeEtag(s.client, s.kvsArn),
      Puts: [{ Key: legacyKey, Value: JSON.stringify({ issuer: 'O=Conngate Test, CN=twin', crlNumber: '08', thisUpdate: new Date(Date.now() - 3600_000).toISOString() }) },
        { Key: 'f1', Value: '1' }],
    }));
    await expect(sync(s, [makeCrl(a, ['F1'], { crlNumber: '07' })])).rejects.toThrow(/older CRL refused: .*CRL number 08.*written before marks were bound to CA keys.*\(fix: .*sync the old key's CRL once first/);
    // A new key's first CRL cannot tell it is not the key that wrote the mark: also held (fail closed).
    await expect(sync(s, [makeCrl(b, ['F1'], { crlNumber: '01' })])).rejects.toThrow(/older CRL refused/);
    const a09 = makeCrl(a, ['F1', 'F2'], { crlNumber: '09' });
    expect(await sync(s, [a09])).toMatchObject({ puts: 1, marksWritten: 1 });
    const store = await readAll(s.client, s.kvsArn);
    expect(store.has(legacyKey)).toBe(false);
    expect(await marks(s)).toEqual([expect.objectContaining({ caKey: spkiSha256(a), crlNumber: '09', nameScope: probe.crls[0].nameScopeId })]);
    // Migrated: the new key now starts its own history beside it.
    const b01 = makeCrl(b, ['F3'], { crlNumber: '01' });
    expect(await sync(s, [a09, b01])).toMatchObject({ puts: 1, marksWritten: 1 });
    const report = await checkRevocations({ client: s.client, kvsArn: s.kvsArn, source: await load(a09, b01), canary: CANARY, warnBeforeMs: 0 });
    expect(report).toMatchObject({ ok: true });
  });
});
