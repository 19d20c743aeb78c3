import * as cloudFrontModel from '@aws-sdk/client-cloudfront';
import * as kvsModel from '@aws-sdk/client-cloudfront-keyvaluestore';
import type { ConcurrentWriter, OperationHandler } from './handler-context';
import { bindOperation, type OperationBinding, type WireProtocol } from './wire/operation-binding';
import { connectionFunctionConcurrentWriters, connectionFunctionHandlers } from './control-plane/connection-functions';
import { distributionHandlers } from './control-plane/distributions';
import { keyValueStoreHandlers } from './control-plane/key-value-stores';
import { taggingHandlers } from './control-plane/tagging';
import { trustStoreHandlers } from './control-plane/trust-stores';
import { keyValueStoreDataConcurrentWriters, keyValueStoreDataHandlers } from './data-plane/key-value-store-data';

export interface Route {
  /** The operation's API name, e.g. UpdateKeys. */
  name: string;
  binding: OperationBinding;
  handler: OperationHandler;
  concurrentWriter?: ConcurrentWriter;
  /** The operation never changes state, so it may run alongside others (see RequestLock). */
  readOnly: boolean;
  /** The request body is an XML or JSON document, so it must be UTF-8 (false when the payload is raw bytes). */
  textBody: boolean;
  /** The operation runs submitted code in the sandbox (admitted a few at a time, see CodeRunAdmission). */
  runsCode: boolean;
}

/** Operations that are not GETs but change nothing: TestConnectionFunction only reads the function and its store, and
 * the two List operations CloudFront sends as POSTs carry their paging in the body. */
const READ_ONLY_POSTS = new Set(['TestConnectionFunction', 'ListConnectionFunctions', 'ListTrustStores']);

function hasBlobPayload(b: OperationBinding): boolean {
  for (const [, member] of b.input.structIterator()) {
    if (member.getMergedTraits().httpPayload && member.isBlobSchema()) return true;
  }
  return false;
}

function routesFor(model: Record<string, unknown>, protocol: WireProtocol, handlers: Record<string, OperationHandler>,
  writers: Record<string, ConcurrentWriter>): Route[] {
  return Object.entries(handlers).map(([name, handler]) => {
    const schema = model[`${name}$`];
    if (!Array.isArray(schema)) throw new Error(`the installed AWS SDK has no operation schema for ${name}`);
    const binding = bindOperation(schema, protocol);
    return {
      name, binding, handler, concurrentWriter: writers[name],
      readOnly: binding.method === 'GET' || binding.method === 'HEAD' || READ_ONLY_POSTS.has(name),
      textBody: !hasBlobPayload(binding),
      runsCode: name === 'TestConnectionFunction',
    };
  });
}

/** Every operation the emulator serves, bound to the wire format of the installed SDK clients. */
export function buildRoutes(): Route[] {
  return [
    ...routesFor(cloudFrontModel as unknown as Record<string, unknown>, 'rest-xml', {
      ...connectionFunctionHandlers, ...keyValueStoreHandlers, ...trustStoreHandlers, ...distributionHandlers,
      ...taggingHandlers,
    }, connectionFunctionConcurrentWriters),
    ...routesFor(kvsModel as unknown as Record<string, unknown>, 'rest-json', keyValueStoreDataHandlers,
      keyValueStoreDataConcurrentWriters),
  ];
}
