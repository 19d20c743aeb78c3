import { UserError } from '../diagnostics/user-error';

/**
 * A key that names its content: a hex digest of 40+ characters (SHA-1, SHA-256, ...) or `sha256-<base64url>`.
 * Uploading a new bundle under such a key gives a new key, so the trust store resource changes.
 */
const CONTENT_DERIVED_KEY = /(^|[^0-9a-f])[0-9a-f]{40,}($|[^0-9a-f])|sha256[-_=][A-Za-z0-9_-]{43}/i;

/** True when `key` carries a content digest (see CONTENT_DERIVED_KEY). */
export function isContentDerivedKey(key: string): boolean {
  return CONTENT_DERIVED_KEY.test(key);
}

/**
 * Refuses a CA bundle location that cannot rotate. CloudFront reads a trust store's S3 bundle once, at creation:
 * overwriting the object changes nothing, and Terraform sees no change either. Only a new object `version` (or a
 * new content-derived key) changes the resource, so one of the two must be part of the location.
 */
export function checkCaBundleRotates(location: { key: string; version?: string }, where: string): void {
  if (location.version || isContentDerivedKey(location.key)) return;
  throw new UserError(where, `CA bundle s3 key "${location.key}" has no object version: CloudFront reads the bundle once, so a new bundle uploaded there would never be used`,
    'set the S3 object version of the bundle (caBundle.version; `aws s3api put-object` prints VersionId) or put its SHA-256 in the key, e.g. ca-bundle-<sha256>.pem');
}
