import { UserError } from '../diagnostics/user-error';

/** What CloudFront's OCSP check said about one certificate. */
export type OcspStatus = 'Good' | 'Revoked' | 'Unknown' | 'Error';
export const OCSP_STATUSES: readonly OcspStatus[] = ['Good', 'Revoked', 'Unknown', 'Error'];

/** The two documented errorType forms: "InternalError" or "OCSP response verification failed: {Type}". */
const ERROR_TYPE = /^(InternalError|OCSP response verification failed: .+)$/;

/** A suite's or `conngate payload`'s description of the OCSP result of a connection. */
export interface OcspOutcome {
  /** Status of the leaf. */
  leaf: OcspStatus;
  /** With Error: "InternalError" (default) or "OCSP response verification failed: <Type>". */
  errorType?: string;
  /** Status of each intermediate, in chain order. @default Good for each */
  intermediates?: OcspStatus[];
  /** @default Invalid when any certificate is Revoked, Valid when all are Good, else Unknown */
  chainValidity?: 'Valid' | 'Invalid' | 'Unknown';
}

export interface CertificateRevocation { method: 'OCSP'; status: OcspStatus; serialNumber: string; errorType?: string }

/** `clientCertificate.revocationStatus` as documented for trust stores with UseClientCertificateOCSPEndpoint. */
export interface RevocationStatus {
  chainValidity: 'Valid' | 'Invalid' | 'Unknown';
  certificates: { leaf: CertificateRevocation; intermediates: CertificateRevocation[] };
}

function entry(status: OcspStatus, serialNumber: string, errorType: string | undefined): CertificateRevocation {
  return { method: 'OCSP', status, serialNumber, ...(status === 'Error' ? { errorType: errorType ?? 'InternalError' } : {}) };
}

/** Checks an outcome given on the command line or in a suite; UserError naming `where`. */
export function checkOcspOutcome(o: OcspOutcome, where: string): void {
  for (const s of [o.leaf, ...(o.intermediates ?? [])]) {
    if (!OCSP_STATUSES.includes(s)) throw new UserError(where, `unknown OCSP status "${s}"`, `use one of ${OCSP_STATUSES.join(', ')}`);
  }
  if (o.errorType !== undefined && o.leaf !== 'Error') {
    throw new UserError(where, 'errorType is only reported with status Error', 'remove errorType or set the status to Error');
  }
  if (o.errorType !== undefined && !ERROR_TYPE.test(o.errorType)) {
    throw new UserError(where, `errorType "${o.errorType}" is not a documented form`, 'use "InternalError" or "OCSP response verification failed: <Type>"');
  }
}

/**
 * The revocationStatus CloudFront would report. chainValidity is derived when not given (the derivation is ours:
 * AWS documents the values, not how they follow from the per-certificate statuses).
 */
export function buildRevocationStatus(o: OcspOutcome, leaf: { serialNumber: string }, intermediates: { serialNumber: string }[]): RevocationStatus {
  checkOcspOutcome(o, 'OCSP outcome');
  if (o.intermediates && o.intermediates.length !== intermediates.length) {
    throw new UserError('OCSP outcome', `gives ${o.intermediates.length} intermediate statuses for ${intermediates.length} intermediates`,
      'give one status per intermediate of the chain, or none (all Good)');
  }
  const statuses = [o.leaf, ...(o.intermediates ?? intermediates.map(() => 'Good' as const))];
  const derived = statuses.includes('Revoked') ? 'Invalid' : statuses.every((s) => s === 'Good') ? 'Valid' : 'Unknown';
  return {
    chainValidity: o.chainValidity ?? derived,
    certificates: {
      leaf: entry(o.leaf, leaf.serialNumber, o.errorType),
      intermediates: intermediates.map((c, i) => entry(statuses[i + 1], c.serialNumber, undefined)),
    },
  };
}
