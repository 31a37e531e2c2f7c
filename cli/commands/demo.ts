/**
 * `playbook demo`: a synthetic shop with known true effects, simulated through
 * the engine with the example workspace, then reported — and the report
 * compared with the truth.
 */
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { EXIT, UsageError, type CliIO } from "../io.ts";
import { progressBar } from "../progress.ts";
import { DEMO_SIZE, loadPipeline, runWorld, writeDemo } from "../../experiments/demo/index.ts";
import { configFromWorkspace } from "../../experiments/config.ts";
import { reportFromFiles } from "../../experiments/pipeline.ts";
import { reportTable } from "../../experiments/format/table.ts";
import { pct, pp } from "../../experiments/format/numbers.ts";
import { powerAt, seFromMde } from "../../experiments/stats/index.ts";

/** A reference effect every rule's power is also quoted for, whatever its true effect: what could this rule find here? */
const PLANNED_EFFECT = 0.03;

/** One line for `playbook --help`. */
export const summary = "a synthetic shop with known true effects: simulate, report, compare";

/** `playbook demo --help`. */
export const usage = `Usage: playbook demo [--out DIR] [--customers N] [--days N] [--seed S]

Builds a synthetic shop (customers with latent propensity and value, natural
buying, app opens, carts, birthdays, sign-ups), runs the example workspace on it
through the engine day by day — every rule has a true effect acting only through
the messages actually sent — writes the data, the decision log and the truth,
and prints the report next to the truth, with each rule's power: the chance
that its 95% interval excludes zero, for the true lift and for a 3 pp lift.

Options:
  --out DIR        where to write data/, decisions.jsonl, truth.json (default playbook-demo)
  --customers N    default ${DEMO_SIZE.customers}
  --days N         default ${DEMO_SIZE.days}
  --seed S         default "demo"
`;

/** Runs the command. */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: "string", default: "playbook-demo" }, customers: { type: "string", default: String(DEMO_SIZE.customers) }, days: { type: "string", default: String(DEMO_SIZE.days) }, seed: { type: "string", default: "demo" } },
  });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const customers = Number(values.customers);
  const days = Number(values.days);
  if (!Number.isInteger(customers) || customers < 1) throw new UsageError("--customers must be a positive integer");
  if (!Number.isInteger(days) || days < 1) throw new UsageError("--days must be a positive integer");
  const p = await loadPipeline();
  if ("missing" in p) {
    io.stderr(`playbook demo: needs ${p.missing}, which this build does not have yet.\n`);
    return EXIT.failed;
  }
  const out = resolve(io.cwd, values.out!);
  const bar = progressBar(io, "playbook demo");
  bar.stage("simulating");
  const demo = runWorld(p, { customers, days, seed: values.seed!, onProgress: (done, total) => bar.update(done, total, "customers") });
  bar.stage("writing the files and the report");
  writeDemo(demo, out);
  const cfg = configFromWorkspace(p.ws);
  const events = join(out, "data/events.csv");
  const { report, bad } = await reportFromFiles(cfg, join(out, "decisions.jsonl"), events).finally(() => bar.end());
  if (!report) {
    io.stderr(`playbook demo: the simulated data has ${bad.length} bad rows (a bug): ${bad[0]?.file}:${bad[0]?.line}: ${bad[0]?.reason}\n`);
    return 70;
  }
  io.stdout(`Simulated ${customers} customers for ${days} days (seed "${values.seed}"); files in ${out}\n\n`);
  io.stdout(reportTable(report));
  io.stdout("\nTruth vs estimate (conversion lift)\n\n");
  // The star needs q < alpha over every test of the report; Bonferroni's alpha/m bounds that power from below (BH rejects all it rejects).
  const tests = [...report.rules, ...(report.global_holdout ? [report.global_holdout] : [])].flatMap((r) => [r.conversion.p, r.revenue_per_customer.p]).filter((p) => p !== null).length;
  const starAlpha = report.alpha / Math.max(1, tests);
  const rows = [["rule", "true lift", "estimate", "95% CI", "covered", "power (true)", "starred (true)", `power (${PLANNED_EFFECT * 100} pp)`]];
  for (const t of demo.truth) {
    const r = report.rules.find((x) => x.rule === t.rule);
    const c = r?.conversion;
    const covered = c && c.ci_low !== null && c.ci_high !== null ? (c.ci_low <= t.conversion_lift && t.conversion_lift <= c.ci_high ? "yes" : "NO") : "–";
    // The SE behind the report's MDE is the one its interval uses (CUPED included).
    const se = seFromMde(c?.mde, report.alpha);
    const power = (effect: number, alpha: number) => (effect === 0 ? "–" : pct(powerAt(se, effect, alpha)));
    rows.push([
      t.rule, pp(t.conversion_lift), pp(c?.lift_abs ?? null), c && c.ci_low !== null ? `[${pp(c.ci_low)}, ${pp(c.ci_high)}]` : "–", covered,
      power(t.conversion_lift, report.alpha), power(t.conversion_lift, starAlpha), power(PLANNED_EFFECT, report.alpha),
    ]);
  }
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  io.stdout(rows.map((r) => r.map((x, i) => (i === 0 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join("  ")).join("\n") + "\n");
  io.stdout(
    `\nPower: the chance that a rule's ${Math.round((1 - report.alpha) * 100)}% interval excludes zero, for its true lift and for a ${PLANNED_EFFECT * 100} pp lift, at the\n` +
      `entries and holdout it has here (normal approximation, docs/statistics.md); starred: at least the chance of q < ${report.alpha}\n` +
      `among the report's ${tests} tests (Bonferroni's bound). Below 80%, a lift the report does not find may still be\n` +
      "there: the rule needs more customers, not a verdict.\n",
  );
  return EXIT.ok;
}
