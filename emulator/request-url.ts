/**
 * The request target, checked strictly: origin form only (`/path?query`), and every %-escape well formed and
 * decoding to UTF-8. Anything else is a 400 before routing, rather than an exception somewhere in a handler.
 */
export interface RequestTarget {
  pathname: string;
  /** Path segments as sent (still %-encoded); the operation binding decodes its labels. */
  segments: string[];
  searchParams: URLSearchParams;
}

function decodes(component: string): boolean {
  try {
    decodeURIComponent(component);
    return true;
  } catch {
    return false;
  }
}

/** The checked target, or the reason it is malformed. */
export function parseRequestTarget(raw: string | undefined): RequestTarget | { malformed: string } {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//')) {
    return { malformed: 'The request target must be a path starting with a single "/".' };
  }
  const q = raw.indexOf('?');
  const pathname = q >= 0 ? raw.slice(0, q) : raw;
  const query = q >= 0 ? raw.slice(q + 1) : '';
  const segments = pathname.split('/').filter(Boolean);
  for (const s of segments) {
    if (!decodes(s)) return { malformed: `The path segment "${s}" has a malformed %-escape or is not UTF-8.` };
  }
  for (const part of query.split('&')) {
    for (const side of part.split('=')) {
      if (!decodes(side.replace(/\+/g, ' '))) return { malformed: `The query "${part}" has a malformed %-escape or is not UTF-8.` };
    }
  }
  return { pathname, segments, searchParams: new URLSearchParams(query) };
}
