import type { X509Certificate } from 'node:crypto';
import type { ConnectionFailureReason } from '../connection-logs/connection-log-record';
import { backendOver } from '../emulator/connection-test';
import { compileConnectionFunction } from '../runtime/index';
import { buildConnectionObject, type ConnectionCertificate, type ConnectionObject } from '../runtime/payload';
import type { OcspStatus } from '../runtime/ocsp-outcome';
import { linkedIntermediates, validateClientChain } from './client-chain';
import type { EdgeDistribution } from './edge-distribution';
import { checkOcsp, ocspResponderOf, type OcspAnswer, type OcspLimits } from './ocsp-check';

/** What the edge knows of a connection besides its certificates. */
export interface ConnectionFacts { connectionId: string; clientIp: string; now: Date }

/** How one mTLS connection ended: its failure reason (none = allowed), and what the log and the origin are told. */
export interface ConnectionDecision {
  reason?: ConnectionFailureReason;
  /** Why, in words (for the edge's own diagnostics; CloudFront's log has only the reason code). */
  detail: string;
  /** The leaf as the connection object describes it, when the client presented one that parses. */
  leaf?: { described: ConnectionCertificate; cert: X509Certificate };
  /** The object the function got; undefined when the function did not run. */
  connection?: ConnectionObject;
  functionRan: boolean;
  customData?: string;
}

function pemBundle(certs: X509Certificate[]): string {
  return certs.map((c) => c.toString()).join('\n');
}

/** The leaf's fields even when its chain will not validate: the connection log records who knocked. */
function describeLeaf(cert: X509Certificate, facts: ConnectionFacts): ConnectionDecision['leaf'] {
  try {
    return { described: buildConnectionObject(cert.raw, { connectionId: facts.connectionId }).clientCertificate!.certificates.leaf, cert };
  } catch {
    return undefined;
  }
}

/** OCSP of the leaf and of each intermediate against its issuer; a certificate without a responder URL is Unknown (our choice). */
async function revocation(chain: X509Certificate[], anchor: X509Certificate, now: Date, limits?: OcspLimits) {
  const answers: OcspAnswer[] = await Promise.all(chain.map((c, i) => {
    const url = ocspResponderOf(c);
    return url ? checkOcsp(c, chain[i + 1] ?? anchor, url, now, limits) : Promise.resolve({ status: 'Unknown' as OcspStatus });
  }));
  return { leaf: answers[0].status, errorType: answers[0].errorType, intermediates: answers.slice(1).map((a) => a.status) };
}

/**
 * Decides one connection as CloudFront does, in its order: certificate presence per mode, trust-store validation
 * (required and optional modes), OCSP when the trust store asks for it, then the distribution's LIVE connection
 * function in the sandbox with the LIVE store, given the connection object `conngate payload` would build from
 * the same certificates. Never rejects: anything unexpected is `Internal`.
 */
export async function decideConnection(dist: EdgeDistribution & { mode: NonNullable<EdgeDistribution['mode']> }, sent: X509Certificate[],
  facts: ConnectionFacts, ocspLimits?: OcspLimits): Promise<ConnectionDecision> {
  try {
    return await decide(dist, sent, facts, ocspLimits);
  } catch (err) {
    return { reason: 'Internal', detail: `the edge failed: ${(err as Error).message}`, functionRan: false };
  }
}

async function decide(dist: EdgeDistribution & { mode: NonNullable<EdgeDistribution['mode']> }, sent: X509Certificate[],
  facts: ConnectionFacts, ocspLimits?: OcspLimits): Promise<ConnectionDecision> {
  const base = { connectionId: facts.connectionId, clientIp: facts.clientIp, endpoint: dist.domainName, distributionId: dist.id };
  const leafCert = sent[0];
  // The leaf's fields for the log of a refused connection (built only then: the connection object has them otherwise).
  const refusedLeaf = () => leafCert && describeLeaf(leafCert, facts);
  let connection: ConnectionObject;
  if (!leafCert) {
    if (dist.mode === 'required') return { reason: 'ClientCertMissing', detail: 'no client certificate in required mode', functionRan: false };
    // Optional mode runs functions only for clients that present a certificate (AWS); passthrough runs them always.
    if (dist.mode === 'optional' || !dist.liveFunction) return { detail: 'no client certificate; allowed', functionRan: false };
    connection = { ...base };
  } else if (dist.mode === 'passthrough') {
    const intermediates = linkedIntermediates(leafCert, sent.slice(1));
    connection = buildConnectionObject(leafCert.raw, { ...base, ...(intermediates.length ? { chain: pemBundle(intermediates) } : {}) });
  } else {
    if (!dist.trustStore) return { reason: 'ClientCertUntrusted', detail: dist.trustStoreProblem ?? 'no trust store', leaf: refusedLeaf(), functionRan: false };
    const verdict = validateClientChain(sent, dist.trustStore, facts.now);
    if (!verdict.ok) return { reason: verdict.reason, detail: verdict.detail, leaf: refusedLeaf(), functionRan: false };
    const { intermediates, anchor } = verdict.chain;
    let ocsp;
    if (dist.trustStore.useOcsp) {
      // With OCSP on, a certificate without a responder URL never reaches the function (AWS); the reason code is ours.
      if (!ocspResponderOf(leafCert)) return { reason: 'ClientCertRejected', detail: 'OCSP is on and the certificate has no OCSP responder URL', leaf: refusedLeaf(), functionRan: false };
      ocsp = await revocation([leafCert, ...intermediates], anchor, facts.now, ocspLimits);
    }
    connection = buildConnectionObject(leafCert.raw, { ...base, ...(intermediates.length ? { chain: pemBundle(intermediates) } : {}), ...(ocsp ? { ocsp } : {}) });
  }
  const described = connection.clientCertificate?.certificates.leaf;
  const leaf = described && leafCert ? { described, cert: leafCert } : undefined;
  if (!dist.liveFunction) return { detail: 'no connection function; allowed', leaf, functionRan: false };
  const fn = dist.liveFunction;
  let result;
  try {
    const compiled = compileConnectionFunction(fn.code, `connection function ${fn.name} (LIVE)`);
    result = await compiled.run(connection, { kvs: fn.store ? backendOver(fn.store) : undefined, now: facts.now });
  } catch (err) {
    return { reason: 'ConnectionFunctionError', detail: (err as Error).message, leaf, connection, functionRan: true };
  }
  // INFERRED: several logCustomData calls are kept in order, joined (the runtime already caps them at 800 bytes in all).
  const customData = result.customData.length ? result.customData.join('') : undefined;
  const common = { leaf, connection, functionRan: true, customData };
  if (result.decision === 'allow') return { ...common, detail: 'the connection function allowed' };
  if (result.decision === 'deny') return { ...common, reason: 'ConnectionFunctionDenied', detail: 'the connection function denied' };
  return { ...common, reason: 'ConnectionFunctionError', detail: result.errorMessage ?? 'the connection function failed' };
}
