/**
 * Distinguished names as text, the way the connection object carries them ("C=US, O=Example Corp, CN=x"): written
 * with RFC 4514 (RFC 2253) escapes by the fuzzer's generators, and read back the same way by declared properties,
 * so a property speaks of attribute values, never of substrings of the text.
 */

/** One attribute of a name: its short type ("O", "CN"; upper case when read back) and its value, unescaped. */
export interface NameAttribute { type: string; value: string }

/** Characters RFC 4514 escapes anywhere in a value. */
const SPECIAL = /[,+"\\<>;=]/;

/** A value escaped per RFC 4514: specials, a leading '#' or space, a trailing space, and NUL as \00. */
export function escapeNameValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\u0000') out += '\\00';
    else if (SPECIAL.test(c) || (i === 0 && (c === '#' || c === ' ')) || (i === value.length - 1 && c === ' ')) out += `\\${c}`;
    else out += c;
  }
  return out;
}

/** Renders RDNs (each a list of attributes; more than one = a multi-valued RDN joined by '+') with `separator`. */
export function renderName(rdns: NameAttribute[][], separator = ', '): string {
  return rdns.map((rdn) => rdn.map((a) => `${a.type}=${escapeNameValue(a.value)}`).join('+')).join(separator);
}

/**
 * Reads a name written as above (separators ',' or ', ', '+' inside an RDN, backslash escapes of one character or
 * two hex digits as UTF-8 bytes). Undefined when the text is not such a name (an attribute without '=', a dangling
 * escape): a property then treats the name as matching no attribute.
 */
export function parseName(text: string): NameAttribute[] | undefined {
  const out: NameAttribute[] = [];
  let i = 0;
  const n = text.length;
  if (n === 0) return out;
  while (i < n) {
    while (i < n && text[i] === ' ') i++;
    const eq = text.indexOf('=', i);
    if (eq <= i) return undefined;
    const type = text.slice(i, eq).trim();
    if (!/^[A-Za-z][A-Za-z0-9-]*$|^[0-9]+(\.[0-9]+)+$/.test(type)) return undefined;
    i = eq + 1;
    const bytes: number[] = [];
    let value = '';
    const flush = () => { if (bytes.length) { value += Buffer.from(bytes).toString('utf8'); bytes.length = 0; } };
    let lastEscapedAt = -1;
    while (i < n && text[i] !== ',' && text[i] !== '+') {
      const c = text[i];
      if (c === '\\') {
        if (i + 1 >= n) return undefined;
        const hex = text.slice(i + 1, i + 3);
        if (/^[0-9A-Fa-f]{2}$/.test(hex)) { bytes.push(parseInt(hex, 16)); i += 3; lastEscapedAt = value.length + bytes.length; continue; }
        flush();
        value += text[i + 1];
        lastEscapedAt = value.length;
        i += 2;
        continue;
      }
      flush();
      value += c;
      i++;
    }
    flush();
    // Unescaped trailing spaces belong to the separator, not the value.
    let end = value.length;
    while (end > lastEscapedAt && end > 0 && value[end - 1] === ' ') end--;
    out.push({ type: type.toUpperCase(), value: value.slice(0, end) });
    if (i < n) i++; // the ',' or '+'
  }
  return out;
}
