/**
 * `playbook report` on Kevin Hillstrom's randomized e-mail experiment, checked
 * three independent ways:
 *  1. plain counts from the CSV computed here, with the textbook unequal-variance
 *     interval (difference ± z·√(s²_T/n_T + s²_H/n_H)); at n ≈ 21,000 per group
 *     Student's t is within 1e-4 of z, and the Miettinen–Nurminen score
 *     interval the report uses for conversion is within 1% of its width;
 *  2. spend: scipy 1.17.1 `stats.ttest_ind(t, c, equal_var=False)` and its
 *     `confidence_interval(0.95)` on the same columns; conversion: the
 *     Miettinen–Nurminen interval and score p computed from the counts
 *     (267/21,307, 189/21,387, 122/21,306) with scipy's bounded minimiser for
 *     the restricted MLE and brentq for the bounds (values pasted below);
 *  3. the figures Hillstrom published with the challenge (MineThatData blog,
 *     March 2008): conversion 1.25% / 0.88% / 0.57% and spend per customer
 *     $1.42 / $1.08 / $0.65 for Mens / Womens / No E-Mail.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { convert, parseHillstrom, readSource, type HillstromRow } from "../../examples/hillstrom/convert.ts";
import { memoryIO } from "../../cli/io.ts";
import { main } from "../../cli/main.ts";
import type { Report, RuleReport } from "../../experiments/report-types.ts";

let rows: HillstromRow[];
let report: Report;

beforeAll(async () => {
  rows = parseHillstrom(readSource());
  const out = mkdtempSync(join(tmpdir(), "hillstrom-"));
  convert(rows, out);
  const io = memoryIO();
  const code = await main(["report", "examples/hillstrom/playbooks", "--decisions", join(out, "decisions.jsonl"), "--data", join(out, "data"), "--format", "json"], io);
  expect(io.err).toMatch(/^rows: decisions 85306 read, 85306 used, 0 rejected; events (\d+) read, \1 used, 0 rejected\n$/);
  expect(code).toBe(0);
  report = JSON.parse(io.out);
});

function direct(segment: HillstromRow["segment"], col: "conversion" | "spend") {
  const xs = rows.filter((r) => r.segment === segment).map((r) => r[col]);
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const s2 = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  return { n, mean, s2 };
}

const rule = (id: string): RuleReport => report.rules.find((r) => r.rule === id)!;

describe("Hillstrom e-mail experiment", () => {
  it("has the source's group sizes: every customer once, the no-e-mail third as the holdout of both rules", () => {
    expect(rule("mens_email").entries).toEqual({ treatment: 21307, holdout: 21306 });
    expect(rule("womens_email").entries).toEqual({ treatment: 21387, holdout: 21306 });
    // A 50% holdout share is what each pairwise comparison expects: no SRM.
    expect(rule("mens_email").srm_flag).toBe(false);
    expect(rule("womens_email").srm_flag).toBe(false);
  });

  for (const [id, seg] of [["mens_email", "Mens E-Mail"], ["womens_email", "Womens E-Mail"]] as const) {
    for (const [col, metric] of [["conversion", "conversion"], ["spend", "revenue_per_customer"]] as const) {
      it(`${id}: ${metric} means and lift interval match direct counts with the textbook formula`, () => {
        const t = direct(seg, col);
        const c = direct("No E-Mail", col);
        const m = rule(id)[metric];
        // The JSON keeps 10 significant digits.
        const close = (a: number, b: number) => expect(Math.abs(a / b - 1)).toBeLessThan(1e-9);
        close(m.treatment, t.mean);
        close(m.holdout, c.mean);
        close(m.lift_abs!, t.mean - c.mean);
        // Revenue's SE is floored at Student's pooled one (docs/statistics.md, "Revenue: few buyers"): here 0.02–0.05% above Welch's.
        const pooled = ((t.n - 1) * t.s2 + (c.n - 1) * c.s2) / (t.n + c.n - 2);
        const se = Math.sqrt(t.s2 / t.n + c.s2 / c.n);
        const half = 1.959963984540054 * (col === "conversion" ? se : Math.max(se, Math.sqrt(pooled * (1 / t.n + 1 / c.n))));
        const width = m.ci_high! - m.ci_low!;
        // Conversion uses the score interval, which at these counts is within 1% of Welch's (0.4% and 0.6% wider).
        expect(Math.abs(width / (2 * half) - 1)).toBeLessThan(col === "conversion" ? 1e-2 : 1e-4);
      });
    }
  }

  it("matches scipy's Welch test (spend) and the Miettinen–Nurminen score method (conversion) on the same columns", () => {
    // Welch's conversion figures were mens [0.005000070747732389, 0.008609942291499001] p 1.50181578515438e-13,
    // womens [0.0014985923661468032, 0.004723522656023713] p 0.00015602839508556404.
    const want = {
      mens_email: { conversion: [0.006805006519615695, 0.005024290304836704, 0.008649368027128049, 1.5242134674789117e-13], revenue_per_customer: [0.7698271558945368, 0.4851397325684076, 1.0545145792206658, 1.163814968225482e-7] },
      womens_email: { conversion: [0.003111057511085258, 0.001507309135438467, 0.004750757671863427, 0.0001571329695058571], revenue_per_customer: [0.4244122159365967, 0.1689567898837787, 0.6798676419894147, 0.0011293971023632495] },
    } as const;
    for (const [id, metrics] of Object.entries(want)) {
      for (const [metric, [lift, lo, hi, p]] of Object.entries(metrics)) {
        const m = rule(id)[metric as "conversion"];
        expect(m.lift_abs!).toBeCloseTo(lift, 10);
        // Revenue: scipy's Welch interval, which the pooled-SE floor widens by under 0.05% on these balanced groups.
        const digits = metric === "conversion" ? 7 : 3;
        expect(m.ci_low!).toBeCloseTo(lo, digits);
        expect(m.ci_high!).toBeCloseTo(hi, digits);
        expect(Math.abs(m.p! / p - 1)).toBeLessThan(metric === "conversion" ? 1e-3 : 1e-2);
      }
    }
    // The relative lift's score interval (same script, ratio − 1).
    expect(rule("mens_email").conversion.ci_rel_low!).toBeCloseTo(0.7687530390564452, 7);
    expect(rule("mens_email").conversion.ci_rel_high!).toBeCloseTo(1.707846389816007, 7);
    expect(rule("womens_email").conversion.ci_rel_low!).toBeCloseTo(0.23072130795411505, 7);
    expect(rule("womens_email").conversion.ci_rel_high!).toBeCloseTo(0.9353754332058202, 7);
    expect(rule("mens_email").conversion.verdict).toBe("works");
  });

  it("reproduces Hillstrom's published conversion rates and spend per customer", () => {
    expect(rule("mens_email").conversion.treatment).toBeCloseTo(0.0125, 4);
    expect(rule("womens_email").conversion.treatment).toBeCloseTo(0.0088, 4);
    expect(rule("mens_email").conversion.holdout).toBeCloseTo(0.0057, 4);
    expect(rule("mens_email").revenue_per_customer.treatment).toBeCloseTo(1.42, 2);
    expect(rule("womens_email").revenue_per_customer.treatment).toBeCloseTo(1.08, 2);
    expect(rule("mens_email").revenue_per_customer.holdout).toBeCloseTo(0.65, 2);
  });

  it("finds both e-mails significant after Benjamini–Hochberg, the men's more so", () => {
    for (const id of ["mens_email", "womens_email"]) {
      expect(rule(id).conversion.q!).toBeLessThan(0.05);
      // Revenue is judged capped at P99 (docs/statistics.md); the raw comparison carries no q then.
      expect(rule(id).revenue_per_customer_capped!.q!).toBeLessThan(0.05);
      expect(rule(id).revenue_per_customer.q).toBeNull();
    }
    expect(rule("mens_email").conversion.lift_abs!).toBeGreaterThan(rule("womens_email").conversion.lift_abs!);
  });
});
