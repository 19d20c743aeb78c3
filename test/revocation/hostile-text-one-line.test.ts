/**
 * Errors stay one line whatever the input holds. Bytes of a CRL are shown before its signature is checked, and
 * lines of source files and URLs of a certificate's distribution points are anyone's: a newline in them forged a
 * second `conngate: ...` line in the CI log, an escape sequence rewrote the terminal. They are shown as \uXXXX.
 */
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { printable } from '../../diagnostics/untrusted-text';
import { int, oid, seq, tlv, utcTime } from './crl-der-builder';
import { makeCa, tempDir, TestCa } from './openssl-pki';
import { cli } from './in-process-cli';

const ALG = seq(oid('2a8648ce3d040302'));
const FORGED = '\nconngate: revocations prod: put 0 and deleted 0 keys\x1b[2K\u202e';
const cn = (text: string | Buffer): Buffer => seq(tlv(0x31, seq(oid('550403'), tlv(0x0c, Buffer.from(text)))));


describe('hostile text in one-line errors', () => {
  let dir: string;
  let ca: TestCa;
  beforeAll(() => {
    dir = tempDir();
    ca = makeCa(dir, 'text-ca');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, content: string | Buffer): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, content);
    return f;
  };
  const unsigned = (issuer: Buffer, time: Buffer): Buffer => seq(seq(int('01'), ALG, issuer, time), ALG, tlv(0x03, Buffer.from([0, 1])));

  it.each([
    ['a CRL time field', () => ['--crl', file('time.crl', unsigned(cn('x'), tlv(0x17, Buffer.from(FORGED, 'latin1')))), '--ca', ca.certFile]],
    ['a CRL issuer name (refused as no --ca subject)', () => ['--crl', file('name.crl', unsigned(cn(`CA${FORGED}`), utcTime(new Date(Date.now() - 3600_000)))), '--ca', ca.certFile]],
    ['an import JSON key', () => ['--kvs-json', file('k.json', JSON.stringify({ data: [{ key: `zz${FORGED}`, value: '1' }] }))]],
    ['a serial list line (CR)', () => ['--serials', file('s.txt', `zz\r${FORGED.slice(1)}\n`)]],
    ['a --crl-idp-alias value', () => ['--crl', 'http://crl.example.com/ca.crl', '--ca', ca.certFile, '--crl-idp-alias', `u${FORGED}`]],
  ])('%s', async (_what, args) => {
    const r = await cli(['revocations', 'export', ...args(), '--out', path.join(dir, 'out.json')]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toHaveLength(2); // one line and its newline
    expect(r.err).toMatch(/^conngate: .*\\u000[ad]conngate: revocatio.*\(fix: .*\)\n$/);
    expect(r.err).not.toMatch(/[\r\x1b\u202e]/);
  });

  it('a certificate\'s distribution point URL', async () => {
    const spki = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
    const uri = tlv(0x86, Buffer.from(`http://127.0.0.1:1/a.crl${FORGED}`, 'latin1'));
    const cdp = seq(oid('551d1f'), tlv(0x04, seq(seq(tlv(0xa0, tlv(0xa0, uri))))));
    const validity = seq(utcTime(new Date()), utcTime(new Date(Date.now() + 86_400_000)));
    const cert = seq(seq(tlv(0xa0, int('02')), int('01'), ALG, cn('i'), validity, cn('leaf'), spki, tlv(0xa3, seq(cdp))), ALG, tlv(0x03, Buffer.from([0, 1])));
    const r = await cli(['revocations', 'export', '--crl-from-cert', file('leaf.der', cert), '--ca', ca.certFile, '--out', path.join(dir, 'o.json')]);
    expect(r.code).toBe(2); // a loopback distribution point is refused (before any connect), its URL escaped in the one line
    expect(r.err).toMatch(/^conngate: http:\/\/127\.0\.0\.1:1\/a\.crl.*\\u000a.*refused: 127\.0\.0\.1 is a loopback address/);
    const lines = r.err.split('\n').filter((l) => l !== '');
    expect(lines.filter((l) => l.startsWith('conngate: '))).toHaveLength(1);
    expect(r.err).not.toMatch(/[\x1b\u202e]/);
    expect(lines.every((l) => !l.startsWith('conngate: revocations prod'))).toBe(true);
  });

  it('a CA key given to retire-ca', async () => {
    fs.writeFileSync(path.join(dir, 'conngate.config.json'), JSON.stringify({ stages: { dev: {} } }));
    const r = await cli(['revocations', 'retire-ca', 'dev', `ab${FORGED}`, '--dir', dir, '--kvs-arn', 'arn:aws:cloudfront::123456789012:key-value-store/x', '--endpoint', 'http://127.0.0.1:9']);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toHaveLength(2);
    expect(r.err).toMatch(/^conngate: <ca-key>: "ab\\u000aconngate: revocatio.*" is not a CA key digest \(fix: .*\)\n$/);
    expect(r.err).not.toMatch(/[\r\x1b\u202e]/);
  });

  it('printable escapes controls, C1, separators and bidi controls, and nothing else', () => {
    expect(printable('a\r\n\t\x00\x7f\x9b\u2028\u202e\u2067b é ü 中')).toBe('a\\u000d\\u000a\\u0009\\u0000\\u007f\\u009b\\u2028\\u202e\\u2067b é ü 中');
  });
});
