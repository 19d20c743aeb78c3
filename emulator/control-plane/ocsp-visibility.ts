import type { HandlerContext } from '../handler-context';
import { distributionsUsingFunction } from './distributions';

type Json = Record<string, any>;

/**
 * What the function sees of `clientCertificate.revocationStatus`: CloudFront fills it only when the distribution's
 * trust store has UseClientCertificateOCSPEndpoint on. For a function associated with distributions none of which
 * has OCSP on, the emulator removes a revocationStatus the caller put in the test object, so a suite cannot pass
 * on OCSP results production will never deliver. An unassociated function (tested before its first association)
 * gets the object as sent: which distribution it will serve is not known yet.
 */
export function connectionAsSeenBy(ctx: HandlerContext, functionId: string, connection: unknown): unknown {
  const cert = (connection as Json | null)?.clientCertificate as Json | undefined;
  if (!cert || typeof cert !== 'object' || !('revocationStatus' in cert)) return connection;
  const distributions = distributionsUsingFunction(ctx, functionId);
  if (distributions.length === 0) return connection;
  const ocspOn = distributions.some((d) => {
    const tsId = (d.config as Json).ViewerMtlsConfig?.TrustStoreConfig?.TrustStoreId as string | undefined;
    return tsId !== undefined && ctx.state.trustStores.get(tsId)?.useClientCertificateOcspEndpoint === true;
  });
  if (ocspOn) return connection;
  const { revocationStatus: _dropped, ...rest } = cert;
  return { ...(connection as Json), clientCertificate: rest };
}
