/**
 * The connection object a logged handshake gave its connection function, rebuilt from what the log record holds,
 * and only from that: a field the log does not carry is left out of the object, never filled in with a default.
 */
import type { ConnectionObject } from '../runtime/payload';
import { CONNECTION_FAILURE_REASONS, type ConnectionLogRecord } from './connection-log-record';

/**
 * Connection-object fields no connection-log record carries, so a replayed connection never has them: a function
 * that reads them sees `undefined` during replay (docs/replay.md). The leaf's fingerprint, SANs, public key and
 * OCSP URL, the intermediates, and the OCSP outcome are not in CloudFront's log fields.
 */
export const FIELDS_NO_LOG_CARRIES = [
  'clientCertificate.certificates.leaf.sha256Fingerprint',
  'clientCertificate.certificates.leaf.san',
  'clientCertificate.certificates.leaf.sanHex',
  'clientCertificate.certificates.leaf.spki',
  'clientCertificate.certificates.leaf.ocspEndpoint',
  'clientCertificate.certificates.intermediates',
  'clientCertificate.revocationStatus',
] as const;

/** Each object field a record may fill, and the log field it comes from. */
const FROM_LOG = [
  ['connectionId', 'connectionId'],
  ['clientIp', 'clientIp'],
  // INFERRED: the documented `endpoint` is the distribution's domain name; the log has only the SNI the client sent,
  // which is that name unless the client used an alternate domain name.
  ['endpoint', 'tlsSni'],
  ['distributionId', 'distributionId'],
  ['clientCertificate.certificates.leaf.subject', 'clientLeafCertSubject'],
  ['clientCertificate.certificates.leaf.issuer', 'clientLeafCertIssuer'],
  ['clientCertificate.certificates.leaf.serialNumber', 'clientLeafCertSerialNumber'],
  ['clientCertificate.certificates.leaf.validity', 'clientLeafCertValidity'],
] as const satisfies readonly (readonly [string, keyof ConnectionLogRecord])[];

/** FROM_LOG with each field's place worked out once: whether it is in the leaf, and its own name. */
const FILLS = FROM_LOG.map(([field, logField]) => ({ field, logField, inLeaf: field.startsWith('clientCertificate.'), name: field.split('.').at(-1)! }));

/** The decision a record says the function took: Success = allow; the function's own failure codes; else none. */
export type LoggedDecision = 'allow' | 'deny' | 'error';

export type RebuiltConnection =
  | {
    replayable: true;
    connection: Partial<ConnectionObject>;
    /** Object fields this record could have filled but lacks (beyond FIELDS_NO_LOG_CARRIES). */
    missing: string[];
    /** What the function decided when the connection happened. */
    logged: LoggedDecision;
    /** The time of the handshake, when the record has it. */
    at?: Date;
  }
  | { replayable: false; reason: string };

/** Failure codes of handshakes that reached the connection function: the others ended before it ran. */
const FUNCTION_RAN: Record<string, LoggedDecision> = { Success: 'allow', 'Failed:ConnectionFunctionDenied': 'deny', 'Failed:ConnectionFunctionError': 'error' };

/** `NotBefore=...;NotAfter=...` as the connection object's validity, or undefined when it is not that form. */
function validityOf(text: string): { notBefore: string; notAfter: string } | undefined {
  const m = /^NotBefore=([^;]+);NotAfter=([^;]+)$/.exec(text.trim());
  return m ? { notBefore: m[1], notAfter: m[2] } : undefined;
}

/**
 * Rebuilds a record's connection object. Not replayable: a handshake that never reached the function (its status
 * names a failure before it, e.g. ClientCertUntrusted), an unknown status, or no status at all (whether the function
 * ran cannot be told).
 */
export function connectionFromLogRecord(record: ConnectionLogRecord): RebuiltConnection {
  const status = record.connectionStatus;
  if (status === undefined) return { replayable: false, reason: 'no connectionStatus (whether the function ran is unknown)' };
  // Own keys only: a status spelled `constructor` or `__proto__` must not find Object.prototype's members.
  const logged = Object.hasOwn(FUNCTION_RAN, status) ? FUNCTION_RAN[status] : undefined;
  if (!logged) {
    const reason = status.startsWith('Failed:') ? status.slice('Failed:'.length) : '';
    return { replayable: false, reason: (CONNECTION_FAILURE_REASONS as readonly string[]).includes(reason) ? `${status} (the function was not run)` : `unknown connectionStatus` };
  }
  const connection: Record<string, unknown> = {};
  const missing: string[] = [];
  const hasCert = record.clientLeafCertSerialNumber !== undefined || record.clientLeafCertSubject !== undefined || record.clientLeafCertIssuer !== undefined;
  let leaf: Record<string, unknown> | undefined;
  if (hasCert) {
    leaf = {};
    connection.clientCertificate = { certificates: { leaf } };
  } else {
    // A passthrough connection without a certificate, or a delivery without the certificate fields: either way the
    // connection is replayed as one without a certificate, and the record says it lacked them.
    missing.push('clientCertificate');
  }
  for (const { field, logField, inLeaf, name } of FILLS) {
    const value = record[logField];
    if (inLeaf && !leaf) continue;
    const parsed = name === 'validity' && typeof value === 'string' ? validityOf(value) : value;
    if (parsed === undefined) {
      missing.push(field);
      continue;
    }
    (inLeaf ? leaf! : connection)[name] = parsed;
  }
  const at = record.eventTimestamp !== undefined ? new Date(record.eventTimestamp) : undefined;
  return {
    replayable: true, connection: connection as Partial<ConnectionObject>, missing, logged,
    ...(at && !Number.isNaN(at.getTime()) ? { at } : {}),
  };
}
