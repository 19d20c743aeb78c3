/** Reads every input a sync or export names and checks the CRLs before anything trusts them. */
import { UserError } from '../diagnostics/user-error';
import { checkCrlFresh, crlsToRevokedSet, ParsedCrl, readCaCertificates, readCrlFile, verifyCrlSignature } from './crl-source';
import { readKvsImportFile } from './kvs-import-format';
import { mergeRevokedSets, RevokedSet } from './revoked-set';
import { readSerialListFile } from './serial-list-source';

export interface SourceOptions {
  /** CRL files, PEM (one or more CRLs each) or DER */
  crlFiles?: string[];
  /** serial-list files */
  serialFiles?: string[];
  /** KeyValueStore import JSON files */
  kvsJsonFiles?: string[];
  /** CA certificates; when given every CRL must verify against one of them */
  caFiles?: string[];
  /** accept CRLs whose nextUpdate has passed @default false */
  allowStale?: boolean;
  /** clock for the staleness check @default new Date() */
  now?: Date;
}

/** Loads, verifies and merges the sources into one revoked set. Throws UserError on the first bad input. */
export async function loadRevocationSource(opts: SourceOptions): Promise<RevokedSet> {
  const crlFiles = opts.crlFiles ?? [];
  const serialFiles = opts.serialFiles ?? [];
  const jsonFiles = opts.kvsJsonFiles ?? [];
  if (crlFiles.length + serialFiles.length + jsonFiles.length === 0) {
    throw new UserError('revocation source', 'no input given', 'pass --crl FILE (repeatable), --serials FILE or --kvs-json FILE');
  }
  const caFiles = opts.caFiles ?? [];
  if (caFiles.length > 0 && crlFiles.length === 0) {
    throw new UserError('--ca', 'only CRLs carry a signature to check', 'pass --crl FILE with --ca, or drop --ca');
  }
  const cas = caFiles.map((f) => ({ file: f, certs: readCaCertificates(f) }));
  const crls: ParsedCrl[] = crlFiles.flatMap((f) => readCrlFile(f));
  const now = opts.now ?? new Date();
  for (const crl of crls) {
    if (cas.length > 0) await verifyCrlSignature(crl, cas.flatMap((c) => c.certs), caFiles.join(', '));
    if (!opts.allowStale) checkCrlFresh(crl, now);
  }
  const sets: RevokedSet[] = [];
  if (crls.length > 0) sets.push(crlsToRevokedSet(crls));
  for (const f of serialFiles) sets.push(readSerialListFile(f));
  for (const f of jsonFiles) sets.push(readKvsImportFile(f));
  return mergeRevokedSets(sets);
}
