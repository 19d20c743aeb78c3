/**
 * Text from untrusted input (CRL bytes before their signature is checked, lines of source files, servers' error
 * messages) shown inside conngate's one-line errors and progress. A newline would forge a second
 * `conngate: ...` line in a CI log, a terminal escape sequence would rewrite what the reader sees, and bidi
 * overrides would reorder it; all are shown escaped as \uXXXX instead.
 */

/** C0 and C1 controls, DEL, line and paragraph separators, bidi embeddings, overrides and isolates. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every character that could break or disguise a line escaped as \uXXXX. */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
