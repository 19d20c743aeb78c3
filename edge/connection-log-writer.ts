import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONNECTION_LOG_FIELDS, type ConnectionLogRecord } from '../connection-logs/connection-log-record';
import { makeFolder } from '../host/make-folder';

/** The file of handshakes that matched no distribution (unknown SNI, bytes that were not TLS). */
export const UNMATCHED_LOG = 'unmatched.jsonl';

/**
 * The most one log file grows to (256 MiB, about a million handshakes). The edge answers any loopback client, so a
 * flood of handshakes (or a page fetching the port) must not fill the disk: past it, records are dropped and counted
 * (the edge's logWriteFailures), and the files stay valid JSON lines.
 */
export const MAX_LOG_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Writes connection-log records as JSON lines, one file per distribution (`<distributionId>.jsonl`), fields in
 * the documented order and absent fields left out (as a delivery that did not choose them). Each record is one
 * synchronous append, so a reader never sees half a line and a crash loses at most the record being written.
 */
export class ConnectionLogWriter {
  private readonly fds = new Map<string, { fd: number; bytes: number }>();
  constructor(readonly dir: string, private readonly maxFileBytes = MAX_LOG_FILE_BYTES) {
    makeFolder(dir);
  }

  fileFor(distributionId: string | undefined): string {
    return path.join(this.dir, distributionId && /^[A-Z0-9]+$/.test(distributionId) ? `${distributionId}.jsonl` : UNMATCHED_LOG);
  }

  write(record: ConnectionLogRecord): void {
    const ordered: Record<string, unknown> = {};
    for (const f of CONNECTION_LOG_FIELDS) if (record[f] !== undefined) ordered[f] = record[f];
    const file = this.fileFor(record.distributionId);
    let open = this.fds.get(file);
    if (open === undefined) {
      const fd = fs.openSync(file, 'a', 0o600);
      open = { fd, bytes: fs.fstatSync(fd).size };
      this.fds.set(file, open);
    }
    const line = Buffer.from(`${JSON.stringify(ordered)}\n`);
    if (open.bytes + line.length > this.maxFileBytes) throw new Error(`${file} is full (${this.maxFileBytes} bytes): record dropped`);
    fs.writeSync(open.fd, line);
    open.bytes += line.length;
  }

  close(): void {
    for (const { fd } of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
  }
}
