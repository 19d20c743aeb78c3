import { diffHunks, lineDiff, MAX_DIFF_LINES } from '../../orchestrator/reports/line-diff';

describe('line diff for the report', () => {
  it('finds the changed line and keeps the rest as context', () => {
    const a = 'a\nb\nc\nd\ne';
    const b = 'a\nb\nC\nd\ne\nf';
    const d = lineDiff(a, b)!;
    expect(d.filter((l) => l.kind === '-').map((l) => l.text)).toEqual(['c']);
    expect(d.filter((l) => l.kind === '+').map((l) => l.text)).toEqual(['C', 'f']);
    // applying the diff to the old text gives the new text
    expect(d.filter((l) => l.kind !== '-').map((l) => l.text).join('\n')).toBe(b);
    expect(d.filter((l) => l.kind !== '+').map((l) => l.text).join('\n')).toBe(a);
  });

  it('reconstructs both sides for arbitrary edits', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let t = 0; t < 50; t++) {
      const a = Array.from({ length: Math.floor(rnd() * 30) }, () => String(Math.floor(rnd() * 5)));
      const b = a.filter(() => rnd() > 0.2).flatMap((x) => (rnd() > 0.8 ? [x, 'new'] : [x]));
      const d = lineDiff(a.join('\n'), b.join('\n'))!;
      expect(d.filter((l) => l.kind !== '-').map((l) => l.text).join('\n')).toBe(b.join('\n'));
      expect(d.filter((l) => l.kind !== '+').map((l) => l.text).join('\n')).toBe(a.join('\n'));
    }
  });

  it('shows hunks with context and refuses huge inputs', () => {
    const a = Array.from({ length: 100 }, (_, i) => `line ${i}`);
    const b = [...a];
    b[50] = 'changed';
    const h = diffHunks(lineDiff(a.join('\n'), b.join('\n'))!, 2);
    expect(h[0]).toBe('...');
    expect(h.filter((l) => l !== '...')).toHaveLength(6);
    expect(lineDiff('x\n'.repeat(MAX_DIFF_LINES + 1), 'y')).toBeUndefined();
  });
});
