import { randomUUID } from 'node:crypto';
import type { WireProtocol, WireResponse } from './operation-binding';

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

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** Encodes an error for the protocol of the operation (or of the path, when no operation matched). */
export function writeError(protocol: WireProtocol, err: ApiError): WireResponse {
  const requestId = randomUUID();
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
