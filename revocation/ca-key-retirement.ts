/**
 * Retiring a CA key (`conngate revocations retire-ca`): after a re-key, the old key's CRL marks keep the store
 * applying its CRL (a run without it is refused as a CRL left out) until the operator says the key is done. This
 * turns that key's marks into tombstones in one If-Match write; the next sync then no longer needs the old CRL,
 * deletes the serials only it revoked (under the usual delete-share limit), and refuses a CRL of that key.
 */
import { CloudFrontKeyValueStoreClient, UpdateKeysCommand } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { UserError } from '../diagnostics/user-error';
import { printable } from '../diagnostics/untrusted-text';
import { retireMarks, shortKey, storedMarks } from './crl-mark';
import { advanceSnapshot } from './store-snapshot';
import { readStore, serviceError } from './sync';

export interface RetireResult {
  /** mark keys turned into tombstones */
  retired: string[];
  etag: string;
}

/** The form a CA key is named in: SHA-256 of its SubjectPublicKeyInfo, 64 hex characters (colons allowed). */
export function parseCaKey(raw: string, where: string): string {
  const key = raw.trim().toLowerCase().replace(/^sha256:/, '').replace(/:/g, '');
  if (!/^[0-9a-f]{64}$/.test(key)) {
    throw new UserError(where, `"${printable(raw)}" is not a CA key digest`,
      'pass the SHA-256 of the CA certificate\'s public key, 64 hex characters, as `revocations check --json` shows it (marks[].caKey), or: ' +
      'openssl x509 -in ca.pem -pubkey -noout | openssl pkey -pubin -outform DER | openssl dgst -sha256');
  }
  return key;
}

export async function retireCaKey(opts: { client: CloudFrontKeyValueStoreClient; kvsArn: string; caKey: string; snapshotDir?: string; now?: Date }): Promise<RetireResult> {
  const { client, kvsArn, caKey } = opts;
  const known = await readStore(client, kvsArn, undefined, () => undefined);
  const puts = retireMarks(known.entries, caKey, opts.now ?? new Date());
  if (!puts) {
    const live = [...new Set(storedMarks(known.entries).filter((e) => e.stored?.caKey && !e.stored.retired).map((e) => `${shortKey(e.stored!.caKey)} ("${e.stored!.issuer}")`))];
    throw new UserError(`sha256:${caKey}`, `the store holds no live CRL mark of this CA key${live.length ? `; it holds marks of ${live.join(', ')}` : ''}`,
      'check the key with `revocations check --json` (marks[].caKey)');
  }
  let etag: string | undefined;
  try {
    etag = (await client.send(new UpdateKeysCommand({ KvsARN: kvsArn, IfMatch: known.etag, Puts: puts.map((p) => ({ Key: p.key, Value: p.value })) }))).ETag;
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 409 || status === 412 || (e as { name?: string }).name === 'ConflictException') {
      throw new UserError(kvsArn, 'the store changed while the key was being retired; nothing was written', 'run retire-ca again', 1);
    }
    throw serviceError(e, 'UpdateKeys', kvsArn);
  }
  if (!etag) throw new UserError(kvsArn, 'UpdateKeys answered without an ETag', 'check --endpoint / CONNGATE_ENDPOINT', 1);
  // Keeps a current sync snapshot current (reserved keys only), so the next sync needs no listing.
  if (opts.snapshotDir) advanceSnapshot(opts.snapshotDir, kvsArn, known.etag, etag, { puts, deletes: [] });
  return { retired: puts.map((p) => p.key), etag };
}
