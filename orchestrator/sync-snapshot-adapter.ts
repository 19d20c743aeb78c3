import * as snapshots from '../revocation/store-snapshot';

type AdvanceSnapshot = (snapshotDir: string, kvsArn: string, fromEtag: string, toEtag: string,
  change: { puts: { key: string; value: string }[]; deletes: string[] }) => void;

/**
 * Tells the revocation sync's local snapshot about a write conngate made to its own reserved keys, so the next
 * sync still trusts its snapshot instead of listing the whole store. Looked up at run time: where the revocation
 * module does not offer `advanceSnapshot`, the sync simply lists the store once (slower, never wrong).
 */
export function advanceSyncSnapshot(...args: Parameters<AdvanceSnapshot>): void {
  const advance = (snapshots as unknown as { advanceSnapshot?: AdvanceSnapshot }).advanceSnapshot;
  if (typeof advance === 'function') advance(...args);
}
