/**
 * Encodings that are not DER but that a lenient decoder turns into something: a BMPString name of an odd number
 * of bytes (Buffer.swap16 threw a RangeError, which the CLI printed as a stack trace with exit 1, before any
 * signature was checked), times with hour 24, minute 60 or second 60 (Date.UTC rolled them into the next
 * day or hour), and issuingDistributionPoint fields RFC 5280 does not define. Each is one line, exit 2.
 */
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCrlBytes } from '../../revocation/crl-source';
import { UserError } from '../../diagnostics/user-error';
import { ext, int, octets, oid, seq, tlv, utcTime } from './crl-der-builder';
import { tempDir } from './openssl-pki';
import { cli } from './in-process-cli';

const ALG = seq(oid('2a8648ce3d040302'));
const cnName = (tag: number, value: Buffer): Buffer => seq(tlv(0x31, seq(oid('550403'), tlv(tag, value))));
const ODD_BMP = cnName(0x1e, Buffer.from([0x00, 0x41, 0x00]));

/** An unsigned CRL (a junk signature): everything here must be refused while parsing, before verification. */
function crl(issuer: Buffer, thisUpdate: Buffer = utcTime(new Date(Date.now() - 3600_000)), exts: Buffer[] = []): Buffer {
  const tbs = seq(int('01'), ALG, issuer, thisUpdate, utcTime(new Date(Date.now() + 86_400_000)), ...(exts.length ? [tlv(0xa0, seq(...exts))] : []));
  return seq(tbs, ALG, tlv(0x03, Buffer.from([0, 1, 2, 3])));
}

function refusal(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('not refused');
}


describe('malformed names and times', () => {
  it('refuses a CRL issuer with an odd-length BMPString as a one-line error, not a RangeError', () => {
    expect(refusal(() => parseCrlBytes(crl(ODD_BMP), 'odd.crl')).message).toMatch(/^odd\.crl: not a CRL \(BMPString of an odd number of bytes at byte \d+\)/);
  });

  it('refuses a --ca certificate with an odd-length BMPString subject: one line, exit 2, through the CLI', async () => {
    const dir = tempDir();
    try {
      const spki = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
      const validity = seq(utcTime(new Date()), utcTime(new Date(Date.now() + 86_400_000)));
      const cert = seq(seq(tlv(0xa0, int('02')), int('01'), ALG, ODD_BMP, validity, ODD_BMP, spki), ALG, tlv(0x03, Buffer.from([0, 1])));
      const caFile = path.join(dir, 'odd-ca.der');
      fs.writeFileSync(caFile, cert);
      const crlFile = path.join(dir, 'any.crl');
      fs.writeFileSync(crlFile, crl(cnName(0x0c, Buffer.from('x'))));
      const r = await cli(['revocations', 'export', '--crl', crlFile, '--ca', caFile, '--out', path.join(dir, 'out.json')]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^conngate: .*odd-ca\.der: not a certificate \(BMPString of an odd number of bytes at byte \d+\) \(fix: .*\)\n$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(['250101240000Z', '250101236000Z', '250101235960Z'])('refuses the out-of-range time %s instead of rolling it over', (t) => {
    const time = tlv(0x17, Buffer.from(t, 'latin1'));
    expect(refusal(() => parseCrlBytes(crl(cnName(0x0c, Buffer.from('x')), time), 't.crl')).message).toContain(`invalid date "${t}"`);
  });

  it('refuses an issuingDistributionPoint field RFC 5280 does not define', () => {
    const idp = ext('551d1c', true, seq(tlv(0xa4, Buffer.from([0x01, 0x01, 0xff]))));
    expect(refusal(() => parseCrlBytes(crl(cnName(0x0c, Buffer.from('x')), undefined, [idp]), 'idp.crl')).message)
      .toMatch(/unknown issuingDistributionPoint field \(tag 0xa4\)/);
    // The defined boolean fields still parse (onlyContainsUserCerts).
    const user = ext('551d1c', true, seq(tlv(0x81, Buffer.from([0xff]))));
    expect(parseCrlBytes(crl(cnName(0x0c, Buffer.from('x')), undefined, [user]), 'user.crl')[0].serials).toEqual([]);
  });

  it('refuses an extension whose critical flag is not one byte, instead of reading the byte after it', () => {
    for (const flag of [Buffer.alloc(0), Buffer.from([0x00, 0x00])]) {
      const unknown = seq(oid('2a0304'), tlv(0x01, flag), octets(int('01')));
      expect(refusal(() => parseCrlBytes(crl(cnName(0x0c, Buffer.from('x')), undefined, [unknown]), 'flag.crl')).message)
        .toMatch(/^flag\.crl: not a CRL \(extension 1\.2\.3\.4: the critical flag is not one byte at byte \d+\)/);
    }
  });
});
