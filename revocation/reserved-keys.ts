/**
 * KeyValueStore keys that belong to conngate itself (CRL high-water marks, the stage lease, ...). They start with
 * `conngate:`, which no canonical serial can take (canonical serials are lowercase hex only), so the connection
 * function never reads one as a revoked serial, and the sync neither deletes nor counts them as serials.
 */
export const RESERVED_KEY_PREFIX = 'conngate:';

/** True for a key conngate keeps for itself (never a serial). */
export function isReservedKey(key: string): boolean {
  return key.startsWith(RESERVED_KEY_PREFIX);
}

/** The reserved key `conngate:<kind>:<name>` (name may be empty). */
export function reservedKey(kind: string, name = ''): string {
  if (!/^[a-z][a-z0-9-]*$/.test(kind)) throw new Error(`reserved key kind ${JSON.stringify(kind)} must be lowercase words`);
  return name === '' ? `${RESERVED_KEY_PREFIX}${kind}` : `${RESERVED_KEY_PREFIX}${kind}:${name}`;
}
