import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { UserError } from '../diagnostics/user-error';

/**
 * The source of a connection function: a file under functions/ or an inline string. The candidate id is the
 * SHA-256 of exactly these bytes, so the orchestrator can match what Terraform uploaded to what it tests.
 */
export abstract class ConnectionFunctionCode {
  /** Code read from a file now (at synth time); a missing or unreadable file is reported with its path. */
  public static fromFile(filePath: string): ConnectionFunctionCode {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(filePath);
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read file (${(e as Error).message})`;
      throw new UserError(filePath, `connection function code: ${reason}`,
        'create the file or point functionFile (conngate.config.json) at an existing .js file');
    }
    return new FileConnectionFunctionCode(filePath, bytes);
  }

  /** Code given as a string; `where` names it in error messages. */
  public static fromInline(code: string, where = 'inline connection function code'): ConnectionFunctionCode {
    return new InlineConnectionFunctionCode(code, where);
  }

  /** The JavaScript source as uploaded. */
  public abstract readonly code: string;
  /** Where the code came from (a file path or a label), for error messages and summaries. */
  public abstract readonly source: string;
  /** Hex SHA-256 of the code's UTF-8 bytes: the candidate id. */
  public get sha256(): string {
    return createHash('sha256').update(this.code, 'utf8').digest('hex');
  }
  /** Size of the code in bytes, as CloudFront counts it against the 10 KB limit. */
  public get sizeBytes(): number {
    return Buffer.byteLength(this.code, 'utf8');
  }
}

class FileConnectionFunctionCode extends ConnectionFunctionCode {
  public readonly code: string;
  public readonly source: string;
  constructor(filePath: string, bytes: Buffer) {
    super();
    this.code = bytes.toString('utf8');
    this.source = path.relative(process.cwd(), path.resolve(filePath)) || filePath;
  }
}

class InlineConnectionFunctionCode extends ConnectionFunctionCode {
  constructor(public readonly code: string, public readonly source: string) {
    super();
  }
}
