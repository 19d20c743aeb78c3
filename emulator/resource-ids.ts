import { randomBytes, randomUUID } from 'node:crypto';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomFrom(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i] % alphabet.length];
  return out;
}

/** Identifiers in the shapes the real service hands out (documented examples), so that code parsing them is exercised. */
export const resourceIds = {
  connectionFunction: () => `cf_${randomFrom(BASE62, 27)}`,
  keyValueStore: () => randomUUID(),
  trustStore: () => `ts_${randomFrom(BASE62, 27)}`,
  distribution: () => `E${randomFrom(UPPER, 13)}`,
  distributionDomain: () => `d${randomFrom(LOWER, 13)}.cloudfront.net`,
  /** CloudFront control-plane ETags look like `E2QWRUHAPOMQZL`. */
  etag: () => `E${randomFrom(UPPER, 13)}`,
  /** KeyValueStore data-plane ETags look like `KV1F83G8C2ARO7P`. */
  dataEtag: () => `KV${randomFrom(UPPER, 13)}`,
};
