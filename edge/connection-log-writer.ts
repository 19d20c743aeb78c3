import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONNECTION_LOG_FIELDS, type ConnectionLogRecord } from '../connection-logs/connection-log-record';

/** The file of handshakes that matched no distribution (unknown SNI, bytes that were not TLS). */
export const UNMATCHED_LOG = 'unmatched.jsonl';

/**
 * Writes connection-log records as JSON lines, one file per distribution (`<distributionId>.jsonl`), fields in
 * the documented order and absent fields left out (as a delivery that did not choose them). Each record is one
 * synchronous append, so a reader never sees half a line and a crash loses at most the record being written.
 */
export class ConnectionLogWriter {
  private readonly fds = new Map<string, number>();
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  fileFor(distributionId: string | undefined): string {
    return path.join(this.dir, distributionId && /^[A-Z0-9]+$/.test(distributionId) ? `${distributionId}.jsonl` : UNMATCHED_LOG);
  }

  write(record: ConnectionLogRecord): void {
    const ordered: Record<string, unknown> = {};
    for (const f of CONNECTION_LOG_FIELDS) if (record[f] !== undefined) ordered[f] = record[f];
    const file = this.fileFor(record.distributionId);
    let fd = this.fds.get(file);
    if (fd === undefined) {
      fd = fs.openSync(file, 'a', 0o600);
      this.fds.set(file, fd);
    }
    fs.writeSync(fd, `${JSON.stringify(ordered)}\n`);
  }

  close(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
  }
}
