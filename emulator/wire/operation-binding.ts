import { NormalizedSchema } from '@smithy/core/schema';
import { JsonCodec, XmlShapeDeserializer, XmlShapeSerializer } from '@aws-sdk/core/protocols';
import { ApiError } from './api-error';

/**
 * The emulator speaks the wire format the AWS SDK expects by reading the same Smithy schemas the SDK clients are
 * generated from (the approach LocalStack takes with botocore's specs): the SDK exports one schema per operation
 * (`CreateConnectionFunction$`), holding its HTTP method, path, status code, and the shapes of input and output
 * with their header, label, query and payload bindings and XML element names.
 */
export type { WireProtocol, WireResponse } from './wire-types';
import type { WireProtocol, WireResponse } from './wire-types';

/** The XML namespace CloudFront puts on every response document. */
export const CLOUDFRONT_XML_NAMESPACE = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';

/** An SDK operation schema: `[9, namespace, name, { http: [method, path, code] }, input, output]`. */
export type OperationSchemaTuple = readonly unknown[];

export interface OperationBinding {
  readonly name: string;
  readonly protocol: WireProtocol;
  readonly method: string;
  /** Path segments; `{Label}` marks a label. */
  readonly pathSegments: readonly string[];
  /** Query parameters that are part of the route itself (`?Operation=Tag`, `?WithTags`). */
  readonly routeQuery: Readonly<Record<string, string>>;
  readonly successCode: number;
  readonly input: NormalizedSchema;
  readonly output: NormalizedSchema;
}

/** Reads an SDK operation schema into the routing and binding facts the server needs. */
export function bindOperation(schema: OperationSchemaTuple, protocol: WireProtocol): OperationBinding {
  const name = String(schema[2]);
  const traits = schema[3] as { http?: [string, string, number] };
  if (!traits?.http) throw new Error(`operation ${name} has no http trait`);
  const [method, uri, successCode] = traits.http;
  const [path, query = ''] = uri.split('?');
  const routeQuery: Record<string, string> = {};
  for (const part of query.split('&').filter(Boolean)) {
    const [k, v = ''] = part.split('=');
    routeQuery[k] = v;
  }
  return {
    name,
    protocol,
    method,
    pathSegments: path.split('/').filter(Boolean),
    routeQuery,
    successCode,
    input: NormalizedSchema.of(schema[4] as never),
    output: NormalizedSchema.of(schema[5] as never),
  };
}

/** Matches a request against a binding; returns the decoded path labels, or undefined when it does not match. */
export function matchRoute(b: OperationBinding, method: string, segments: string[], query: URLSearchParams):
  Record<string, string> | undefined {
  if (method !== b.method || segments.length !== b.pathSegments.length) return undefined;
  const labels: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const want = b.pathSegments[i];
    if (want.startsWith('{') && want.endsWith('}')) {
      labels[want.slice(1, -1).replace(/\+$/, '')] = decodeURIComponent(segments[i]);
    } else if (want !== segments[i]) {
      return undefined;
    }
  }
  for (const [k, v] of Object.entries(b.routeQuery)) {
    if (!query.has(k) || (v !== '' && query.get(k) !== v)) return undefined;
  }
  return labels;
}

function scalarFrom(member: NormalizedSchema, raw: string, where: string): unknown {
  if (member.isNumericSchema()) {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new ApiError('InvalidArgument', 400, `${where} must be a number, got "${raw}"`);
    return n;
  }
  if (member.isBooleanSchema()) return raw === 'true';
  if (member.isTimestampSchema()) return new Date(raw);
  return raw;
}

function xmlSettings() {
  return {
    timestampFormat: { useTrait: true, default: 5 as const },
    httpBindings: true,
    xmlNamespace: CLOUDFRONT_XML_NAMESPACE,
    serviceNamespace: 'com.amazonaws.cloudfront',
  };
}

function jsonCodec() {
  return new JsonCodec({ timestampFormat: { useTrait: true, default: 7 as const }, httpBindings: true, jsonName: true });
}

/**
 * Decodes a request into the operation's input object (the same object a caller passed to the SDK command):
 * labels, query and header members from the HTTP message, the rest from the body.
 */
export function readInput(b: OperationBinding, labels: Record<string, string>, query: URLSearchParams,
  headers: Record<string, string | string[] | undefined>, body: Buffer): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  let payloadMember: [string, NormalizedSchema] | undefined;
  let hasBodyMembers = false;
  for (const [name, member] of b.input.structIterator()) {
    const t = member.getMergedTraits();
    if (t.httpLabel) {
      if (labels[name] !== undefined) input[name] = labels[name];
    } else if (typeof t.httpQuery === 'string') {
      const v = query.get(t.httpQuery);
      if (v !== null) input[name] = scalarFrom(member, v, t.httpQuery);
    } else if (typeof t.httpHeader === 'string') {
      const v = headers[t.httpHeader.toLowerCase()];
      if (v !== undefined) input[name] = scalarFrom(member, Array.isArray(v) ? v.join(',') : v, t.httpHeader);
    } else if (t.httpPayload) {
      payloadMember = [name, member];
    } else {
      hasBodyMembers = true;
    }
  }
  if (body.length === 0) return input;
  try {
    if (payloadMember) {
      const [name, member] = payloadMember;
      if (member.isBlobSchema()) input[name] = new Uint8Array(body);
      else if (member.isStringSchema()) input[name] = body.toString('utf8');
      else input[name] = decodeDocument(b.protocol, member, body);
    } else if (hasBodyMembers) {
      const decoded = decodeDocument(b.protocol, b.input, body) as Record<string, unknown>;
      for (const [k, v] of Object.entries(decoded ?? {})) if (v !== undefined && input[k] === undefined) input[k] = v;
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(b.protocol === 'rest-xml' ? 'MalformedInput' : 'ValidationException', 400,
      `could not parse the request body of ${b.name}: ${(err as Error).message}`);
  }
  return input;
}

function decodeDocument(protocol: WireProtocol, schema: NormalizedSchema, body: Buffer): unknown {
  if (protocol === 'rest-xml') {
    return new XmlShapeDeserializer(xmlSettings()).read(schema, body.toString('utf8'));
  }
  const deserializer = jsonCodec().createDeserializer();
  return deserializer.readObject(schema, JSON.parse(body.toString('utf8')));
}

function encodeDocument(protocol: WireProtocol, schema: NormalizedSchema, value: unknown): Buffer {
  if (protocol === 'rest-xml') {
    const serializer = new XmlShapeSerializer(xmlSettings());
    serializer.write(schema, value);
    const out = serializer.flush();
    const text = typeof out === 'string' ? out : Buffer.from(out).toString('utf8');
    return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${text}`, 'utf8');
  }
  const serializer = jsonCodec().createSerializer();
  serializer.write(schema, value);
  const out = serializer.flush();
  return Buffer.from(typeof out === 'string' ? out : Buffer.from(out));
}

/** Encodes an operation's output object (the shape the SDK command resolves to) as the HTTP response. */
export function writeOutput(b: OperationBinding, output: Record<string, unknown>): WireResponse {
  const headers: Record<string, string> = {};
  const bodyValues: Record<string, unknown> = {};
  let payload: Buffer | undefined;
  let hasBodyMembers = false;
  if (!b.output.isUnitSchema()) {
    for (const [name, member] of b.output.structIterator()) {
      const t = member.getMergedTraits();
      const value = output[name];
      if (typeof t.httpHeader === 'string') {
        if (value !== undefined && value !== null) headers[t.httpHeader] = String(value);
      } else if (t.httpPayload) {
        if (value === undefined || value === null) continue;
        if (member.isBlobSchema()) payload = Buffer.from(value as Uint8Array);
        else if (member.isStringSchema()) payload = Buffer.from(String(value), 'utf8');
        else payload = encodeDocument(b.protocol, member, value);
      } else {
        hasBodyMembers = true;
        if (value !== undefined) bodyValues[name] = value;
      }
    }
  }
  if (!payload && hasBodyMembers) payload = encodeDocument(b.protocol, b.output, bodyValues);
  if (payload && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = b.protocol === 'rest-xml' ? 'text/xml' : 'application/json';
  }
  return { status: b.successCode, headers, body: payload ?? Buffer.alloc(0) };
}
