/** One line of a line diff: kept, removed (only in the old text) or added (only in the new text). */
export interface DiffLine { kind: ' ' | '-' | '+'; text: string }

/** Above this many lines per side the diff is skipped: the reports say so instead of stalling on a huge file. */
export const MAX_DIFF_LINES = 4000;

/**
 * A line diff by longest common subsequence. Function code is small (CloudFront caps it at 40 KB), so the
 * quadratic table is cheap; inputs over MAX_DIFF_LINES return undefined.
 */
export function lineDiff(oldText: string, newText: string): DiffLine[] | undefined {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  if (a.length > MAX_DIFF_LINES || b.length > MAX_DIFF_LINES) return undefined;
  // Common head and tail first: a typical change touches a few lines in the middle.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const n = am.length;
  const m = bm.length;
  const lcs = new Array<Uint32Array>(n + 1);
  for (let i = 0; i <= n; i++) lcs[i] = new Uint32Array(m + 1);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = am[i] === bm[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out: DiffLine[] = a.slice(0, head).map((text) => ({ kind: ' ', text }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && am[i] === bm[j]) { out.push({ kind: ' ', text: am[i] }); i++; j++; }
    else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) { out.push({ kind: '+', text: bm[j] }); j++; }
    else { out.push({ kind: '-', text: am[i] }); i++; }
  }
  out.push(...a.slice(a.length - tail).map((text) => ({ kind: ' ' as const, text })));
  return out;
}

/** Only the changed lines with `context` lines around them; "..." marks what was left out. */
export function diffHunks(lines: DiffLine[], context = 3): (DiffLine | '...')[] {
  const keep = new Array<boolean>(lines.length).fill(false);
  lines.forEach((l, i) => {
    if (l.kind === ' ') return;
    for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) keep[k] = true;
  });
  const out: (DiffLine | '...')[] = [];
  lines.forEach((l, i) => {
    if (keep[i]) out.push(l);
    else if (out.at(-1) !== '...') out.push('...');
  });
  return out;
}
