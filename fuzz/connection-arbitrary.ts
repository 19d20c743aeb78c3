import fc from 'fast-check';
import { CONNECTION_DEFAULTS } from '../runtime/payload';
import { FUZZ_SERIAL_SPELLINGS, spellFuzzSerial } from './serial-forms';
import { renderName, type NameAttribute } from './distinguished-name-text';

/** What the generators draw from besides randomness. */
export interface GeneratorInput {
  /** Canonical revoked serials, the simplest first (a shrunk counterexample picks the earliest that still fails). */
  revoked: string[];
  /** Attribute values the suite and its properties name (subject, issuer), the most relevant first. */
  /** Subjects and issuers the suite names (each a list of attributes, one per RDN), the most relevant first. */
  subjects: NameAttribute[][];
  issuers: NameAttribute[][];
  /** SAN entries the suite names ("DNS:api.example.com"). */
  sanEntries: string[];
  /** The frozen time of the run: validity windows are drawn around it. */
  now: Date;
}

/** A SAN list of this many generated entries is the longest drawn; the connection object stays under 30 KB. */
export const MAX_SAN_ENTRIES = 400;
/** The connection object TestConnectionFunction takes: 40,960 bytes of base64, so 30,720 bytes of JSON. */
export const MAX_CONNECTION_JSON_BYTES = 30_720;

const DOC_CONNECTION_ID = 'oLHiEKbQSn8lkvJfA3D4gFowK3_iZ0g4i5nMUjE1Akod8TuAzn5nzg==';
const DAY_S = 86_400;

/** Look-alikes a human reads as the same letter: Cyrillic and Greek letters, a zero-width space, a combining mark. */
const LOOK_ALIKES: Record<string, string> = { a: '\u0430', e: '\u0435', o: '\u043e', p: '\u0440', c: '\u0441', E: '\u0415', C: '\u0421', O: '\u039f' };
function lookAlike(v: string): string {
  for (let i = 0; i < v.length; i++) if (LOOK_ALIKES[v[i]]) return v.slice(0, i) + LOOK_ALIKES[v[i]] + v.slice(i + 1);
  return `${v}\u200b`;
}

/**
 * Ways a known value is bent, in shrink order (exact first): what a prefix or substring check, a case-insensitive
 * compare, a parser that ignores escapes or a Unicode-blind compare would take for the known value.
 */
const MUTATIONS: Array<(v: string) => string> = [
  (v) => v,
  (v) => `${v}x`,
  (v) => `${v} Evil`,
  (v) => `Evil ${v}`,
  (v) => `${v}, O=Evil`,
  (v) => `${v}+CN=Evil`,
  (v) => v.toUpperCase(),
  (v) => v.toLowerCase(),
  (v) => lookAlike(v),
  (v) => `${v} `,
  (v) => ` ${v}`,
  (v) => `${v}\u200b`,
  (v) => `${v}\u0000`,
  (v) => v.slice(0, -1),
  (v) => `#${v}`,
];

const ATTRIBUTE_TYPES = ['CN', 'O', 'OU', 'C', 'L', 'ST', 'DC', 'emailAddress', 'serialNumber'];

/** Short values with the characters RFC 4514 escapes, Unicode, and the 64-character upper bound of a CN. */
const EDGE_VALUES = ['', ' ', ',', '+', '"', '\\', '<>', ';', '=', '#x', 'a,b', 'caf\u00e9', '\u4e2d\u6587', '\ud83d\udd12', 'x'.repeat(64)];

/** Changes to a known name's attributes besides bending one value: what a parser that splits on "," or "+" misreads. */
const STRUCTURAL = ['drop', 'duplicate', 'append', 'multi-valued', 'no-space'] as const;

function randomName(): fc.Arbitrary<string> {
  const attribute = fc.tuple(fc.constantFrom(...ATTRIBUTE_TYPES), fc.oneof(fc.constantFrom(...EDGE_VALUES), fc.string({ maxLength: 8 })))
    .map(([type, value]) => [{ type, value }]);
  return fc.array(attribute, { maxLength: 4 }).map((rdns) => renderName(rdns));
}

/**
 * A subject or issuer: mostly a known name (from the suite) with one attribute's value bent or its structure changed,
 * sometimes a random one. Drawn as three numbers, which keeps generation cheap and shrinks to the first known name
 * with the smallest change that still fails.
 */
export function nameArbitrary(known: NameAttribute[][]): fc.Arbitrary<string> {
  if (known.length === 0) return randomName();
  const ops = MUTATIONS.length + STRUCTURAL.length;
  // Every bent name is one of known.length * 8 * ops texts: each is rendered once, then looked up.
  const rendered: string[] = [];
  const bent = fc.tuple(fc.nat(known.length - 1), fc.nat(7), fc.nat(ops - 1)).map(([k, at, op]) => {
    const slot = (k * 8 + at) * ops + op;
    return rendered[slot] ??= bendName(known[k], at, op);
  });
  return fc.oneof({ arbitrary: bent, weight: 6 }, { arbitrary: randomName(), weight: 1 });
}

/** A known name with the attribute at `at` (modulo its length) changed by `op` (a MUTATIONS index, then STRUCTURAL). */
function bendName(attrs: NameAttribute[], at: number, op: number): string {
  if (attrs.length === 0) return '';
  const i = at % attrs.length;
  let rdns: NameAttribute[][] = attrs.map((a) => [a]);
  let sep = ', ';
  if (op < MUTATIONS.length) rdns[i] = [{ type: attrs[i].type, value: MUTATIONS[op](attrs[i].value) }];
  else {
    switch (STRUCTURAL[op - MUTATIONS.length]) {
      case 'drop': rdns.splice(i, 1); break;
      case 'duplicate': rdns.splice(i, 0, [{ ...attrs[i] }]); break;
      case 'append': rdns.push([{ type: attrs[i].type, value: 'Evil' }]); break;
      case 'multi-valued': rdns = [...rdns.slice(0, i), [...rdns[i], { type: 'CN', value: 'Evil' }], ...rdns.slice(i + 1)]; break;
      case 'no-space': sep = ','; break;
    }
  }
  return renderName(rdns, sep);
}

/** A serial: a revoked one in any spelling (when there are any), a random one of 1 to 20 bytes, or an edge value. */
export function serialArbitrary(revoked: string[]): fc.Arbitrary<string> {
  const random = fc.tuple(fc.integer({ min: 1, max: 20 }), fc.nat(), fc.nat(), fc.constantFrom(...FUZZ_SERIAL_SPELLINGS))
    .map(([bytes, a, b, spelling]) => {
      let hex = '';
      for (let i = 0; hex.length < bytes * 2; i++) hex += (((i % 2 ? a : b) * (i + 1)) >>> 0).toString(16).padStart(8, '0');
      const canonical = hex.slice(0, bytes * 2).replace(/^(00)+(?=..)/, '');
      return spellFuzzSerial(canonical, spelling);
    });
  const edge = fc.constantFrom('', '00', ' ', 'not-a-serial', '0x', ':', 'ff'.repeat(21), '00:'.repeat(40) + '01');
  const arbs: Array<fc.WeightedArbitrary<string>> = [];
  if (revoked.length > 0) {
    arbs.push({ arbitrary: fc.tuple(fc.nat(revoked.length - 1), fc.constantFrom(...FUZZ_SERIAL_SPELLINGS)).map(([i, s]) => spellFuzzSerial(revoked[i], s)), weight: 4 });
  }
  arbs.push({ arbitrary: random, weight: 4 }, { arbitrary: edge, weight: 1 });
  return fc.oneof(...arbs);
}

const octet = fc.nat(255);
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
/** IPv6 in its RFC 5952 text form (the longest run of zero groups as "::"), or IPv4-mapped. */
const ipv6 = fc.oneof(
  fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((groups) => compressIpv6(groups)),
  ipv4.map((v4) => `::ffff:${v4}`),
);
function compressIpv6(groups: number[]): string {
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
const clientIp = fc.oneof({ withCrossShrink: true },
  fc.constant<string>(CONNECTION_DEFAULTS.clientIp), ipv4, ipv6,
  fc.constantFrom('', '0000:0000:0000:0000:0000:ffff:255.255.255.255', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'));

function isoSeconds(ms: number): string {
  // Years 0000 to 9999 (every time drawn here): "YYYY-MM-DDTHH:MM:SS" then the milliseconds.
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** notBefore up to 400 days before now (or 30 after), a window of up to 800 days: expired, current and future. */
export function validityArbitrary(now: Date): fc.Arbitrary<{ notBefore: string; notAfter: string }> {
  const t = Math.floor(now.getTime() / 1000) * 1000;
  const around = fc.tuple(fc.integer({ min: -400 * DAY_S, max: 30 * DAY_S }), fc.integer({ min: 0, max: 800 * DAY_S }))
    .map(([start, length]) => ({ notBefore: isoSeconds(t + start * 1000), notAfter: isoSeconds(t + (start + length) * 1000) }));
  const edge = fc.constantFrom({ notBefore: '', notAfter: '' }, { notBefore: 'not a date', notAfter: '9999-12-31T23:59:59Z' },
    { notBefore: isoSeconds(t), notAfter: isoSeconds(t) }, { notBefore: isoSeconds(t - 1000), notAfter: isoSeconds(t - 1000) });
  return fc.oneof({ arbitrary: around, weight: 9 }, { arbitrary: edge, weight: 1 });
}

/** Hex of a DER length. */
function derLength(len: number): string {
  const h = (n: number) => n.toString(16).padStart(2, '0');
  return len < 0x80 ? h(len) : len < 0x100 ? `81${h(len)}` : `82${h(len >> 8)}${h(len & 0xff)}`;
}

/** DER of a GeneralNames value for the entries we generate (dNSName, iPAddress, rfc822Name, URI), lowercase hex. */
function sanDerHex(entries: string[]): string {
  if (entries.length === 0) return '';
  let body = '';
  for (const e of entries) body += generalNameHex(e);
  return `30${derLength(body.length / 2)}${body}`;
}

/** Entries are drawn from a few hundred texts: each one's DER is made once. */
const generalNames = new Map<string, string>();
/** DER (hex) of one GeneralName. */
function generalNameHex(e: string): string {
  let der = generalNames.get(e);
  if (der !== undefined) return der;
  const colon = e.indexOf(':');
  const kind = e.slice(0, colon);
  const value = e.slice(colon + 1);
  if (kind === 'IP Address' && /^\d+\.\d+\.\d+\.\d+$/.test(value)) {
    der = `8704${value.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('')}`;
  } else {
    const tag = kind === 'email' ? '81' : kind === 'URI' ? '86' : '82';
    const hex = Buffer.from(value, 'utf8').toString('hex');
    der = tag + derLength(hex.length / 2) + hex;
  }
  if (generalNames.size < 10_000) generalNames.set(e, der);
  return der;
}

const longSans: Array<{ san: string; sanHex: string }> = [];
/** The long SAN list of `count` entries, made once per length. */
function longSan(count: number): { san: string; sanHex: string } {
  if (!longSans[count]) {
    const entries = Array.from({ length: count }, (_, i) => `DNS:h${i}.example.com`);
    longSans[count] = { san: entries.join(','), sanHex: sanDerHex(entries) };
  }
  return longSans[count];
}

export function sanArbitrary(known: string[]): fc.Arbitrary<{ san: string; sanHex: string }> {
  const entry = fc.oneof(
    ...(known.length ? [fc.constantFrom(...known)] : []),
    fc.tuple(fc.constantFrom('DNS:', 'IP Address:', 'email:', 'URI:'), fc.nat(99)).map(([k, n]) => (k === 'IP Address:' ? `${k}192.0.2.${n}`
      : k === 'email:' ? `${k}u${n}@example.com` : k === 'URI:' ? `${k}spiffe://example.com/s${n}` : `${k}h${n}.example.com`)),
  );
  const typical = fc.array(entry, { maxLength: 4 }).map((entries) => ({ san: entries.join(','), sanHex: sanDerHex(entries) }));
  // Long lists are drawn by their length alone: cheap to make, and a shrunk one is the shortest that still fails.
  const long = fc.integer({ min: 5, max: MAX_SAN_ENTRIES }).map(longSan);
  // Rare: a long list costs the sandbox more than the rest of a connection, and 1 in 40 still makes hundreds a run.
  return fc.oneof({ arbitrary: typical, weight: 39 }, { arbitrary: long, weight: 1 });
}

const FINGERPRINTS = ['Gw2M0Ud5S6wa9aFD8xOl5G4xM9bnk1uWbA0Wbq0Ocjs=', '1b0d8cd147794bac1af5a143f313a5e46e3133d6e7935b966c0d166ead0e723b',
  '1B:0D:8C:D1:47:79:4B:AC:1A:F5:A1:43:F3:13:A5:E4:6E:31:33:D6:E7:93:5B:96:6C:0D:16:6E:AD:0E:72:3B', ''];
const SPKI = '3059301306072a8648ce3d020106082a8648ce3d03010703420004' + 'ab'.repeat(64);

/** Two intermediate CAs (the leaf's issuer first), as the connection object describes them. */
const INTERMEDIATES = [
  { subject: 'C=US, O=Example Corp, CN=Example Corp Intermediate CA', issuer: 'C=US, O=Example Corp, CN=Example Corp Root CA', serialNumber: '0c:5b',
    validity: { notBefore: '2025-01-01T00:00:00Z', notAfter: '2035-01-01T00:00:00Z' }, sha256Fingerprint: FINGERPRINTS[0], san: '', sanHex: '', spki: SPKI, ocspEndpoint: '' },
  { subject: 'C=US, O=Example Corp, CN=Example Corp Root CA', issuer: 'C=US, O=Example Corp, CN=Example Corp Root CA', serialNumber: '01',
    validity: { notBefore: '2024-01-01T00:00:00Z', notAfter: '2044-01-01T00:00:00Z' }, sha256Fingerprint: FINGERPRINTS[1], san: '', sanHex: '', spki: SPKI, ocspEndpoint: '' },
];

function leafArbitrary(g: GeneratorInput) {
  return fc.record({
    subject: nameArbitrary(g.subjects),
    issuer: nameArbitrary(g.issuers),
    serialNumber: serialArbitrary(g.revoked),
    validity: validityArbitrary(g.now),
    sha256Fingerprint: fc.constantFrom(...FINGERPRINTS),
    san: sanArbitrary(g.sanEntries),
    spki: fc.constantFrom(SPKI, ''),
    ocspEndpoint: fc.constantFrom('', 'http://ocsp.example.com', `http://${'o'.repeat(200)}.example.com/ocsp`),
  }).map(({ san, ...c }) => ({ ...c, san: san.san, sanHex: san.sanHex }));
}

const OCSP = ['Good', 'Revoked', 'Unknown', 'Error'] as const;
const ERROR_TYPES = ['InternalError', 'OCSP response verification failed: SignatureFailure'];

/** The connection object as CloudFront passes it to a connection function, with the edge values it may send. */
export function connectionArbitrary(g: GeneratorInput): fc.Arbitrary<Record<string, unknown>> {
  // Intermediates are fixed certificates (none, one or two): a function reads them far less than the leaf, and
  // drawing them like the leaf would cost most of the generation time.
  const certificates = fc.record({
    leaf: leafArbitrary(g),
    intermediates: fc.constantFrom(0, 1, 2).map((n) => INTERMEDIATES.slice(0, n)),
  });
  const ocsp = fc.option(fc.record({
    chainValidity: fc.constantFrom('Valid', 'Invalid', 'Unknown'),
    leaf: fc.constantFrom(...OCSP),
    errorType: fc.constantFrom(...ERROR_TYPES),
    intermediates: fc.array(fc.constantFrom(...OCSP), { maxLength: 2 }),
  }), { freq: 3, nil: undefined });
  const clientCertificate = fc.option(fc.tuple(certificates, ocsp).map(([certs, status]) => {
    const out: Record<string, unknown> = { certificates: certs.intermediates.length ? certs : { leaf: certs.leaf } };
    if (status) {
      const entry = (s: string, serialNumber: string) => ({ method: 'OCSP', status: s, serialNumber, ...(s === 'Error' ? { errorType: status.errorType } : {}) });
      out.revocationStatus = {
        chainValidity: status.chainValidity,
        certificates: {
          leaf: entry(status.leaf, certs.leaf.serialNumber),
          intermediates: certs.intermediates.map((c, i) => entry(status.intermediates[i] ?? 'Good', c.serialNumber)),
        },
      };
    }
    return out;
  }), { freq: 8, nil: undefined });
  return fc.record({
    connectionId: fc.constantFrom(DOC_CONNECTION_ID, '', 'A'.repeat(56), '-_'.repeat(28)),
    clientIp,
    endpoint: fc.constantFrom<string>(CONNECTION_DEFAULTS.endpoint, '', `${'d'.repeat(63)}.cloudfront.net`),
    distributionId: fc.constantFrom<string>(CONNECTION_DEFAULTS.distributionId, '', 'E'.repeat(64)),
    clientCertificate,
  }).map(({ clientCertificate: cc, ...rest }) => (cc === undefined ? rest : { ...rest, clientCertificate: cc }) as Record<string, unknown>);
}
