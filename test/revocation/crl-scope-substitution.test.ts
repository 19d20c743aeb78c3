/**
 * A validly signed, unexpired CRL of the right CA can still be the wrong CRL: another partition of the same CA
 * served at the URL of the full CRL (plain http lets anyone on the path do that), a CRL of CA certificates
 * only, or a serial list put in place of the CRLs. Each would make the store drop the serials only the missing
 * CRL revoked, a 10% slice per run under the mass-delete share, until nothing is left. The store's marks say
 * which CRLs it applied, so the sync refuses a run that leaves one out, and the check fails on it.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadRevocationSource, SourceOptions } from '../../revocation/load-source';
import { cli } from './in-process-cli';
import { isReservedKey } from '../../revocation/reserved-keys';
import { checkRevocations } from '../../revocation/store-check';
import { syncRevocations } from '../../revocation/sync';
import { CANARY, emulatorFixture, emulatorStore, readAll, storeEtag } from './emulator-store';
import { issueCert, makeCa, makeCrl } from './openssl-pki';

const hexes = (n: number, tag: string): string[] => Array.from({ length: n }, (_, i) => `${tag}${i.toString(16).padStart(6, '0')}`);

describe('a CRL left out or substituted', () => {
  const fx = emulatorFixture('scope-ca');
  let server: http.Server;
  let url: string;
  /** what the loopback distribution point serves now */
  let served: Buffer;
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pkix-crl', 'content-length': served.length });
      res.end(served);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/issuing.crl`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  // The distribution point is on loopback (allowed here). The partitions below name crl.example.com, not this URL,
  // so the first test lets that mismatch through to show the marks' own defence behind it.
  const fromUrl = (extra: Partial<SourceOptions> = { allowIdpMismatch: true }) =>
    loadRevocationSource({ crlFiles: [url], caFiles: [fx.ca.certFile], fetch: { privateHosts: { all: true } }, ...extra });
  const partition = (serials: string[], name: string): string => makeCrl(fx.ca, serials, {
    crlNumber: '20', crlExtensions: ['issuingDistributionPoint = critical,@idp', '[idp]', `fullname = URI:http://crl.example.com/${name}.crl`],
  });

  it('refuses another partition of the same CA served at the full CRL\'s URL, and check fails on it', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    served = fs.readFileSync(makeCrl(fx.ca, hexes(100, '9A'), { crlNumber: '10' }));
    await syncRevocations({ client: s.client, kvsArn: s.kvsArn, source: await fromUrl(), protectedKeys: [CANARY] });
    const before = await storeEtag(s.client, s.kvsArn);

    // Partition 2 holds 5 of the serials; everything else is in partition 1, which is not what is served.
    served = fs.readFileSync(partition(hexes(5, '9A'), 'part2'));
    const substituted = await fromUrl();
    await expect(syncRevocations({ client: s.client, kvsArn: s.kvsArn, source: substituted, protectedKeys: [CANARY], maxDeleteShare: 1 }))
      .rejects.toThrow(/conngate:crl-mark:[0-9a-f]{32}: the store applied a CRL of "O=Conngate Test, CN=scope-ca" \(key sha256:[0-9a-f]{16}, CRL number 10, .*\) that this run does not include; its revocations would be deleted \(fix: .*--allow-mass-delete/);
    await expect(syncRevocations({ client: s.client, kvsArn: s.kvsArn, source: substituted, protectedKeys: [CANARY], dryRun: true }))
      .rejects.toThrow(/that this run does not include/);
    expect(await storeEtag(s.client, s.kvsArn)).toBe(before);

    const report = await checkRevocations({ client: s.client, kvsArn: s.kvsArn, source: substituted, canary: CANARY, warnBeforeMs: 0 });
    expect(report.missing.count).toBe(0); // every serial of the substitute is in the store: without the marks this looked fine
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(expect.arrayContaining([expect.stringMatching(/the store applied a CRL of "O=Conngate Test, CN=scope-ca" \(key sha256:[0-9a-f]{16}, CRL number 10\) that no source of this check includes/)]));
    expect(report.marks).toEqual([expect.objectContaining({ crlNumber: '10', inSources: false })]);
  });

  it('refuses a partition served at another partition\'s URL on the first sync into an empty store; the right URL, an alias or the flag pass', async () => {
    const base = url.replace(/\/issuing\.crl$/, '');
    const own = (name: string, serials: string[]): Buffer => fs.readFileSync(makeCrl(fx.ca, serials, {
      crlNumber: '40', crlExtensions: ['issuingDistributionPoint = critical,@idp', '[idp]', `fullname = URI:${base}/${name}.crl`],
    }));
    const s = await emulatorStore({ emulator: fx.emu });
    const before = await storeEtag(s.client, s.kvsArn);
    served = own('part2', hexes(2, '9F')); // partition 2, served where the full CRL (issuing.crl) is expected
    await expect(fromUrl({})).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(
      new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the CRL's issuing distribution point names ${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/part2\\.crl, not the URL it was fetched from: .*\\(fix: .*crlIdpAliases.*--allow-crl-idp-mismatch`)) });
    // The first sync through the CLI: one line, exit 2, nothing written (the store had no mark to catch it).
    const refused = await cli(['revocations', 'sync', 'dev', '--crl', url, '--ca', fx.ca.certFile, '--allow-private-crl-hosts',
      '--kvs-arn', s.kvsArn, '--endpoint', fx.emu.endpoint, '--outputs', `${fx.dir}/first-sync/outputs.json`]);
    expect(refused).toMatchObject({ code: 2, err: expect.stringMatching(/\nconngate: .*issuing distribution point names .*part2\.crl, not the URL it was fetched from[^\n]*\n$/) });
    expect(await storeEtag(s.client, s.kvsArn)).toBe(before);
    // Served under the name it gives (the scheme spelled in capitals), it is taken.
    served = own('issuing', hexes(3, '9F'));
    const upper = url.replace('http://', 'HTTP://');
    await expect(loadRevocationSource({ crlFiles: [upper], caFiles: [fx.ca.certFile], fetch: { privateHosts: { all: true } } })).resolves.toMatchObject({ crls: [expect.objectContaining({ revoked: 3 })] });
    // A mirror URL needs its alias, or the explicit flag.
    served = own('part2', hexes(2, '9F'));
    const alias = await cli(['revocations', 'export', '--crl', url, '--ca', fx.ca.certFile, '--allow-private-crl-hosts', '--crl-idp-alias', `${url}=${base}/part2.crl`]);
    expect(alias).toMatchObject({ code: 0 });
    await expect(fromUrl({ allowIdpMismatch: true })).resolves.toMatchObject({ crls: [expect.objectContaining({ revoked: 2 })] });
    expect(await cli(['revocations', 'export', '--crl', url, '--ca', fx.ca.certFile, '--crl-idp-alias', 'no-uri-here']))
      .toMatchObject({ code: 2, err: expect.stringMatching(/^conngate: --crl-idp-alias: "no-uri-here" is not URL=URI/) });
  });

  it('applies every partition together, and refuses a run that drops one', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    const p1 = partition(hexes(20, '9B'), 'part1');
    const p2 = partition(hexes(20, '9C'), 'part2');
    const both = await loadRevocationSource({ crlFiles: [p1, p2], caFiles: [fx.ca.certFile] });
    expect(await syncRevocations({ client: s.client, kvsArn: s.kvsArn, source: both, protectedKeys: [CANARY] })).toMatchObject({ puts: 40, marksWritten: 2 });
    const onlyOne = await loadRevocationSource({ crlFiles: [p1], caFiles: [fx.ca.certFile] });
    await expect(syncRevocations({ client: s.client, kvsArn: s.kvsArn, source: onlyOne, protectedKeys: [CANARY], maxDeleteShare: 1 }))
      .rejects.toThrow(/that this run does not include/);
    const ok = await checkRevocations({ client: s.client, kvsArn: s.kvsArn, source: both, canary: CANARY, warnBeforeMs: 0 });
    expect(ok).toMatchObject({ ok: true, problems: [] });
  });

  it('refuses a serial list in place of the CRL; --allow-mass-delete drops the CRL on purpose, with its mark', async () => {
    const s = await emulatorStore({ emulator: fx.emu });
    const crl = makeCrl(fx.ca, hexes(30, '9D'), { crlNumber: '30' });
    await syncRevocations({ client: s.client, kvsArn: s.kvsArn, source: await loadRevocationSource({ crlFiles: [crl], caFiles: [fx.ca.certFile] }), protectedKeys: [CANARY] });
    const list = `${fx.dir}/list.txt`;
    fs.writeFileSync(list, `${hexes(30, '9D').join('\n')}\n`);
    const fromList = await loadRevocationSource({ serialFiles: [list] });
    // Even with no serial to delete today: the CRL would no longer be kept current.
    await expect(syncRevocations({ client: s.client, kvsArn: s.kvsArn, source: fromList, protectedKeys: [CANARY] })).rejects.toThrow(/that this run does not include/);
    const r = await syncRevocations({ client: s.client, kvsArn: s.kvsArn, source: fromList, protectedKeys: [CANARY], allowMassDelete: true });
    expect(r).toMatchObject({ puts: 0, deletes: 0, batches: 1 });
    const keys = [...(await readAll(s.client, s.kvsArn)).keys()];
    expect(keys.filter(isReservedKey)).toEqual([]);
    expect(keys).toHaveLength(31);
    // The CRL was dropped on purpose: the serial list alone now syncs without the flag.
    expect(await syncRevocations({ client: s.client, kvsArn: s.kvsArn, source: fromList, protectedKeys: [CANARY] })).toMatchObject({ batches: 0 });
  });

  it('refuses another CA\'s CRL served at a certificate\'s distribution point, though the bundle verifies it, on the first sync too', async () => {
    fs.mkdirSync(`${fx.dir}/other`);
    const other = makeCa(`${fx.dir}/other`, 'other-ca');
    const bundle = `${fx.dir}/two-cas.pem`;
    fs.writeFileSync(bundle, fs.readFileSync(fx.ca.certFile, 'utf8') + fs.readFileSync(other.certFile, 'utf8'));
    const leaf = issueCert(fx.ca, '7C01', 'cdp-leaf', [url]);
    const s = await emulatorStore({ emulator: fx.emu });
    const before = await storeEtag(s.client, s.kvsArn);
    served = fs.readFileSync(makeCrl(other, ['7C02'])); // no issuing distribution point: nothing else names its scope
    const load = () => loadRevocationSource({ crlFromCertFiles: [leaf.certFile], caFiles: [bundle], fetch: { privateHosts: { all: true } } });
    await expect(load()).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(
      new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the CRL is issued by "O=Conngate Test, CN=other-ca", not by "O=Conngate Test, CN=scope-ca", the issuer of .*cdp-leaf\\.pem: .*\\(fix: `)) });
    const refused = await cli(['revocations', 'sync', 'dev', '--crl-from-cert', leaf.certFile, '--ca', bundle, '--allow-private-crl-hosts',
      '--kvs-arn', s.kvsArn, '--endpoint', fx.emu.endpoint, '--outputs', `${fx.dir}/from-cert/outputs.json`]);
    expect(refused).toMatchObject({ code: 2, err: expect.stringMatching(/\nconngate: [^\n]*the CRL is issued by "O=Conngate Test, CN=other-ca"[^\n]*\n$/) });
    expect(await storeEtag(s.client, s.kvsArn)).toBe(before);
    // The issuer's own CRL at the same point is taken.
    served = fs.readFileSync(makeCrl(fx.ca, ['7C01']));
    await expect(load()).resolves.toMatchObject({ entries: new Map([['7c01', '1']]) });
  });

  it('refuses a CRL of CA certificates only, even when the CA signed it', async () => {
    const caOnly = makeCrl(fx.ca, ['01'], { crlExtensions: ['issuingDistributionPoint = critical,@idp', '[idp]', 'onlyCA = TRUE'] });
    await expect(loadRevocationSource({ crlFiles: [caOnly], caFiles: [fx.ca.certFile] }))
      .rejects.toThrow(/refused: a CRL of CA certificates only \(onlyContainsCACerts\): client certificates are not in it \(fix: /);
  });
});
