/** Line tables and offset → line/column. */

/** Maps [start, end) offsets of an expression text to a file span. */
export type SpanMapLike = (start: number, end: number) => import("./ast.ts").Span;

/** Offsets where each line starts. */
export function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of an offset. */
export function posOf(starts: number[], off: number): { line: number; col: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= off) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: off - starts[lo]! + 1 };
}
