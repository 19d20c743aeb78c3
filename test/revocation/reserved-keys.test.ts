/**
 * conngate's own store keys can never be taken for a serial: no spelling of a reserved key canonicalises to a
 * key the connection function would look up, and the function never reads one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canonicalSerial } from '../../revocation/canonical-serial';
import { crlMarkKey } from '../../revocation/crl-mark';
import { isReservedKey, reservedKey } from '../../revocation/reserved-keys';
import { compileConnectionFunction, MapKvsBackend, runConnectionFunction } from '../../runtime';

const FUNCTION = path.join(__dirname, '..', '..', 'functions', 'revocation-check.js');

describe('reserved keys', () => {
  const keys = [crlMarkKey('0123456789abcdef0123456789abcdef'), reservedKey('lease', 'dev'), reservedKey('evidence', 'abc'), reservedKey('x')];

  it('are never canonical serials in any spelling', () => {
    for (const k of keys) {
      expect(isReservedKey(k)).toBe(true);
      for (const spelling of [k, k.toUpperCase(), k.replace(/:/g, ''), `0x${k}`, ` ${k} `]) expect(canonicalSerial(spelling)).toBeUndefined();
    }
  });

  it('are never looked up by the function: a certificate "spelled" like one is denied as unreadable, not as revoked or allowed', async () => {
    const fn = compileConnectionFunction(fs.readFileSync(FUNCTION, 'utf8'), FUNCTION);
    const kvs = new MapKvsBackend(new Map(keys.map((k) => [k, '1'])));
    for (const k of keys) {
      const conn = { clientCertificate: { certificates: { leaf: { serialNumber: k, subject: 'CN=x', issuer: 'CN=y' } } } };
      const r = await runConnectionFunction(fn, conn, { kvs });
      expect([k, r.decision, r.customData]).toEqual([k, 'deny', ['deny: unreadable serial']]);
    }
  });
});
