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

/** Errors the HTTP front end raises before an operation runs, named as each API names them. */
export type FrontEndError = 'forbidden' | 'malformed' | 'too-large' | 'busy';

const FRONT_END_CODES: Record<FrontEndError, { status: number } & Record<ErrorShape, string>> = {
  forbidden: { status: 403, 'rest-xml': 'AccessDenied', 'rest-json': 'AccessDeniedException', 's3-xml': 'AccessDenied' },
  // S3 sees only malformed request targets here (its bodies are its own), which S3 calls InvalidURI.
  malformed: { status: 400, 'rest-xml': 'InvalidArgument', 'rest-json': 'ValidationException', 's3-xml': 'InvalidURI' },
  'too-large': { status: 413, 'rest-xml': 'EntitySizeLimitExceeded', 'rest-json': 'EntitySizeLimitExceeded', 's3-xml': 'EntityTooLarge' },
  busy: { status: 503, 'rest-xml': 'ServiceUnavailable', 'rest-json': 'InternalServerException', 's3-xml': 'SlowDown' },
};

export function frontEndError(kind: FrontEndError, shape: ErrorShape, message: string): ApiError {
  const c = FRONT_END_CODES[kind];
  return new ApiError(c[shape], kind === 'busy' && shape === 'rest-json' ? 500 : c.status, message);
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
