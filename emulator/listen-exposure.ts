import { UserError } from '../diagnostics/user-error';
import { isLoopbackAddress } from './request-guard';

/** True when binding this address keeps the emulator reachable from this machine only. */
export function isLoopbackBind(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || isLoopbackAddress(h);
}

/**
 * Refuses a non-loopback bind unless the user asked for it: anyone who can reach the port can drive the emulator,
 * and it accepts any credentials.
 */
export function checkListenAddress(host: string, allowNonLoopback: boolean): void {
  if (!isLoopbackBind(host) && !allowNonLoopback) {
    throw new UserError(`emulator --host ${host}`,
      'listening on a non-loopback address exposes the emulator (which runs submitted code and accepts any credentials) to the network',
      'keep the default --host 127.0.0.1, or add --allow-non-loopback if you mean to expose it');
  }
}

/** What `--allow-non-loopback` exposes, in words, for the warning the CLI prints. */
export function exposureWarning(host: string, port: number): string {
  return `WARNING: listening on ${host}:${port}, not only on loopback. The emulator checks no credentials or signatures: `
    + 'anyone who can reach this port can run code in TestConnectionFunction on this machine, read and rewrite every '
    + 'function, key value store, trust store and distribution (including the tags and evidence conngate records), '
    + 'and delete them.';
}
