import { GetTrustStoreCommand, ListTrustStoresCommand, type CloudFrontClient, type TrustStore } from '@aws-sdk/client-cloudfront';
import type { WaitOptions } from './function-stages';
import { isNotFound } from './function-stages';
import { printable } from '../../diagnostics/untrusted-text';
import { StepError } from './step-error';

/**
 * A distribution validates client certificates against its trust store, which CloudFront fills from the CA bundle
 * after every create or update (`pending`, then `active`, or `failed` with a `Reason`). Associating the connection
 * function while the store is not `active` would put the function in front of a handshake nothing validates, so
 * the association waits here, with a deadline, and is refused when the store failed.
 */
export async function waitForTrustStoreActive(cf: CloudFrontClient, trustStoreId: string, wait: WaitOptions = {}): Promise<TrustStore> {
  const timeoutMs = wait.timeoutMs ?? 5 * 60_000;
  const deadline = Date.now() + timeoutMs;
  const fix = 'upload a usable CA bundle under a new object version or key, point the stage config at it and deploy again (the function stays unassociated until then)';
  for (;;) {
    const t = (await cf.send(new GetTrustStoreCommand({ Identifier: trustStoreId }))).TrustStore;
    if (t?.Status === 'active') return t;
    if (t?.Status === 'failed') {
      throw new StepError('trust store', `trust store ${printable(t.Name ?? trustStoreId)} (${trustStoreId}) is failed: ${printable(t.Reason ?? 'no reason given')}; the function was not associated with the distribution`, fix);
    }
    if (Date.now() > deadline) {
      throw new StepError('trust store', `trust store ${printable(t?.Name ?? trustStoreId)} (${trustStoreId}) is still ${printable(t?.Status ?? 'without a status')} after ${Math.round(timeoutMs / 1000)} s; the function was not associated with the distribution`,
        're-run the deploy once `conngate status` shows the trust store active');
    }
    await new Promise((r) => setTimeout(r, wait.intervalMs ?? 1000));
  }
}

/** A stage's trust store as `status` shows it. */
export interface TrustStoreStatus {
  id: string;
  name: string;
  status: string;
  /** Why CloudFront could not use the bundle (only when `failed`). */
  reason?: string;
  numberOfCaCertificates?: number;
}

/**
 * The trust store named or identified by `ref` (the name the stack gives a store it creates, or the id of an
 * existing one), looked up in the list so either works; undefined when there is none.
 */
export async function readTrustStoreStatus(cf: CloudFrontClient, ref: string): Promise<TrustStoreStatus | undefined> {
  let marker: string | undefined;
  // Bounded: 20 stores per account is CloudFront's quota; a few pages at most even with a small page size.
  for (let page = 0; page < 50; page++) {
    let res;
    try {
      res = await cf.send(new ListTrustStoresCommand({ Marker: marker }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const t = (res.TrustStoreList ?? []).find((x) => x.Id === ref || x.Name === ref);
    if (t) {
      return { id: t.Id!, name: t.Name ?? '', status: t.Status ?? '', numberOfCaCertificates: t.NumberOfCaCertificates, ...(t.Reason ? { reason: t.Reason } : {}) };
    }
    marker = res.NextMarker;
    if (!marker) return undefined;
  }
  return undefined;
}
