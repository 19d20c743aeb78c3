/**
 * One CloudFront connection-log record: a TLS handshake of a viewer-mTLS distribution, as CloudFront's vended log
 * delivery writes it (developer guide, "Connection log fields"). The local edge writes these records and
 * `conngate replay` reads them back, so both sides share this one definition.
 *
 * Every field is optional in a record: a log delivery chooses its fields, so a reader must say which ones a record
 * lacks and never invent them.
 */
export interface ConnectionLogRecord {
  /** Epoch milliseconds, as AWS's example shows (the text calls it ISO 8601; the example is a number). */
  eventTimestamp?: number;
  /** 56 characters of the base64url alphabet with `=` padding. */
  connectionId?: string;
  /** `Success`, or `Failed:<reason>` with a reason from CONNECTION_FAILURE_REASONS. */
  connectionStatus?: string;
  clientIp?: string;
  clientPort?: number;
  serverIp?: string;
  distributionId?: string;
  distributionTenantId?: string;
  /** `TLSv1.3`, `TLSv1.2`. */
  tlsProtocol?: string;
  /** The IANA name, `TLS_AES_128_GCM_SHA256`. */
  tlsCipher?: string;
  /** Milliseconds. */
  tlsHandshakeDuration?: number;
  tlsSni?: string;
  /** Lowercase hex, colon separated, the DER leading `00` kept: `00:b1:43:ed:93:d2:d8:f3:9d`. */
  clientLeafCertSerialNumber?: string;
  /** `C=US, ST=WA, O=..., CN=...`. */
  clientLeafCertSubject?: string;
  clientLeafCertIssuer?: string;
  /** `NotBefore=2025-06-05T23:28:21Z;NotAfter=2125-05-12T23:28:21Z`. */
  clientLeafCertValidity?: string;
  /** What the connection function passed to `logCustomData` (up to 800 bytes of UTF-8). */
  connectionLogCustomData?: string;
}

/** The record's field names, in the order AWS's documentation lists them (and the local edge writes them). */
export const CONNECTION_LOG_FIELDS = [
  'eventTimestamp', 'connectionId', 'connectionStatus', 'clientIp', 'clientPort', 'serverIp', 'distributionId',
  'distributionTenantId', 'tlsProtocol', 'tlsCipher', 'tlsHandshakeDuration', 'tlsSni', 'clientLeafCertSerialNumber',
  'clientLeafCertSubject', 'clientLeafCertIssuer', 'clientLeafCertValidity', 'connectionLogCustomData',
] as const satisfies readonly (keyof ConnectionLogRecord)[];

/** The documented reasons after `Failed:` in `connectionStatus`. */
export const CONNECTION_FAILURE_REASONS = [
  'ClientCertMaxChainDepthExceeded', 'ClientCertMaxSizeExceeded', 'ClientCertUntrusted', 'ClientCertNotYetValid',
  'ClientCertExpired', 'ClientCertTypeUnsupported', 'ClientCertInvalid', 'ClientCertIntentInvalid',
  'ClientCertRejected', 'ClientCertMissing', 'TcpError', 'TcpTimeout', 'ConnectionFunctionError',
  'ConnectionFunctionDenied', 'Internal', 'UnmappedConnectionError',
] as const;

export type ConnectionFailureReason = (typeof CONNECTION_FAILURE_REASONS)[number];

/** The `connectionStatus` value of a handshake that succeeded, or failed for `reason`. */
export function connectionStatus(reason?: ConnectionFailureReason): string {
  return reason === undefined ? 'Success' : `Failed:${reason}`;
}

/** `NotBefore=...;NotAfter=...` from ISO 8601 times (seconds, UTC), the documented validity form. */
export function connectionLogValidity(notBefore: string, notAfter: string): string {
  return `NotBefore=${notBefore};NotAfter=${notAfter}`;
}
