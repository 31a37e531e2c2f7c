/**
 * "Did you mean" suggestions: the closest candidate by Damerau–Levenshtein
 * (optimal string alignment) distance, only when it is close enough to be a
 * plausible typo. Cedar's fuzzy_match has no cutoff and suggests far-fetched
 * names; ours accepts at most max(1, floor(len / 3)) edits, so `priorty` →
 * `priority` but `foo` suggests nothing from `first_name`.
 */

/** Optimal-string-alignment distance between two strings (a transposition counts as one edit). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}

/** The largest distance accepted for a name of this length. */
export function maxEdits(name: string): number {
  return Math.max(1, Math.floor(name.length / 3));
}

/**
 * The best suggestion for `name` among `candidates`, or undefined when none is
 * within the cutoff. Ties go to the candidate first in sorted order, so the
 * answer does not depend on the order candidates were given in.
 */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const limit = maxEdits(name);
  let best: string | undefined;
  let bestD = Infinity;
  const lower = name.toLowerCase();
  for (const c of [...new Set(candidates)].sort()) {
    if (c === name) continue;
    const d = editDistance(lower, c.toLowerCase());
    if (d <= limit && d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}
