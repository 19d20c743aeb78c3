import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Who may talk to the emulator. The emulator runs code and holds evidence, so a browser page on another site must
 * never drive it: not by a cross-origin request (refused by `Origin` / `Sec-Fetch-Site`), not by a form post or a
 * `no-cors` fetch (refused by their "simple" content types), and not through DNS rebinding, where an attacker's
 * name resolves to 127.0.0.1 and the browser sends that name as `Host` (refused because `Host` must name loopback
 * or a name the user allowed). The AWS SDKs, boto3 and the AWS CLI send none of these.
 */
export interface RequestGuardConfig {
  /** Host names the user allowed besides loopback (`--allow-host`), lower case, without port. */
  allowedHosts?: readonly string[];
  /**
   * The emulator listens on a non-loopback interface on purpose (`--allow-non-loopback`): then a `Host` that is an
   * IP address literal is served too. Rebinding always sends a DNS name, never an address, so this opens nothing
   * to a browser; `Origin` stays limited to loopback and the allowed names.
   */
  exposed?: boolean;
}

export interface GuardRefusal {
  /** Which check refused the request, for the error message. */
  reason: 'host' | 'origin' | 'fetch-site' | 'content-type';
  message: string;
}

/** The content types a browser may send cross-origin without a CORS preflight. */
const SIMPLE_CONTENT_TYPES = new Set(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);
/** The KeyValueStore client's endpoint rules put the store's account id in front of the host. */
const ACCOUNT_PREFIX = /^\d{12}\./;
const HOST_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

export function isLoopbackAddress(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** Splits `name[:port]` / `[v6][:port]` into the lower-case host (IPv6 without brackets); undefined if malformed. */
export function hostOfHeader(value: string): string | undefined {
  const v = value.trim().toLowerCase();
  const m = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/.exec(v) ?? /^([^:[\]]+)(?::(\d{1,5}))?$/.exec(v);
  if (!m) return undefined;
  const host = m[1];
  if (v.startsWith('[') ? isIP(host) !== 6 : !(isIP(host) === 4 || HOST_NAME.test(host))) return undefined;
  return host;
}

export class RequestGuard {
  private readonly allowed: Set<string>;
  private readonly exposed: boolean;
  private readonly acceptedHosts = new Set<string>();

  constructor(config: RequestGuardConfig = {}) {
    this.allowed = new Set((config.allowedHosts ?? []).map((h) => h.toLowerCase()));
    this.exposed = config.exposed ?? false;
  }

  /** True for loopback names and addresses and the allowed names, also with the account-id prefix. */
  private isTrustedName(host: string): boolean {
    if (host === 'localhost' || isLoopbackAddress(host) || this.allowed.has(host)) return true;
    if (ACCOUNT_PREFIX.test(host)) {
      const rest = host.replace(ACCOUNT_PREFIX, '');
      return rest === 'localhost' || isLoopbackAddress(rest) || this.allowed.has(rest);
    }
    return false;
  }

  private hostAllowed(raw: string | undefined): boolean {
    if (raw === undefined) return false;
    // A client sends the same Host on every request; remembering the few accepted ones keeps the check to a lookup.
    if (this.acceptedHosts.has(raw)) return true;
    const host = hostOfHeader(raw);
    if (host === undefined) return false;
    const ok = this.isTrustedName(host) || (this.exposed && isIP(host) !== 0);
    if (ok && this.acceptedHosts.size < 64) this.acceptedHosts.add(raw);
    return ok;
  }

  private originAllowed(origin: string): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin.toLowerCase().replace(/\/$/, '')) {
      return false;
    }
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    return this.isTrustedName(host);
  }

  /**
   * Undefined when the request may be served; otherwise why not. `formBody`: the path's API takes form-encoded
   * POSTs (the STS subset, which changes no CloudFront state, only its capped in-memory sessions, and whose
   * answers a cross-origin page cannot read): the host, origin and fetch-site checks still apply.
   */
  check(method: string, headers: IncomingHttpHeaders, formBody = false): GuardRefusal | undefined {
    if (!this.hostAllowed(headers.host)) {
      return {
        reason: 'host',
        message: `Host "${headers.host ?? ''}" is not this emulator: it serves only requests addressed to 127.0.0.1, `
          + 'localhost or [::1] (or a name allowed with --allow-host), so that a web page cannot reach it through DNS rebinding.',
      };
    }
    const origin = headers.origin;
    if (origin !== undefined && !this.originAllowed(origin)) {
      return {
        reason: 'origin',
        message: `Origin "${origin}" may not use this emulator: requests from web pages are served only from loopback `
          + 'origins (or a name allowed with --allow-host).',
      };
    }
    if (origin === undefined && String(headers['sec-fetch-site'] ?? '').toLowerCase() === 'cross-site') {
      return { reason: 'fetch-site', message: 'A cross-site browser request (Sec-Fetch-Site: cross-site) may not use this emulator.' };
    }
    const contentType = String(headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    // POST is the only write method a browser sends cross-origin without a preflight (which the emulator never
    // answers); PUT with text/plain stays possible for S3 objects that are text.
    // A browser also sends a POST without a preflight when the body has no type at all (a Blob or ArrayBuffer
    // body): refused when the request comes from a page (it carries an Origin); boto3 and the AWS CLI send
    // neither header.
    const untypedFromPage = contentType === '' && (origin !== undefined || headers['sec-fetch-mode'] !== undefined);
    if (method === 'POST' && !(formBody && contentType === 'application/x-www-form-urlencoded')
      && (SIMPLE_CONTENT_TYPES.has(contentType) || untypedFromPage)) {
      return {
        reason: 'content-type',
        message: `Content-Type "${contentType || '(none)'}" is what a browser form or no-cors request sends; the AWS API takes `
          + 'XML or JSON bodies, so this write is refused.',
      };
    }
    return undefined;
  }
}
