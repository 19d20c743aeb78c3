import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header HCP Terraform signs run task requests in: hex HMAC-SHA512 of the raw request body. */
export const SIGNATURE_HEADER = 'x-tfc-task-signature';

export function signBody(key: string, rawBody: Buffer): string {
  return createHmac('sha512', key).update(rawBody).digest('hex');
}

/**
 * Whether `header` is the HMAC-SHA512 of exactly these bytes under `key`. Compared in constant time over equal-length
 * buffers, so the answer's timing says nothing about how much of a forged signature matched.
 */
export function signatureValid(key: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header || !/^[0-9a-fA-F]{128}$/.test(header)) return false;
  const expected = Buffer.from(signBody(key, rawBody), 'hex');
  return timingSafeEqual(expected, Buffer.from(header, 'hex'));
}
