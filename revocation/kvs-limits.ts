/**
 * CloudFront KeyValueStore limits (CLOUDFRONT-FACTS.md), checked before any write so a source that cannot fit
 * stops the sync with nothing changed instead of failing half way.
 */
import { UserError } from '../diagnostics/user-error';

export const KVS_LIMITS = {
  maxKeyBytes: 512,
  maxValueBytes: 1024,
  /** total of key and value bytes over the whole store */
  maxStoreBytes: 5 * 1024 * 1024,
  maxKeysPerUpdate: 50,
  maxBytesPerUpdate: 3 * 1024 * 1024,
} as const;

/** Bytes a key/value pair counts towards the store size (UTF-8 key plus value). */
export function entryBytes(key: string, value: string): number {
  return Buffer.byteLength(key, 'utf8') + Buffer.byteLength(value, 'utf8');
}

/** Checks every entry's key and value size and the total size of the store the sync would leave. */
export function checkStoreFits(finalEntries: Map<string, string>, where: string): number {
  let total = 0;
  for (const [key, value] of finalEntries) {
    if (Buffer.byteLength(key, 'utf8') > KVS_LIMITS.maxKeyBytes) {
      throw new UserError(where, `serial ${key.slice(0, 40)}... is ${Buffer.byteLength(key)} bytes as a key, over the KeyValueStore limit of ${KVS_LIMITS.maxKeyBytes}`,
        'remove that entry from the source; X.509 serials are at most 20 bytes');
    }
    if (Buffer.byteLength(value, 'utf8') > KVS_LIMITS.maxValueBytes) {
      throw new UserError(where, `value of key ${key} is ${Buffer.byteLength(value)} bytes, over the KeyValueStore limit of ${KVS_LIMITS.maxValueBytes}`,
        'shorten the value');
    }
    total += entryBytes(key, value);
  }
  if (total > KVS_LIMITS.maxStoreBytes) {
    throw new UserError(where, `the store would hold ${finalEntries.size} keys totalling ${total} bytes, over the KeyValueStore limit of ${KVS_LIMITS.maxStoreBytes} bytes`,
      'drop serials of expired certificates from the source, or split issuers across stores');
  }
  return total;
}
