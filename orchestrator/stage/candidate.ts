import { createHash } from 'node:crypto';

/** A candidate is identified by the SHA-256 of its code bytes, so the same code has the same id everywhere. */
export function candidateSha256(code: Uint8Array | string): string {
  return createHash('sha256').update(code).digest('hex');
}

/** The short form used in terminal output and reports (like a git short hash). */
export function shortSha(sha: string | undefined): string {
  return sha ? sha.slice(0, 12) : '-';
}
