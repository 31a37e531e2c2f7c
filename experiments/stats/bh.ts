/**
 * Benjamini–Hochberg adjusted p-values ("q-values"): q_(i) = min over j ≥ i of
 * p_(j)·m/j, capped at 1 (Benjamini & Hochberg 1995; R's `p.adjust(p, "BH")`
 * computes exactly this). Nulls (no test possible) are passed through and do
 * not count in m.
 */

/** BH q-values in the order of `ps`. */
export function benjaminiHochberg(ps: readonly (number | null)[]): (number | null)[] {
  const idx: number[] = [];
  ps.forEach((p, i) => {
    if (p !== null && Number.isFinite(p)) idx.push(i);
  });
  const m = idx.length;
  const out: (number | null)[] = ps.map(() => null);
  // Sort by p ascending; ties keep input order so the output is deterministic.
  idx.sort((i, j) => ps[i]! - ps[j]! || i - j);
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    const i = idx[k]!;
    running = Math.min(running, (ps[i]! * m) / (k + 1));
    out[i] = running;
  }
  return out;
}
