/**
 * One metric compared between treatment and holdout, as the report shows it:
 * raw means of both groups; the absolute lift (CUPED-adjusted when the
 * pre-period exists) with Welch's interval or, in sequential mode, the
 * asymptotic confidence sequence; the relative lift by the delta method;
 * p-value; the MDE at 80% power. q-values are filled in later, across the
 * whole report (Benjamini–Hochberg needs every p at once).
 */
import type { MetricComparison } from "./report-types.ts";
import {
  cuped, holdoutNeeded, mean, minimumDetectableEffect, relativeLift, scoreTest, sequentialBoundary, sequentialHalfWidth, sequentialPValue,
  sequentialTooEarly, variance, cochranSmall, fisherExactP, welchTest, type GroupSummary, type Moments,
} from "./stats/index.ts";

/** How intervals are computed. */
export interface CompareOptions {
  alpha: number;
  sequential: boolean;
  /** Tuning parameter of the confidence sequence (expected total sample size). */
  tuning: number;
  /** Apply CUPED when the covariate is informative. */
  cuped: boolean;
  /** The metric is 0/1 per customer (conversion): score methods, a verdict, the holdout needed. */
  binary?: boolean;
  /**
   * The conversion moments (holdout, treatment) of the same customers: their
   * counts decide whether a sequence may be reported yet (sequential mode,
   * `sequentialTooEarly`). A binary metric defaults to its own; any other
   * metric is not gated without them.
   */
  gate?: [Moments, Moments];
}

/** A comparison plus the standard error behind it (for power and days-to-target). */
export interface Comparison {
  metric: MetricComparison;
  /** SE of the absolute lift actually used; null when no test was possible. */
  se: number | null;
}

function summary(m: Moments): GroupSummary {
  return { n: m.n, mean: mean(m), variance: variance(m) };
}

/** Compares holdout `a` with treatment `b`. */
export function compareMetric(a: Moments, b: Moments, o: CompareOptions): Comparison {
  const raw = { treatment: b.n ? mean(b) : NaN, holdout: a.n ? mean(a) : NaN };
  const adj = o.cuped ? cuped(a, b) : null;
  const ga = adj ? adj.a : summary(a);
  const gb = adj ? adj.b : summary(b);
  // Revenue (not 0/1): the SE is floored at the null's (welch.ts), as the score test takes conversion's variance at the null.
  const t = welchTest(ga, gb, o.alpha, !o.binary);
  const rel = relativeLift(ga, gb, o.alpha);
  const metric: MetricComparison = {
    treatment: raw.treatment,
    holdout: raw.holdout,
    lift_abs: t ? t.diff : null,
    lift_rel: rel ? rel.lift : null,
    ci_low: t ? t.ciLow : null,
    ci_high: t ? t.ciHigh : null,
    p: t ? t.p : null,
    q: null,
    ci_rel_low: rel ? rel.ciLow : null,
    ci_rel_high: rel ? rel.ciHigh : null,
    cuped_variance_reduction: adj ? adj.varianceReduction : null,
    mde: t ? minimumDetectableEffect(t.se, o.alpha) : null,
  };
  if (o.sequential && t) {
    const n = a.n + b.n;
    const h = sequentialHalfWidth(t.se, n, o.alpha, o.tuning);
    metric.ci_low = t.diff - h;
    metric.ci_high = t.diff + h;
    metric.p = sequentialPValue(t.diff, t.se, n, o.alpha, o.tuning);
    if (rel) {
      const hr = sequentialHalfWidth(rel.se, n, o.alpha, o.tuning);
      metric.ci_rel_low = rel.lift - hr;
      metric.ci_rel_high = rel.lift + hr;
    }
  }
  // Lifts without a test are still useful to read (e.g. a holdout of 1), but
  // only as point estimates; intervals stay null.
  if (!t && a.n > 0 && b.n > 0) {
    metric.lift_abs = raw.treatment - raw.holdout;
    metric.lift_rel = raw.holdout !== 0 ? raw.treatment / raw.holdout - 1 : null;
  }
  const out = o.binary ? conversionComparison(a, b, o, metric, adj !== null, t ? t.se : null) : { metric, se: t ? t.se : null };
  if (o.sequential) withholdTooEarly(out.metric, o.gate ?? (o.binary ? [a, b] : null));
  return out;
}

/**
 * Sequential mode, before both groups have the counts the sequence's normal
 * approximation needs: no always-valid p or interval (they would be
 * reported on a handful of conversions), and `too_early` says why. The lift
 * stays as a point estimate. null `too_early` once the sequence is reported.
 */
function withholdTooEarly(m: MetricComparison, gate: [Moments, Moments] | null): void {
  if (!gate) return;
  const counts = (g: Moments) => ({ x: Math.round(g.sum), n: g.n });
  const why = sequentialTooEarly(counts(gate[0]), counts(gate[1]));
  m.too_early = why;
  if (!why) return;
  Object.assign(m, { ci_low: null, ci_high: null, p: null, ci_rel_low: null, ci_rel_high: null });
}

/** Below this many expected conversions (and non-conversions) in a group, CUPED's normal approximation is not trusted. */
const CUPED_MIN_EXPECTED = 10;

/**
 * Conversion (0/1 per customer): the Miettinen–Nurminen score interval and
 * test for the difference and the ratio, replacing Welch and the delta method
 * (docs/statistics.md, "Conversion"), except where CUPED is applied to large
 * counts, whose Welch interval is sound and narrower. Sequential mode
 * inverts the same score test at the confidence sequence's boundary (so p,
 * absolute and relative sequences agree, and a group with 0 conversions is
 * no rate of exactly 0 there either). Adds the holdout size needed and a provisional
 * verdict; `buildReport` settles it once the q-values are known.
 */
function conversionComparison(a: Moments, b: Moments, o: CompareOptions, metric: MetricComparison, cuped: boolean, welchSe: number | null): Comparison {
  const h = { x: Math.round(a.sum), n: a.n };
  const t = { x: Math.round(b.sum), n: b.n };
  const needed = a.n > 0 && b.n > 0 ? holdoutNeeded(h, t) : null;
  metric.needed = needed ?? null;
  metric.verdict = needed === 0 ? null : "too_few_conversions";
  const pool = (h.x + t.x) / (h.n + t.n);
  const large = [h.n, t.n].every((n) => n * Math.min(pool, 1 - pool) >= CUPED_MIN_EXPECTED);
  if (cuped && large) return { metric, se: welchSe };
  // Sequential: the same score test inverted at the sequence's boundary for this look, with its always-valid p.
  const N = h.n + t.n;
  const s = scoreTest(h, t, o.alpha, o.sequential ? sequentialBoundary(N, o.alpha, o.tuning) : undefined);
  if (!s) return { metric, se: null };
  // Cochran's rule (a cell expects under 5): the score test's tail is too light; p is the larger of it and Fisher's exact p.
  const fisher = !o.sequential && cochranSmall(h, t) ? fisherExactP(h, t) : null;
  Object.assign(metric, {
    lift_abs: s.diff, lift_rel: s.lift, ci_low: s.ciLow, ci_high: s.ciHigh,
    p: o.sequential ? sequentialPValue(s.z, 1, N, o.alpha, o.tuning) : Math.max(s.p, fisher ?? 0),
    fisher_p: fisher,
    ci_rel_low: s.ciRelLow, ci_rel_high: Number.isFinite(s.ciRelHigh) ? s.ciRelHigh : null,
    cuped_variance_reduction: null,
    mde: s.se > 0 ? minimumDetectableEffect(s.se, o.alpha) : null,
  });
  return { metric, se: s.se > 0 ? s.se : null };
}
