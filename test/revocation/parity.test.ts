/**
 * The TypeScript canonicalSerial and the function's own JavaScript canonicalisation must agree on every
 * spelling, or a revoked certificate slips through. Each spelling is run through functions/revocation-check.js
 * in the local runtime with a store holding only canonicalSerial(spelling): the function must look up exactly
 * that key (it logs it) and deny; with the key absent it must allow; an invalid spelling must be refused by both.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canonicalSerial } from '../../revocation/canonical-serial';
import { compileConnectionFunction, MapKvsBackend, runConnectionFunction } from '../../runtime';

const FUNCTION = path.join(__dirname, '..', '..', 'functions', 'revocation-check.js');

function connection(serialNumber: string): object {
  return {
    connectionId: 'x'.repeat(56), clientIp: '203.0.113.42', endpoint: 'd111111abcdef8.cloudfront.net', distributionId: 'E1NXS4MQZH501R',
    clientCertificate: { certificates: { leaf: {
      subject: 'CN=client', issuer: 'CN=ca', serialNumber,
      validity: { notBefore: '2025-01-01T00:00:00Z', notAfter: '2030-01-01T00:00:00Z' }, sha256Fingerprint: 'AAAA',
    } } },
  };
}

/** Every common spelling of the bytes (hex string of whole bytes). */
function spellings(hex: string): string[] {
  const bytes = hex.match(/../g)!;
  const withSign = parseInt(bytes[0], 16) >= 0x80 ? ['00', ...bytes] : bytes;
  const upper = hex.toUpperCase();
  return [
    withSign.join(':'), withSign.join(':').toUpperCase(), bytes.join(':'), hex, upper, `0x${upper}`, `0X${hex}`,
    `0x00${hex}`, bytes.join(' '), bytes.join('-'), ` ${upper} `, upper.replace(/^0+/, '') || '0', `000${hex}`,
    withSign.join(':').replace(/(^|:)0/g, '$1'), // odd digit groups, as some tools print them
  ];
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('canonical serial parity between the sync and the connection function', () => {
  const rnd = seeded(42);
  const randomHex = (n: number): string => Array.from({ length: n }, () => Math.floor(rnd() * 256).toString(16).padStart(2, '0')).join('');
  const serials = [
    '00', '01', '05', '0a', '7f', '80', 'ff', // 1-byte, both sides of the sign bit
    '0080', '000a', '00ff00', '0000000001', // leading zero bytes
    '9e2aaf0102030405060708090a0b0c0d0e0f1011', '7fffffffffffffffffffffffffffffffffffffff', // 20 bytes
    '8000000000000000000000000000000000000000', '0100000000000000000000000000000000000000',
    ...Array.from({ length: 12 }, (_, i) => randomHex(1 + ((i * 7) % 20))),
  ];
  const corpus = [...new Set(serials.flatMap(spellings))];
  const invalid = ['', 'zz', '9e:2g', '0x', '9e.2a', 'serial=9e2a', '::', '9e_2a', '١٢'];
  const fn = compileConnectionFunction(fs.readFileSync(FUNCTION, 'utf8'), FUNCTION);

  it(`agree on ${corpus.length} spellings (leading zeros, 1-byte and 20-byte serials)`, async () => {
    for (const spelling of corpus) {
      const key = canonicalSerial(spelling);
      expect([spelling, key]).toEqual([spelling, expect.stringMatching(/^(?:[0-9a-f]{2})+$/)]);
      const hit = await runConnectionFunction(fn, connection(spelling), { kvs: new MapKvsBackend([[key!, '1']]) });
      expect([spelling, hit.decision, hit.logs]).toEqual([spelling, 'deny', [`revoked serial ${key}`]]);
      const miss = await runConnectionFunction(fn, connection(spelling), { kvs: new MapKvsBackend([[`${key}00`, '1']]) });
      expect([spelling, miss.decision]).toEqual([spelling, 'allow']);
    }
  });

  it('both refuse the same invalid spellings', async () => {
    for (const spelling of invalid) {
      expect(canonicalSerial(spelling)).toBeUndefined();
      const r = await runConnectionFunction(fn, connection(spelling), { kvs: new MapKvsBackend() });
      expect([spelling, r.decision, r.customData]).toEqual([spelling, 'deny', ['deny: unreadable serial']]);
    }
  });
});
