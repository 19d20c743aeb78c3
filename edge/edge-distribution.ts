import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { EmulatorState, TrustStoreState } from '../emulator/emulator-state';
import { storeVersion, type StoreVersion } from '../emulator/connection-test';
import type { TrustStoreView } from './client-chain';

export type ViewerMtlsMode = 'required' | 'optional' | 'passthrough';

/** Where an allowed request goes: a loopback origin of the distribution, or nowhere (the edge answers itself). */
export interface EdgeOrigin { id: string; domainName: string; protocol: 'http' | 'https'; port: number; loopback: boolean }

/** What the edge needs of one distribution for one connection: a copy taken under the state lock. */
export interface EdgeDistribution {
  id: string;
  domainName: string;
  /** Undefined: no ViewerMtlsConfig (the edge serves plain TLS and writes no connection log, as CloudFront logs mTLS only). */
  mode?: ViewerMtlsMode;
  trustStore?: TrustStoreView;
  /** Why client certificates cannot be validated (a trust store that is missing, failed or never read). */
  trustStoreProblem?: string;
  /** The associated function's LIVE code and the LIVE stage's store at this moment. */
  liveFunction?: { id: string; name: string; code: string; store?: StoreVersion };
  origin?: EdgeOrigin;
}

/** Parsed bundles by the array the state holds (a new array per bundle read), so each bundle is parsed once. */
const parsedBundles = new WeakMap<string[], X509Certificate[]>();

function trustStoreView(t: TrustStoreState | undefined, ignoreCertificateExpiry: boolean): Pick<EdgeDistribution, 'trustStore' | 'trustStoreProblem'> {
  if (!t) return { trustStoreProblem: 'the trust store does not exist' };
  if (t.failureReason !== undefined) return { trustStoreProblem: `the trust store failed: ${t.failureReason}` };
  if (!t.caCertificates) return { trustStoreProblem: 'the trust store\'s CA bundle is not in the emulator\'s S3, so no CA is known' };
  let cas = parsedBundles.get(t.caCertificates);
  if (!cas) {
    cas = t.caCertificates.map((p) => new X509Certificate(p));
    parsedBundles.set(t.caCertificates, cas);
  }
  return { trustStore: { cas, ignoreCertificateExpiry, useOcsp: t.useClientCertificateOcspEndpoint } };
}

const isLoopbackName = (h: string) => h === 'localhost' || h === '::1' || h === '[::1]' || (isIP(h) === 4 && h.startsWith('127.'));

function originOf(c: any): EdgeOrigin | undefined {
  const target = c.DefaultCacheBehavior?.TargetOriginId;
  const o = (c.Origins?.Items ?? []).find((x: any) => x.Id === target);
  if (!o?.DomainName) return undefined;
  const policy = o.CustomOriginConfig?.OriginProtocolPolicy ?? 'https-only';
  const protocol = policy === 'https-only' ? 'https' : 'http';
  const port = Number(protocol === 'https' ? o.CustomOriginConfig?.HTTPSPort ?? 443 : o.CustomOriginConfig?.HTTPPort ?? 80);
  return { id: o.Id, domainName: String(o.DomainName), protocol, port, loopback: isLoopbackName(String(o.DomainName)) };
}

/** The names a distribution answers to: its `*.cloudfront.net` domain name and its aliases, lowercase. */
function namesOf(d: { domainName: string; config: any }): string[] {
  return [d.domainName, ...(d.config.Aliases?.Items ?? [])].map((n: string) => String(n).toLowerCase());
}

/** The enabled distribution that answers to `serverName` (an alias may be a `*.` wildcard), as the state holds it. */
function answering(state: EmulatorState, serverName: string) {
  const name = serverName.toLowerCase();
  const wildcard = name.includes('.') ? `*.${name.slice(name.indexOf('.') + 1)}` : undefined;
  const enabled = [...state.distributions.values()].filter((d) => d.config.Enabled !== false);
  return enabled.find((d) => namesOf(d).includes(name))
    ?? (wildcard === undefined ? undefined : enabled.find((d) => namesOf(d).includes(wildcard)));
}

/**
 * Whether some enabled distribution answers to `serverName`: what the SNI callback needs to pick a certificate,
 * without the copy of trust store, function code and store that findEdgeDistribution makes for a decision.
 */
export function distributionAnswers(state: EmulatorState, serverName: string): boolean {
  return answering(state, serverName) !== undefined;
}

/** The enabled distribution that answers to `serverName` (an alias may be a `*.` wildcard), copied for one connection. */
export function findEdgeDistribution(state: EmulatorState, serverName: string): EdgeDistribution | undefined {
  const found = answering(state, serverName);
  if (!found) return undefined;
  const c = found.config as any;
  const mtls = c.ViewerMtlsConfig;
  const out: EdgeDistribution = { id: found.id, domainName: found.domainName, origin: originOf(c) };
  if (!mtls) return out;
  out.mode = mtls.Mode as ViewerMtlsMode;
  if (out.mode !== 'passthrough') {
    Object.assign(out, trustStoreView(state.trustStores.get(mtls.TrustStoreConfig?.TrustStoreId),
      mtls.TrustStoreConfig?.IgnoreCertificateExpiry === true));
  }
  const fn = c.ConnectionFunctionAssociation?.Id ? state.connectionFunctions.get(c.ConnectionFunctionAssociation.Id) : undefined;
  if (fn?.live) {
    const storeArn = fn.live.keyValueStoreArns[0];
    const store = storeArn ? [...state.keyValueStores.values()].find((s) => s.arn === storeArn) : undefined;
    out.liveFunction = { id: fn.id, name: fn.name, code: Buffer.from(fn.live.codeBase64, 'base64').toString('utf8'),
      ...(store ? { store: storeVersion(store) } : {}) };
  }
  return out;
}
