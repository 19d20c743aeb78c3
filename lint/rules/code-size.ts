import type { SourceFile } from '../source-file';

/** CloudFront's limit on function code, not adjustable. */
export const CODE_SIZE_LIMIT = 10 * 1024;
/** Above this share of the limit a warning leaves room to react before a fix no longer fits. */
const WARN_RATIO = 0.9;

/** code-size: the UTF-8 byte size against the 10 KB limit (error above it, warning above 90 %). */
export function checkCodeSize(src: SourceFile): void {
  const bytes = Buffer.byteLength(src.text, 'utf8');
  if (bytes > CODE_SIZE_LIMIT) {
    src.report({ start: 0 }, 'error', 'code-size', `${bytes} bytes of code, over CloudFront's ${CODE_SIZE_LIMIT}-byte limit: shorten it (comments count)`);
  } else if (bytes > CODE_SIZE_LIMIT * WARN_RATIO) {
    src.report({ start: 0 }, 'warning', 'code-size', `${bytes} bytes of code, over ${Math.round(WARN_RATIO * 100)} % of CloudFront's ${CODE_SIZE_LIMIT}-byte limit`);
  }
}
