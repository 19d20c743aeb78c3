import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunningEmulator, startEmulator } from '../../emulator';
import { isReservedKey } from '../../revocation/reserved-keys';
import { CANARY, emulatorStore, EmulatorStore, putDirect, readAll, storeEtag } from './emulator-store';
import { makeCa, makeCrl, tempDir, TestCa } from './openssl-pki';
import { cli } from './in-process-cli';

/** Runs the CLI in-process, capturing what it prints. */

describe('conngate revocations', () => {
  let emu: RunningEmulator;
  let dir: string;
  let ca: TestCa;
  let otherCa: TestCa;
  let impostor: TestCa;
  let s: EmulatorStore;
  let outputs: string;
  let snapshotDir: string;
  let base: string[];

  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    dir = tempDir();
    ca = makeCa(dir, 'ca-one');
    otherCa = makeCa(dir, 'ca-two');
    impostor = makeCa(dir, 'impostor', { subject: '/O=Conngate Test/CN=ca-one' });
    // Named as the dev stage's store: a store taken from the outputs file must be the stage's.
    s = await emulatorStore({ emulator: emu, name: 'conngate-dev-revoked-serials' });
    outputs = path.join(dir, '.conngate', 'outputs.json');
    snapshotDir = path.join(dir, '.conngate', 'revocation-snapshots');
    fs.mkdirSync(path.dirname(outputs), { recursive: true });
    fs.writeFileSync(outputs, JSON.stringify({
      dev: {
        stage: 'dev', candidate_sha256: 'a'.repeat(64), function_id: 'cf_1', function_name: 'dev-revocation-check',
        function_arn: 'arn:aws:cloudfront::123456789012:connection-function/cf_1', kvs_arn: s.kvsArn,
        canary_serial: '0b:ad:c0:de:0b:ad:c0:de', function_associated: true,
      },
    }));
    base = ['--outputs', outputs, '--endpoint', emu.endpoint];
  });
  afterAll(async () => {
    await emu.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const serialsFile = (name: string, lines: string[]): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, `${lines.join('\n')}\n`);
    return f;
  };

  it('syncs CRLs of two CAs verified against both, keeping the canary', async () => {
    const crlA = makeCrl(ca, ['9E2AAF0102030405060708090A0B0C0D0E0F1011', '05'], { format: 'der' });
    const crlB = makeCrl(otherCa, Array.from({ length: 60 }, (_, i) => `80${i.toString(16).padStart(4, '0')}`));
    const r = await cli(['revocations', 'sync', 'dev', '--crl', crlA, '--crl', crlB, '--ca', ca.certFile, '--ca', otherCa.certFile, ...base]);
    expect(r.err).toContain('revocations dev: source');
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toMatch(/^revocations dev: put 62 and deleted 0 keys in 2 batches .*; 4 calls \(DescribeKeyValueStore 1, ListKeys 1, UpdateKeys 2\)\n$/);
    const all = [...(await readAll(s.client, s.kvsArn)).keys()];
    expect(all.filter(isReservedKey)).toHaveLength(2); // one CRL high-water mark per CA
    const keys = all.filter((k) => !isReservedKey(k));
    expect(keys).toHaveLength(63);
    expect(keys).toEqual(expect.arrayContaining([CANARY, '9e2aaf0102030405060708090a0b0c0d0e0f1011', '05', '800000', '80003b']));
    expect(fs.readdirSync(snapshotDir)).toHaveLength(1);
  });

  it('dry run prints counts and a sample and changes nothing', async () => {
    const before = await storeEtag(s.client, s.kvsArn);
    const crlA = makeCrl(ca, ['9E2AAF0102030405060708090A0B0C0D0E0F1011', '05', '06']);
    const crlB = makeCrl(otherCa, Array.from({ length: 60 }, (_, i) => `80${i.toString(16).padStart(4, '0')}`));
    const r = await cli(['revocations', 'sync', 'dev', '--crl', crlA, '--crl', crlB, '--ca', ca.certFile, '--ca', otherCa.certFile, '--dry-run', ...base]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('dry run, would put 1 and delete 0 keys (62 unchanged; store 63 -> 64 keys');
    expect(r.out).toContain('puts (1): 06');
    expect(await storeEtag(s.client, s.kvsArn)).toBe(before);
  });

  it.each([
    ['a stale CRL', () => ['--crl', makeCrl(ca, ['01'], { nextUpdateHours: -2 }), '--ca', ca.certFile], /: stale CRL: nextUpdate .* has passed .*\(fix: .*--allow-stale.*\)$/],
    ['a CRL of another CA', () => ['--crl', makeCrl(otherCa, ['01']), '--ca', ca.certFile], /: CRL issuer "O=Conngate Test, CN=ca-two" is not the subject of any --ca certificate/],
    ['a CRL signed by another key under the CA\'s name', () => ['--crl', makeCrl(impostor, ['01']), '--ca', ca.certFile], /: signature does not verify against .*ca-one\.pem/],
    ['a CRL without --ca', () => ['--crl', makeCrl(ca, ['01'])], /^conngate: --ca: a CRL is applied only when its signature verifies .*--insecure-skip-crl-verify/],
    ['a certificate passed as a CRL', () => ['--crl', ca.certFile, '--ca', ca.certFile], /ca-one\.pem: not a CRL \(found PEM CERTIFICATE\)/],
    ['a truncated CRL', () => {
      const der = fs.readFileSync(makeCrl(ca, ['01', '02', '03'], { format: 'der' }));
      const f = path.join(dir, 'cut.crl');
      fs.writeFileSync(f, der.subarray(0, 40));
      return ['--crl', f, '--ca', ca.certFile];
    }, /cut\.crl: truncated or corrupt CRL/],
    ['a delta CRL', () => ['--crl', makeCrl(ca, ['01'], { crlExtensions: ['2.5.29.27 = critical,ASN1:INTEGER:1'] }), '--ca', ca.certFile],
      /: refused: a delta CRL \(deltaCRLIndicator\).*\(fix: pass the full \(base\) CRL/],
    ['an indirect CRL', () => ['--crl', makeCrl(ca, ['01'], { crlExtensions: ['issuingDistributionPoint = critical,@idp', '[idp]', 'indirectCRL = TRUE'] }), '--ca', ca.certFile],
      /: refused: an indirect CRL \(issuingDistributionPoint indirectCRL\)/],
    ['--ca with --insecure-skip-crl-verify', () => ['--crl', makeCrl(ca, ['01']), '--ca', ca.certFile, '--insecure-skip-crl-verify'], /^conngate: --insecure-skip-crl-verify: given together with --ca/],
    ['a bad serial line', () => ['--serials', serialsFile('bad.txt', ['# list', '01', '02', 'zz:01'])], /bad\.txt:4: "zz:01" is not a certificate serial/],
    ['a mass delete', () => ['--crl', makeCrl(ca, ['9E2AAF0102030405060708090A0B0C0D0E0F1011', '05']), '--crl', makeCrl(otherCa, ['800000']),
      '--ca', ca.certFile, '--ca', otherCa.certFile], /refusing to delete 59 of 63 keys \(93\.7%\), over the 10% limit/],
    ['a serial list in place of the CRLs the store applied', () => ['--serials', serialsFile('few.txt', ['05'])],
      /^conngate: conngate:crl-mark:[0-9a-f]{32}: the store applied a CRL of "O=Conngate Test, CN=ca-(one|two)" \(key sha256:[0-9a-f]{16}, CRL number 01, .*\) that this run does not include; its revocations would be deleted \(fix: .*--allow-mass-delete/],
    ['an empty source', () => ['--serials', serialsFile('empty.txt', ['# nothing revoked'])], /the source lists no revoked serials/],
    ['a bad --max-delete-share', () => ['--serials', serialsFile('one.txt', ['05']), '--max-delete-share', '2'], /^conngate: --max-delete-share: "2" is not a share/],
    ['a missing source', () => [], /no input given/],
  ])('refuses %s with a one-line error and nothing changed', async (_name, extra, pattern) => {
    const before = await storeEtag(s.client, s.kvsArn);
    const r = await cli(['revocations', 'sync', 'dev', ...extra(), ...base]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    const errorLines = r.err.split('\n').filter((l) => l.startsWith('conngate: '));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(pattern);
    expect(errorLines[0]).toContain('(fix: ');
    expect(await storeEtag(s.client, s.kvsArn)).toBe(before);
  });

  it('applies a stale CRL with --allow-stale and a mass delete with --allow-mass-delete', async () => {
    // Stale (nextUpdate passed) yet newer than the CRL applied before, so only --allow-stale is needed.
    const stale = makeCrl(ca, ['9E2AAF0102030405060708090A0B0C0D0E0F1011'], { thisUpdateHoursAgo: 0.5, nextUpdateHours: -0.25, crlNumber: '02' });
    const r = await cli(['revocations', 'sync', 'dev', '--crl', stale, '--ca', ca.certFile, '--allow-stale', '--allow-mass-delete', ...base]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/put 0 and deleted 61 keys in 2 batches .*read: snapshot.*; 2 calls \(UpdateKeys 2\)/);
    expect([...(await readAll(s.client, s.kvsArn)).keys()].filter((k) => !isReservedKey(k)).sort()).toEqual([CANARY, '9e2aaf0102030405060708090a0b0c0d0e0f1011']);
  });

  it('applies an unverified CRL only with --insecure-skip-crl-verify, warning on every run', async () => {
    const own = await emulatorStore({ emulator: emu });
    const crl = makeCrl(ca, ['0C0C']);
    const args = ['revocations', 'sync', 'dev', '--crl', crl, '--insecure-skip-crl-verify', '--kvs-arn', own.kvsArn, '--endpoint', emu.endpoint,
      '--outputs', path.join(dir, 'none.json')];
    for (let run = 0; run < 2; run++) {
      const r = await cli(args);
      expect(r.code).toBe(0);
      expect(r.err).toMatch(/^conngate: WARNING: --insecure-skip-crl-verify: the signatures of 1 CRL\(s\) were NOT verified/m);
    }
    expect([...(await readAll(own.client, own.kvsArn)).keys()].sort()).toEqual([CANARY, '0c0c'].sort()); // no mark from an unverified CRL
  });

  it('verifies against the stage config\'s crlCaFiles when --ca is not given', async () => {
    const project = path.join(dir, 'project-ca');
    fs.mkdirSync(project, { recursive: true });
    fs.writeFileSync(path.join(project, 'conngate.config.json'), JSON.stringify({ stages: { dev: { crlCaFiles: [path.relative(project, ca.certFile)] } } }));
    const own = await emulatorStore({ emulator: emu });
    const args = ['--dir', project, '--kvs-arn', own.kvsArn, '--endpoint', emu.endpoint];
    const ok = await cli(['revocations', 'sync', 'dev', '--crl', makeCrl(ca, ['0D0D']), ...args]);
    expect(ok.code).toBe(0);
    expect(ok.err).toContain(`verifying CRLs against the stage config's crlCaFiles: ${ca.certFile}`);
    expect((await readAll(own.client, own.kvsArn)).has('0d0d')).toBe(true);
    const foreign = await cli(['revocations', 'sync', 'dev', '--crl', makeCrl(otherCa, ['0E0E']), ...args]);
    expect(foreign.code).toBe(2);
    expect(foreign.err).toMatch(/CRL issuer "O=Conngate Test, CN=ca-two" is not the subject of any --ca certificate/);
  });

  it('reports a missing outputs file, and takes --kvs-arn instead', async () => {
    const list = serialsFile('two.txt', ['00:9E:2A:AF:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11', '0x07']);
    const r = await cli(['revocations', 'sync', 'dev', '--serials', list, '--outputs', path.join(dir, 'none.json'), '--endpoint', emu.endpoint]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/none\.json: outputs file not found/);
    // A store of its own: the shared one holds CRL marks, and a serial list would drop those CRLs.
    const own = await emulatorStore({ emulator: emu });
    const ok = await cli(['revocations', 'sync', 'dev', '--serials', list, '--kvs-arn', own.kvsArn, '--no-snapshot',
      '--outputs', path.join(dir, 'none.json'), '--endpoint', emu.endpoint]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/put 2 and deleted 0 keys .*read: listed/);
  });

  it('exports the KeyValueStore import JSON', async () => {
    const crl = makeCrl(ca, ['9E2A', '05']);
    const out = path.join(dir, 'export', 'revoked.json');
    const r = await cli(['revocations', 'export', '--crl', crl, '--ca', ca.certFile, '--format', 'kvs-import', '--out', out, '--canary', '0b:ad:c0:de:0b:ad:c0:de']);
    expect(r.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual({
      data: [{ key: '05', value: '1' }, { key: CANARY, value: '1' }, { key: '9e2a', value: '1' }],
    });
    const bad = await cli(['revocations', 'export', '--crl', crl, '--ca', ca.certFile, '--format', 'csv']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--format.*csv.*kvs-import/);
    // One format: --format may be left out.
    const dflt = await cli(['revocations', 'export', '--crl', crl, '--ca', ca.certFile]);
    expect(dflt.code).toBe(0);
    expect(JSON.parse(dflt.out)).toEqual({ data: [{ key: '05', value: '1' }, { key: '9e2a', value: '1' }] });
  });

  it('documents every flag in --help', async () => {
    const r = await cli(['revocations', 'sync', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--crl', '--crl-from-cert', '--serials', '--kvs-json', '--ca', '--insecure-skip-crl-verify', '--allow-stale',
      '--allow-older-crl', '--allow-mass-delete', '--max-delete-share', '--dry-run', '--crl-max-mb', '--fetch-timeout', '--crl-cache-dir',
      '--dir', '--outputs', '--kvs-arn', '--endpoint', '--snapshot-dir', 'http://', 's3://']) expect(r.out).toContain(flag);
    const check = await cli(['revocations', 'check', '--help']);
    expect(check.code).toBe(0);
    for (const flag of ['--warn-before', '--json', '--crl', '--ca', 'Exit codes', 'Example']) expect(check.out).toContain(flag);
  });

  it('keeps the canary the stage config names, also with --kvs-arn, and refuses an unknown stage', async () => {
    const project = path.join(dir, 'project');
    fs.mkdirSync(project, { recursive: true });
    fs.writeFileSync(path.join(project, 'conngate.config.json'), JSON.stringify({ stages: { dev: { canarySerial: 'c0:ff:ee' } } }));
    const own = await emulatorStore({ emulator: emu }); // holds the default canary, which this project does not use
    await putDirect(own.client, own.kvsArn, ['c0ffee']);
    const list = serialsFile('config-canary.txt', ['01']);
    const args = ['--serials', list, '--dir', project, '--kvs-arn', own.kvsArn, '--no-snapshot', '--allow-mass-delete', '--endpoint', emu.endpoint];
    const r = await cli(['revocations', 'sync', 'dev', ...args]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/put 1 and deleted 1 keys/);
    expect([...(await readAll(own.client, own.kvsArn)).keys()].sort()).toEqual(['01', 'c0ffee']);
    const before = await storeEtag(own.client, own.kvsArn);
    const unknown = await cli(['revocations', 'sync', 'qa', ...args]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^conngate: stage "qa": no such stage \(fix: use one of: dev/m);
    expect(await storeEtag(own.client, own.kvsArn)).toBe(before);
  });
});

describe('conngate revocations against a missing store or endpoint', () => {
  it('names the store and the step in one line', async () => {
    const emu = await startEmulator({ port: 0 });
    const dir = tempDir();
    try {
      const list = path.join(dir, 'l.txt');
      fs.writeFileSync(list, '01\n');
      const arn = 'arn:aws:cloudfront::123456789012:key-value-store/00000000-0000-0000-0000-000000000000';
      const r = await cli(['revocations', 'sync', 'dev', '--serials', list, '--kvs-arn', arn, '--endpoint', emu.endpoint,
        '--outputs', path.join(dir, 'none.json')]);
      expect(r.code).toBe(2);
      const lines = r.err.trim().split('\n');
      expect(lines).toHaveLength(3); // the store named as the operator's choice, the source line, then the error
      expect(lines[0]).toMatch(/--kvs-arn: your choice, not checked against the dev stage's store/);
      expect(lines[2]).toMatch(new RegExp(`^conngate: ${arn}: DescribeKeyValueStore failed: ResourceNotFoundException: .*\\(fix: check --kvs-arn`));
    } finally {
      await emu.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
