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
  binding: OperationBinding;
  handler: OperationHandler;
  concurrentWriter?: ConcurrentWriter;
}

function routesFor(model: Record<string, unknown>, protocol: WireProtocol, handlers: Record<string, OperationHandler>,
  writers: Record<string, ConcurrentWriter>): Route[] {
  return Object.entries(handlers).map(([name, handler]) => {
    const schema = model[`${name}$`];
    if (!Array.isArray(schema)) throw new Error(`the installed AWS SDK has no operation schema for ${name}`);
    return { binding: bindOperation(schema, protocol), handler, concurrentWriter: writers[name] };
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
