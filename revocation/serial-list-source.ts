/**
 * Plain serial lists: one serial per line in any common spelling ("00:9E:2A", "9e2a", "0x9E2A", "9E 2A",
 * "9e-2a", OpenSSL's "serial=9E2A" and `openssl crl -text`'s "Serial Number: 9E2A"). Blank lines and
 * '#' comments are skipped. Decimal serials are not accepted: "1234" is read as hex, like every other tool does.
 */
import { UserError } from '../diagnostics/user-error';
import { canonicalSerial } from './canonical-serial';
import { REVOKED_VALUE, RevokedSet } from './revoked-set';
import { readSourceFile } from './source-file';
import { printable } from '../diagnostics/untrusted-text';

const PREFIX = /^(?:serial\s*=|serial\s+number\s*:)\s*/i;

/** Parses a serial list; a bad line fails with `file:line` and the offending text. */
export function parseSerialList(text: string, where: string): RevokedSet {
  const entries = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/#.*$/, '').trim();
    if (line === '') continue;
    const key = canonicalSerial(line.replace(PREFIX, ''));
    if (!key) {
      const shown = printable(line.length > 60 ? `${line.slice(0, 60)}...` : line);
      throw new UserError(`${where}:${i + 1}`, `"${shown}" is not a certificate serial`,
        'write one hex serial per line (e.g. 00:9e:2a:af or 9E2AAF); use # for comments');
    }
    entries.set(key, REVOKED_VALUE);
  }
  return { entries, inputs: [`${where} (serial list, ${entries.size} serials)`] };
}

/** Reads and parses a serial list file. */
export function readSerialListFile(file: string): RevokedSet {
  return parseSerialList(readSourceFile(file, 'serial list', '--serials').toString('utf8'), file);
}
