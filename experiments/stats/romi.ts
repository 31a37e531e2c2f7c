/**
 * Return on marketing investment, `(incremental revenue − cost) / cost`, and
 * its interval by the delta method.
 *
 * Incremental revenue is `n_T · Δ`, with Δ the lift in revenue per customer
 * and n_T the treated customers; the cost C (sends × channel cost + offers
 * redeemed) is what was actually spent, a known number, not an estimate. So
 * ROMI = g(Δ) = (n_T·Δ − C)/C is linear in Δ: the delta method's first-order
 * expansion (Var g(Δ) ≈ g′(Δ)²·Var Δ, Oehlert 1992; Deng, Knoblich & Lu,
 * KDD 2018) is exact, SE(ROMI) = (n_T/C)·SE(Δ), and the interval is the
 * revenue lift's own interval mapped through g — whichever interval the
 * report uses for Δ (Welch, CUPED-adjusted, or a confidence sequence), with
 * the same t quantile and the same coverage.
 */

/** ROMI with the interval of the revenue lift it comes from. */
export interface RomiEstimate {
  romi: number | null;
  low: number | null;
  high: number | null;
}

/**
 * ROMI of `treated` customers at `cost` for a revenue-per-customer lift
 * `lift` with interval [`liftLow`, `liftHigh`]. Everything null when the cost
 * is not positive (no investment, no return on it); the bounds null when the
 * lift has no interval.
 */
export function romiInterval(lift: number | null, liftLow: number | null, liftHigh: number | null, treated: number, cost: number): RomiEstimate {
  if (!(cost > 0) || lift === null) return { romi: null, low: null, high: null };
  const g = (d: number) => (treated * d - cost) / cost;
  if (liftLow === null || liftHigh === null) return { romi: g(lift), low: null, high: null };
  return { romi: g(lift), low: g(liftLow), high: g(liftHigh) };
}

/**
 * Whether a ROMI is worth showing: only when the revenue lift's interval
 * excludes zero. Otherwise the data cannot tell a gain from a loss, and a
 * ratio over a cheap channel's cost (thousands ×, of either sign) would read
 * as a finding; the tables print "—" instead.
 */
export function romiShown(liftLow: number | null, liftHigh: number | null): boolean {
  return liftLow !== null && liftHigh !== null && (liftLow > 0 || liftHigh < 0);
}
