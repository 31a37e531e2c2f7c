/**
 * The report's JSON shape (contract.md, "`report --format json`"). Fields of the
 * contract are kept exactly; fields after them are additions.
 */

/** One metric compared between treatment and holdout. */
export interface MetricComparison {
  treatment: number;
  holdout: number;
  lift_abs: number | null;
  lift_rel: number | null;
  ci_low: number | null;
  ci_high: number | null;
  p: number | null;
  q: number | null;
  /** Additions. Interval of the relative lift (delta method). */
  ci_rel_low?: number | null;
  ci_rel_high?: number | null;
  /** CUPED: variance reduction achieved (0..1), null when not applied. */
  cuped_variance_reduction?: number | null;
  /** Minimum detectable absolute effect at 80% power for the current sample. */
  mde?: number | null;
  /**
   * Conversion only. "works" / "harms" (q < alpha), "no_clear_effect", or
   * "too_few_conversions" when the holdout expects under one conversion at
   * the pooled rate (then never "works", whatever p says).
   */
  verdict?: ConversionVerdict | null;
  /** Conversion only: holdout customers needed before a verdict (0 when there are enough; null when nobody converted). */
  needed?: number | null;
  /**
   * Sequential mode only (absent otherwise): why no always-valid p or
   * interval is reported yet — a group has under 10 conversions or
   * non-conversions (docs/statistics.md, "Sequential") — then `p`, `q` and
   * the intervals are null; null once they are reported.
   */
  too_early?: string | null;
  /**
   * Conversion only: Fisher's exact two-sided p when a cell of the 2×2 table
   * expects under 5 customers (Cochran's rule), else null; `p` is then the
   * larger of it and the score test's (docs/statistics.md, "Conversion").
   */
  fisher_p?: number | null;
}

/**
 * Revenue per customer with every value capped at a percentile of both groups
 * pooled (docs/statistics.md, "Revenue: capping and skewness").
 */
export interface CappedComparison extends MetricComparison {
  /** The percentile (0.99 = P99) and the value it came to. */
  cap_percentile: number;
  cap: number;
  /** Sample skewness of the capped values per group (null under 3 customers). */
  skewness_treatment: number | null;
  skewness_holdout: number | null;
  /** Customers a group needs for its mean's normal approximation, ⌈355·skew²⌉ of the more skewed group (Kohavi, Tang & Xu, ch. 17); null when unknown. */
  customers_for_normal: number | null;
  /** Skewness of the difference of the two means (null when unknown). */
  skewness_of_difference: number | null;
  /** 355·skewness_of_difference² < 1 (the book's rule on the statistic tested). False is a warning (the report's `~`): the comparison is judged all the same. */
  normal_ok: boolean;
}

/** What the report concludes about a rule's conversion lift. */
export type ConversionVerdict = "works" | "harms" | "no_clear_effect" | "too_few_conversions";

export interface FunnelRow {
  step: number;
  /** Addition: per channel rows; null for the step's total. */
  channel?: string | null;
  sent: number;
  delivered: number | null;
  open_rate: number | null;
  ctr: number | null;
  /** Additions. */
  ctor?: number | null;
  unsubscribe_rate: number | null;
  complaint_rate?: number | null;
  bounce_rate?: number | null;
}

export interface Alert {
  /** e.g. "open_rate_below" or "srm". */
  kind: string;
  step?: number;
  channel?: string | null;
  value: number;
  threshold: number;
  message: string;
}

export interface RuleReport {
  rule: string;
  entries: { treatment: number; holdout: number };
  srm_p: number | null;
  conversion: MetricComparison;
  revenue_per_customer: MetricComparison;
  sends: number;
  cost: number;
  incremental_revenue: number | null;
  romi: number | null;
  funnel: FunnelRow[];
  alerts: Alert[];
  /** Additions. */
  holdout_share?: number;
  srm_flag?: boolean;
  /** Days more of the current entry rate needed to detect `target_lift` at 80% power; null if unknown. */
  days_to_target?: number | null;
  /**
   * Interval of `romi` (delta method over the revenue lift's interval, cost
   * as spent: docs/statistics.md, "Money"); null when ROMI or the interval is.
   */
  romi_ci_low?: number | null;
  romi_ci_high?: number | null;
  /**
   * Revenue capped at the pooled percentile (`--cap`, default P99); null with
   * `--cap none`. When present, it is the revenue test the report judges:
   * its q (the raw metric's q is then null), ROMI and its interval, and
   * `incremental_revenue_capped` come from it.
   */
  revenue_per_customer_capped?: CappedComparison | null;
  incremental_revenue_capped?: number | null;
  /** Daily cumulative lift, for the TUI chart. */
  daily?: { date: string; treatment: number; holdout: number; lift_abs: number | null; ci_low: number | null; ci_high: number | null }[];
}

export interface Report {
  attribution: string;
  alpha: number;
  rules: RuleReport[];
  /** Additions. */
  sequential?: boolean;
  global_holdout?: RuleReport | null;
  period?: { from: string; to: string };
  /** Rules with `variants` (issue 18): each arm against its part of the holdout, and the arms against each other. */
  arms?: ArmsReport[];
  /** `holdout_group` families (issue 18 §5): the whole family against its shared holdout, like the global line. */
  holdout_groups?: (RuleReport & { group: string; rules: string[] })[];
}

/** Two arms compared on their treated customers; lifts are `a` minus `b`. */
export interface ArmComparison {
  a: string;
  b: string;
  conversion: MetricComparison;
  revenue_per_customer: MetricComparison;
  /** The better arm when conversion's q < alpha (BH over the whole report) and no SRM across arms; else null. */
  winner: string | null;
}

export interface ArmsReport {
  rule: string;
  weights: Record<string, number>;
  /** Treated entries per arm. */
  treated: Record<string, number>;
  /** SRM across arms: treated entries per arm against the weights (chi-square, k − 1 df). */
  srm_p: number | null;
  srm_flag: boolean;
  /** One line per arm (`rule` is `RULE/ARM`), against the held-out customers of that arm. */
  arms: RuleReport[];
  comparisons: ArmComparison[];
}
