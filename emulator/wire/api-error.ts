import { randomUUID } from 'node:crypto';
import type { WireProtocol, WireResponse } from './wire-types';

/**
 * A service error as the real API returns it. The CloudFront control plane answers with an XML `ErrorResponse`
 * (Type, Code, Message); the KeyValueStore data plane with REST-JSON (`x-amzn-ErrorType` header and a `message`).
 * The SDK maps `code` to its modeled exception class (PreconditionFailed, ConflictException, ...).
 */
export class ApiError extends Error {
  constructor(readonly code: string, readonly status: number, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Messages echo what the client sent; XML 1.0 cannot carry most control characters even escaped, so they are dropped. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/**
 * The error format of a part of the emulator: the control plane's XML `ErrorResponse`, the data plane's REST-JSON,
 * or S3's XML `Error` (for the S3 subset under `/s3/`).
 */
export type ErrorShape = WireProtocol | 's3-xml';

/** Which API a path belongs to, so that even a request refused before routing gets that API's error format. */
export function errorShapeOfPath(path: string): ErrorShape {
  if (path === '/s3' || path.startsWith('/s3/')) return 's3-xml';
  return path.startsWith('/key-value-stores') ? 'rest-json' : 'rest-xml';
}

/**
 * The errors the emulator raises on its own account rather than as an operation's modeled answer, each named and
 * numbered as each API does, and only for the APIs that can raise it: the HTTP front end's refusals (forbidden,
 * malformed, too large, busy) and the injected faults and internal failures of the CloudFront APIs (throttled,
 * internal). The S3 subset reads its own bodies, so its too-large and busy answers come from its handler.
 */
const SERVICE_ERRORS = {
  forbidden: { 'rest-xml': ['AccessDenied', 403], 'rest-json': ['AccessDeniedException', 403], 's3-xml': ['AccessDenied', 403] },
  // S3 sees only malformed request targets here (its bodies are its own), which S3 calls InvalidURI.
  malformed: { 'rest-xml': ['InvalidArgument', 400], 'rest-json': ['ValidationException', 400], 's3-xml': ['InvalidURI', 400] },
  'too-large': { 'rest-xml': ['EntitySizeLimitExceeded', 413], 'rest-json': ['EntitySizeLimitExceeded', 413], 's3-xml': ['EntityTooLarge', 400] },
  // Retryable: the SDK's retry strategy retries these codes and statuses.
  busy: { 'rest-xml': ['ServiceUnavailable', 503], 'rest-json': ['InternalServerException', 500], 's3-xml': ['SlowDown', 503] },
  throttled: { 'rest-xml': ['Throttling', 400], 'rest-json': ['ThrottlingException', 429] },
  internal: { 'rest-xml': ['InternalError', 500], 'rest-json': ['InternalServerException', 500] },
} as const satisfies Record<string, Partial<Record<ErrorShape, readonly [string, number]>>>;

export type ServiceErrorKind = keyof typeof SERVICE_ERRORS;

/** The error of `kind` as the API of `shape` words it. */
export function serviceError<K extends ServiceErrorKind>(kind: K, shape: keyof (typeof SERVICE_ERRORS)[K] & ErrorShape, message: string): ApiError {
  const [code, status] = (SERVICE_ERRORS[kind] as Partial<Record<ErrorShape, readonly [string, number]>>)[shape]!;
  return new ApiError(code, status, message);
}

/** Encodes an error for the protocol of the operation (or of the path, when no operation matched). */
export function writeError(protocol: ErrorShape, err: ApiError): WireResponse {
  const requestId = randomUUID();
  if (protocol === 's3-xml') {
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n'
      + `<Error><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message>`
      + `<RequestId>${requestId}</RequestId></Error>`;
    return { status: err.status, headers: { 'Content-Type': 'application/xml', 'x-amz-request-id': requestId }, body: Buffer.from(xml) };
  }
  if (protocol === 'rest-xml') {
    const type = err.status >= 500 ? 'Receiver' : 'Sender';
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n'
      + '<ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
      + `<Error><Type>${type}</Type><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error>`
      + `<RequestId>${requestId}</RequestId></ErrorResponse>`;
    return { status: err.status, headers: { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId }, body: Buffer.from(xml) };
  }
  return {
    status: err.status,
    headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': err.code, 'x-amzn-RequestId': requestId },
    body: Buffer.from(JSON.stringify({ message: err.message })),
  };
}
