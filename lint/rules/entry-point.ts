import { findHandler } from '../ast-helpers';
import type { SourceFile } from '../source-file';

/**
 * entry-point: CloudFront calls a global `function connectionHandler(connection)`. An HTTP CloudFront Function's
 * `handler(event)` in its place is the commonest mix-up, and would never run on a TLS connection.
 */
export function checkEntryPoint(src: SourceFile): void {
  const handler = findHandler(src.program);
  const httpHandler = src.program.body.find((s: any) => s.type === 'FunctionDeclaration' && s.id?.name === 'handler');
  if (!handler) {
    if (httpHandler) {
      src.report(httpHandler, 'error', 'entry-point',
        'handler(event) is the entry point of a viewer request/response function; a connection function declares function connectionHandler(connection)');
    } else {
      src.report({ start: 0 }, 'error', 'entry-point', 'no top-level function connectionHandler(connection): CloudFront has nothing to call');
    }
    return;
  }
  if (handler.params.length === 0) {
    src.report(handler, 'error', 'entry-point', 'connectionHandler takes the connection object as its parameter: function connectionHandler(connection)');
  } else if (handler.params[0].type !== 'Identifier') {
    src.report(handler.params[0], 'warning', 'entry-point', 'destructuring the connection parameter loses allow()/deny(): take it whole, connectionHandler(connection)');
  }
  if (handler.generator) src.report(handler, 'error', 'entry-point', 'connectionHandler cannot be a generator');
}
