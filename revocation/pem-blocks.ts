/**
 * PEM decoding for CRLs and certificates (RFC 7468): the blocks of a text, each with its label and DER bytes.
 * Not @peculiar/x509's PemConverter: on the 6.7 MB PEM of a 100,000-entry CRL it throws "Maximum call stack
 * size exceeded" (pvtsutils tests the whole base64 body with one backtracking regex). Here the body is checked
 * with a linear character-class test and decoded by Buffer; bad base64 is refused instead of silently skipped.
 */

export interface PemBlock {
  type: string;
  der: Buffer;
  /** 1-based line of the BEGIN line, for messages */
  line: number;
}

/** Thrown for a block without its END line, or with a body that is not base64. */
export class PemError extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'PemError';
  }
}

const BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/g;

/** The PEM blocks in `text` in order; text between blocks is ignored (as openssl does). */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  BEGIN.lastIndex = 0;
  let m: RegExpExecArray | null;
  // Lines are counted on from the previous block, never from the start: a file of a million tiny blocks (anyone's
  // bytes, before any signature is checked) would otherwise cost a million scans of the whole text.
  let line = 1;
  let counted = 0;
  while ((m = BEGIN.exec(text))) {
    const type = m[1];
    const endMarker = `-----END ${type}-----`;
    const bodyStart = m.index + m[0].length;
    const endAt = text.indexOf(endMarker, bodyStart);
    line += newlines(text, counted, m.index);
    counted = m.index;
    if (endAt < 0) throw new PemError(`PEM block without a matching END line ("${type}" at line ${line}; truncated file?)`);
    const body = text.slice(bodyStart, endAt);
    if (!/^[A-Za-z0-9+/=\s]*$/.test(body) || /=[^=\s]/.test(body.trim())) {
      throw new PemError(`PEM block "${type}" (line ${line}) is not valid base64 (PEM headers or damaged text)`);
    }
    out.push({ type, der: Buffer.from(body.replace(/\s+/g, ''), 'base64'), line });
    BEGIN.lastIndex = endAt + endMarker.length;
  }
  return out;
}

/** The newlines in text[from, to). */
function newlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
