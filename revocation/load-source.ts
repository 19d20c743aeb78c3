/**
 * Reads every input a sync, check or export names (files, http(s) and s3 URLs, distribution points of
 * certificates), and checks the CRLs before anything trusts them: each must verify against a CA given with
 * --ca, or the caller must have said --insecure-skip-crl-verify (and is warned on every run).
 */
import * as fs from 'node:fs';
import type { S3Client } from '@aws-sdk/client-s3';
import { UserError } from '../diagnostics/user-error';
import { printable } from '../diagnostics/untrusted-text';
import { CaCertificate, readCertificates } from './ca-certificate';
import { markOf } from './crl-mark';
import { CRL_FETCH_DEFAULTS, CrlFetchOptions, FetchedCrl } from './crl-fetch-limits';
import { ConnectionGuard, connectionGuard, guardHop, HostRefusedError, hostRefusal } from './crl-host-policy';
import { fetchHttpCrl, isHttpUrl } from './crl-http-source';
import { fetchS3Crl, parseS3Url } from './crl-s3-source';
import { checkCrlFresh, CrlAuthenticator, crlScopeId, crlsToRevokedSet, parseCrlBytes, ParsedCrl, readCrlFile, verifyCrl } from './crl-source';
import { readKvsImportFile } from './kvs-import-format';
import { mergeRevokedSets, RevokedSet } from './revoked-set';
import { readSerialListFile } from './serial-list-source';

export interface SourceOptions {
  /** CRLs: files (PEM with one or more CRLs, or DER), http(s):// URLs, s3://bucket/key URLs */
  crlFiles?: string[];
  /** certificates whose CRL Distribution Points (http/https) name the CRL to fetch */
  crlFromCertFiles?: string[];
  /** serial-list files */
  serialFiles?: string[];
  /** KeyValueStore import JSON files */
  kvsJsonFiles?: string[];
  /** CA certificates; every CRL must verify against one of them */
  caFiles?: string[];
  /** apply CRLs without verifying them (warned about on every run) @default false */
  insecureSkipCrlVerify?: boolean;
  /** accept CRLs whose nextUpdate has passed @default false */
  allowStale?: boolean;
  /** clock for the staleness check @default new Date() */
  now?: Date;
  /** bounds and cache of downloads */
  fetch?: CrlFetchOptions;
  /** a CRL's fetched URL -> the URI its issuingDistributionPoint names (a mirror; s3:// for an http point) */
  idpAliases?: Record<string, string>;
  /** accept a downloaded CRL whose issuingDistributionPoint names another URL @default false */
  allowIdpMismatch?: boolean;
  /** the S3 client for s3:// sources (made on first use), asking `guard` (the address policy) before each connection */
  s3Client?: (connect: { guard?: ConnectionGuard }) => S3Client;
  /** the custom S3 endpoint s3Client uses (--endpoint), held to the same address policy as CRL URLs */
  s3Endpoint?: string;
  /** warnings that must reach the user on every run */
  onWarning?: (line: string) => void;
}

/** What a CRL contributed, for reports (`revocations check`). */
export interface CrlInfo {
  where: string;
  issuer: string;
  scopeId: string;
  nameScopeId: string;
  /** SHA-256 of the verifying CA key's SubjectPublicKeyInfo, hex */
  caKey?: string;
  crlNumber?: string;
  thisUpdate: Date;
  nextUpdate?: Date;
  revoked: number;
  verifiedBy?: string;
}

export interface LoadedSource extends RevokedSet {
  crls: CrlInfo[];
}

/** Loads, verifies and merges the sources into one revoked set. Throws UserError on the first bad input. */
export async function loadRevocationSource(opts: SourceOptions): Promise<LoadedSource> {
  const crlSpecs = opts.crlFiles ?? [];
  const fromCerts = opts.crlFromCertFiles ?? [];
  const serialFiles = opts.serialFiles ?? [];
  const jsonFiles = opts.kvsJsonFiles ?? [];
  if (crlSpecs.length + fromCerts.length + serialFiles.length + jsonFiles.length === 0) {
    throw new UserError('revocation source', 'no input given', 'pass --crl FILE|URL (repeatable), --crl-from-cert CERT, --serials FILE or --kvs-json FILE');
  }
  const caFiles = opts.caFiles ?? [];
  const anyCrl = crlSpecs.length + fromCerts.length > 0;
  if (caFiles.length > 0 && !anyCrl) {
    throw new UserError('--ca', 'only CRLs carry a signature to check', 'pass --crl with --ca, or drop --ca');
  }
  if (caFiles.length > 0 && opts.insecureSkipCrlVerify) {
    throw new UserError('--insecure-skip-crl-verify', 'given together with --ca', 'drop --insecure-skip-crl-verify: with --ca every CRL is verified');
  }
  if (anyCrl && caFiles.length === 0 && !opts.insecureSkipCrlVerify) {
    throw new UserError('--ca', 'a CRL is applied only when its signature verifies against the CA that issued it, and no --ca was given',
      'pass --ca issuing-ca.pem (repeat for several CAs); --insecure-skip-crl-verify applies unverified CRLs');
  }
  // Checked before any download: a bad --ca should not cost a 40 MB fetch.
  const cas: CaCertificate[] = caFiles.flatMap((f) => readCertificates(f, 'CA certificate', '--ca'));

  const crls: ParsedCrl[] = [];
  // Admitted as soon as each header is read, before its entries are walked (see CrlAuthenticator): a second CRL of
  // a scope is refused there, so a file of the same CRL repeated a hundred thousand times stops at its second copy.
  const scopes = new Map<string, string>();
  // Two CA keys with one name (a re-key) have a scope each: both of their CRLs belong in the run.
  // When one key alone can verify it (the usual case), the duplicate is found before the signature is checked.
  const authenticate: CrlAuthenticator = (crl) => {
    const once = (caKey: string | undefined): void => {
      const scopeId = crlScopeId(crl.structure, caKey);
      const seen = scopes.get(scopeId);
      if (seen) {
        throw new UserError(crl.where, `a second CRL of "${crl.issuer}" with the same scope${caKey ? ' and CA key' : ''} as ${seen}`,
          'pass only the newest CRL of each CA (or of each partition)');
      }
      scopes.set(scopeId, crl.where);
    };
    if (opts.insecureSkipCrlVerify) {
      once(undefined);
      return undefined;
    }
    const keys = new Set(cas.filter((c) => c.subjectDer.equals(crl.issuerDer)).map((c) => c.spkiSha256));
    if (keys.size === 1) once([...keys][0]);
    const ca = verifyCrl(crl, cas);
    if (keys.size !== 1) once(ca.spkiSha256);
    return ca;
  };
  for (const spec of crlSpecs) crls.push(...await readCrlSpec(spec, opts, authenticate));
  for (const certFile of fromCerts) crls.push(...await readCrlFromCert(certFile, opts, authenticate));

  const now = opts.now ?? new Date();
  const infos: CrlInfo[] = [];
  for (const crl of crls) {
    checkCrlFresh(crl, now, !!opts.allowStale);
    infos.push({
      where: crl.where, issuer: crl.issuer, scopeId: crl.scopeId, nameScopeId: crl.nameScopeId, caKey: crl.caKey, crlNumber: crl.crlNumber, thisUpdate: crl.thisUpdate,
      nextUpdate: crl.nextUpdate, revoked: crl.serials.length, verifiedBy: crl.verifiedBy?.where,
    });
  }
  if (opts.insecureSkipCrlVerify && crls.length > 0) {
    opts.onWarning?.(`WARNING: --insecure-skip-crl-verify: the signatures of ${crls.length} CRL(s) were NOT verified; ` +
      'whoever can change these files or URLs can un-revoke certificates. Pass --ca to verify them.');
  }
  const sets: RevokedSet[] = [];
  if (crls.length > 0) {
    const set = crlsToRevokedSet(crls);
    // An unverified CRL is held to the marks but never moves them: a forged CRL number would block the CA's own CRLs.
    set.marks = crls.map((c) => ({ ...markOf(c), ...(opts.insecureSkipCrlVerify ? { checkOnly: true } : {}) }));
    sets.push(set);
  }
  for (const f of serialFiles) sets.push(readSerialListFile(f));
  for (const f of jsonFiles) sets.push(readKvsImportFile(f));
  return { ...mergeRevokedSets(sets), crls: infos };
}

/** One `--crl` value: a file, an http(s) URL or an s3 URL. */
async function readCrlSpec(spec: string, opts: SourceOptions, authenticate: CrlAuthenticator): Promise<ParsedCrl[]> {
  let fetched: FetchedCrl;
  if (isHttpUrl(spec)) {
    fetched = await fetchHttpCrl(spec, opts.fetch);
  } else if (parseS3Url(spec)) {
    if (!opts.s3Client) throw new UserError(spec, 's3:// sources are not available here', 'download the CRL and pass the file');
    // The endpoint is where the bytes come from: the same rule as an http CRL URL (AWS's own S3 is public). The
    // endpoint given is checked up front; every connection the client makes is checked again by the guard.
    const endpoint = new URL(opts.s3Endpoint ?? 'https://s3.amazonaws.com');
    try {
      guardHop(endpoint, opts.fetch?.privateHosts, opts.fetch?.resolveHost);
    } catch (e) {
      if (e instanceof HostRefusedError) throw hostRefusal(spec, e, `S3 endpoint ${endpoint.origin}`);
      throw e;
    }
    fetched = await fetchS3Crl(opts.s3Client({ guard: connectionGuard(opts.fetch?.privateHosts, opts.fetch?.resolveHost) }), spec, opts.fetch);
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    throw new UserError(spec, 'unsupported CRL URL scheme', 'use a file, http://, https:// or s3://bucket/key');
  } else {
    // Files are held to the download limit too: memory stays bounded whatever the path points at.
    const maxBytes = opts.fetch?.maxBytes ?? CRL_FETCH_DEFAULTS.maxBytes;
    const size = fileSize(spec);
    if (size !== undefined && size > maxBytes) {
      throw new UserError(spec, `the CRL file is ${size} bytes, larger than ${maxBytes}`, 'raise --crl-max-mb if this CA\'s CRL really is that large');
    }
    return readCrlFile(spec, authenticate);
  }
  opts.fetch?.onProgress?.(`fetched ${spec}: ${fetched.how}`);
  const crls = parseCrlBytes(fetched.bytes, spec, authenticate);
  for (const crl of crls) checkPublishedAt(crl, spec, opts);
  return crls;
}

/** A URL in the form two spellings of it share (scheme and host case, default port), or the text when unparseable. */
function sameUrl(a: string, b: string): boolean {
  const norm = (u: string): string => {
    try {
      return new URL(u).href;
    } catch {
      return u;
    }
  };
  return norm(a) === norm(b);
}

/**
 * A partitioned CRL names where it is published (issuingDistributionPoint). A CRL downloaded from one URL that
 * names another is another partition (or another CA's scope) served in its place: valid, signed and current, yet
 * applying it would drop the serials only the right partition revokes. Once the store holds a CRL's mark, a
 * substitute is caught as a CRL left out; this check also catches it on the first sync into an empty store, and
 * on every download after. Checked after the signature, so the URIs are the CA's own words. Files carry no URL
 * and are the operator's to vouch for.
 */
function checkPublishedAt(crl: ParsedCrl, url: string, opts: SourceOptions): void {
  const uris = crl.structure.scopeUris ?? [];
  if (uris.length === 0 || opts.allowIdpMismatch) return;
  const expected = opts.idpAliases?.[url] ?? url;
  if (uris.some((u) => sameUrl(u, expected))) return;
  throw new UserError(url, `the CRL's issuing distribution point names ${uris.map((u) => printable(u)).join(', ')}, not ${expected === url ? 'the URL it was fetched from' : `its alias ${printable(expected)}`}: ` +
    'another partition served in its place would un-revoke the serials only this one lists',
  'fetch each partition from the URL it names; for a mirror or an s3:// copy, set crlIdpAliases {"<fetched URL>": "<distribution point URI>"} in the stage config ' +
    '(or --crl-idp-alias URL=URI); --allow-crl-idp-mismatch accepts it');
}

/** The CRL named by a certificate's CRL Distribution Points: the first http(s) one that downloads. */
async function readCrlFromCert(certFile: string, opts: SourceOptions, authenticate: CrlAuthenticator): Promise<ParsedCrl[]> {
  const [cert] = readCertificates(certFile, 'certificate', '--crl-from-cert');
  const urls = cert.crlDistributionPoints.filter(isHttpUrl);
  if (urls.length === 0) {
    const others = cert.crlDistributionPoints.length ? ` (only ${cert.crlDistributionPoints.join(', ')})` : '';
    throw new UserError(certFile, `the certificate names no http(s) CRL distribution point${others}`, 'pass the CRL with --crl FILE|URL instead');
  }
  let lastError: unknown;
  for (const url of urls) {
    let crls: ParsedCrl[];
    try {
      crls = await readCrlSpec(url, opts, authenticate);
    } catch (e) {
      // Only a failed download moves on to the next point; a CRL that downloads but is bad is an answer.
      if (!(e instanceof UserError) || e.exitCode !== 1) throw e;
      lastError = e;
      opts.fetch?.onProgress?.(`${url} failed (${e.message}); trying the next distribution point`);
      continue;
    }
    // RFC 5280 6.3.3: a direct CRL (the only kind applied) is issued by the certificate's issuer. Another CA's
    // CRL at this point verifies against the bundle too, yet this issuer's revocations would never be applied.
    for (const crl of crls) {
      if (!crl.issuerDer.equals(cert.issuerDer)) {
        throw new UserError(url, `the CRL is issued by "${crl.issuer}", not by "${cert.issuer}", the issuer of ${certFile}: another CA's CRL served at this distribution point ` +
          'would leave this issuer\'s revocations unapplied', 'check what the distribution point serves; pass this issuer\'s CRL with --crl FILE|URL instead');
      }
    }
    return crls;
  }
  throw lastError;
}

/** A file's size, or undefined when it cannot be stat'ed (reading it then gives the one-line error). */
function fileSize(file: string): number | undefined {
  try {
    return fs.statSync(file).size;
  } catch {
    return undefined;
  }
}
