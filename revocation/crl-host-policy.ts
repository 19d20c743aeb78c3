/**
 * Where CRL downloads may go. A CRL URL, and above all a certificate's CRL distribution point and every redirect
 * (usually plain http: anyone on the path can inject one), is untrusted: without a rule, conngate would send
 * requests to services only this machine can reach (a cloud metadata endpoint, an admin port on loopback) and
 * report the size of their answers. So a download goes only to public addresses unless the operator allows
 * private ones (an internal PKI): `--allow-private-crl-hosts`, or named hosts with `--allow-private-crl-host`.
 *
 * The rule is checked on the address the connection is made to: an IP literal before anything is sent, and a
 * name through the socket's own `lookup`, which resolves once, checks every address and hands the socket exactly
 * the address it checked. A DNS answer that changes between a check and the connect (DNS rebinding) therefore
 * cannot move the connection: there is no second resolution. Every redirect hop goes through the same check.
 */
import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { BlockList, isIP } from 'node:net';
import { UserError } from '../diagnostics/user-error';
import { printable } from '../diagnostics/untrusted-text';
import type { ConnectGuard } from '../aws/clients';

/** Which private hosts a download may reach. */
export interface PrivateHostAllowance {
  /** any loopback, link-local, private or unique-local address (--allow-private-crl-hosts) */
  all?: boolean;
  /** these hosts only, as `host` or `host:port` exactly as the URL spells them (--allow-private-crl-host) */
  hosts?: string[];
}

/** Resolves a name to all its addresses (dns.lookup by default; injectable to test resolver answers). */
export type HostResolver = (hostname: string) => Promise<LookupAddress[]>;

const defaultResolver: HostResolver = (hostname) => new Promise((resolve, reject) => {
  dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
});

/** The ranges refused, by the rule named in the refusal. IPv4-mapped IPv6 addresses match the IPv4 ranges. */
const RULES: [rule: string, ranges: [string, number, 'ipv4' | 'ipv6'][]][] = [
  ['loopback', [['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']]],
  ['unspecified ("this host")', [['0.0.0.0', 8, 'ipv4'], ['::', 128, 'ipv6']]],
  ['link-local', [['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']]],
  ['private', [['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4'], ['100.64.0.0', 10, 'ipv4'],
    ['192.0.0.0', 24, 'ipv4'], ['198.18.0.0', 15, 'ipv4'], ['fec0::', 10, 'ipv6']]],
  ['unique-local', [['fc00::', 7, 'ipv6']]],
  ['multicast or reserved', [['224.0.0.0', 3, 'ipv4'], ['ff00::', 8, 'ipv6'],
    // IPv4-compatible (::a.b.c.d, deprecated) and IPv4-translated (::ffff:0:a.b.c.d) forms: no public host has one,
    // and a host with an automatic tunnel (sit) sends the first to the IPv4 address inside, 127.0.0.1 included.
    ['::', 96, 'ipv6'], ['::ffff:0:0:0', 96, 'ipv6']]],
];
const LISTS = RULES.map(([rule, ranges]) => {
  const list = new BlockList();
  for (const [net, prefix, type] of ranges) list.addSubnet(net, prefix, type);
  return { rule, list };
});

/** The rule an address breaks (e.g. "loopback"), or undefined for a public address. */
export function addressRule(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const hit = LISTS.find(({ list }) => list.check(address, type));
  if (hit) return hit.rule;
  if (family === 4) return undefined;
  // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits, 6to4 (2002::/16) the one in bits 16-47: both
  // are held to the IPv4 ranges. The local-use NAT64 prefix (64:ff9b:1::/48) is a site's own translator: private.
  const h = hextets(address);
  if (h[0] === 0x64 && h[1] === 0xff9b && h[2] === 1) return 'private (local-use NAT64)';
  const nat64 = h[0] === 0x64 && h[1] === 0xff9b && h.slice(2, 6).every((x) => x === 0);
  const v4 = nat64 ? [h[6], h[7]] : h[0] === 0x2002 ? [h[1], h[2]] : undefined;
  if (v4) {
    const rule = addressRule([v4[0] >> 8, v4[0] & 255, v4[1] >> 8, v4[1] & 255].join('.'));
    if (rule) return `${rule} (through ${nat64 ? 'NAT64' : '6to4'})`;
  }
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (a zone id dropped; a dotted IPv4 tail as the URL parser reads it). */
function hextets(address: string): number[] {
  const text = new URL(`http://[${address.replace(/%.*$/, '')}]/`).hostname.slice(1, -1);
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => parseInt(g, 16));
}

/** Why a download's host was refused; carried through the socket's error path to the one-line refusal. */
export class HostRefusedError extends Error {
  constructor(readonly host: string, readonly address: string, readonly rule: string) {
    super(`${host}${address !== host ? ` resolves to ${address}, which` : ''} is a ${rule} address`);
    this.name = 'HostRefusedError';
  }
}

/** The refusal as the one line the user sees: the URL, the hop (`redirect to ...`, `S3 endpoint ...`), the rule and the way out. */
export function hostRefusal(url: string, e: HostRefusedError, hop?: string): UserError {
  return new UserError(url, `refused: ${hop ? `${printable(hop)}: ` : ''}${printable(e.message)}; CRL downloads go only to public addresses`,
    'download the CRL and pass the file, or, for an internal PKI, pass --allow-private-crl-hosts (or --allow-private-crl-host HOST:PORT; ' +
    'config: allowPrivateCrlHosts)');
}

function allowed(url: URL, allow: PrivateHostAllowance | undefined): boolean {
  if (allow?.all) return true;
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return (allow?.hosts ?? []).some((h) => {
    const want = h.toLowerCase();
    return want === host || want === `${host}:${port}`;
  });
}

/**
 * The guard for one hop: throws HostRefusedError now for an IP literal that breaks a rule, and returns the
 * `lookup` the connection must use for a name (undefined when the host is allowed as it is).
 */
export function guardHop(url: URL, allow: PrivateHostAllowance | undefined, resolve: HostResolver = defaultResolver): LookupFunction | undefined {
  if (allowed(url, allow)) return undefined;
  const literal = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(literal)) {
    const rule = addressRule(literal);
    if (rule) throw new HostRefusedError(literal, literal, rule);
    return undefined;
  }
  return guardedLookup(resolve);
}

/**
 * The guard of a client that picks its own hosts (the S3 client: the endpoint may come from --endpoint,
 * AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or a profile's endpoint_url, and region redirects name others): asked
 * before each connection with the host and port it names, it throws HostRefusedError or returns the lookup
 * to connect with, as guardHop does for a URL. The S3 client's own type (aws/clients.ts), so the two cannot drift.
 */
export type ConnectionGuard = ConnectGuard;

export function connectionGuard(allow: PrivateHostAllowance | undefined, resolve: HostResolver = defaultResolver): ConnectionGuard {
  return (host, port, secure) => guardHop(new URL(`${secure ? 'https' : 'http'}://${isIP(host) === 6 ? `[${host}]` : host}${port ? `:${port}` : ''}/`), allow, resolve);
}

/**
 * A socket `lookup` that resolves once and refuses the connection when any address is not public (an answer
 * mixing a public and a private address is how a rebinding name looks); otherwise it gives the socket the
 * addresses it checked, in the form the socket asked for.
 */
export function guardedLookup(resolve: HostResolver = defaultResolver): LookupFunction {
  return ((hostname: string, options: { all?: boolean; family?: number | string }, callback: (...args: unknown[]) => void) => {
    resolve(hostname).then((found) => {
      const wanted = options?.family === 4 || options?.family === 'IPv4' ? 4 : options?.family === 6 || options?.family === 'IPv6' ? 6 : 0;
      const addresses = wanted ? found.filter((a) => a.family === wanted) : found;
      for (const a of found) {
        const rule = addressRule(a.address);
        if (rule) throw new HostRefusedError(hostname, a.address, rule);
      }
      if (addresses.length === 0) throw Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' });
      if (options?.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    }).catch((e: unknown) => callback(e));
  }) as LookupFunction;
}
