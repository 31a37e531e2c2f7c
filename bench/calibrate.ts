/**
 * `npm run calibrate [-- REPS]`: issue 17's calibration table measured with
 * the project's own functions — 3,000 seeded replications per case by
 * default (the report rows fewer, see below) — printed as the markdown
 * tables docs/statistics.md quotes, then the same A/A and power through the
 * real CLI (`playbook report --format json` on generated workspaces,
 * bench/aa-world.ts) over several seeds. Targets: coverage 93–97%, A/A
 * ≤ 5.5%, BH reports with a discovery ≤ 5%, sequential ≤ 5%.
 */
import { tmpdir } from "node:os";
import {
  CONVERSION_CASES, measureConversion, measureReport, measureRevenue, measureSequential, REPORT_CASES, REVENUE_CASES, SEQUENTIAL_CASES,
} from "./calibration.ts";
import { cliReport, CLI_AA, CLI_POWER } from "./aa-world.ts";

const reps = Number(process.argv[2] ?? 3000);
/** Reports of 20 rules cost ~10–60 ms each: the A/A row gets `reps`, the power rows a sixth. */
const reportReps = [reps, Math.ceil(reps / 6), Math.ceil(reps / 6)];
const CLI_SEEDS = Number(process.env.CALIBRATE_CLI_SEEDS ?? 10);
const pc = (x: number) => `${(100 * x).toFixed(1)}%`;
const t0 = performance.now();
const lap = (what: string, t: number) => console.error(`  ${what}: ${((performance.now() - t) / 1000).toFixed(1)} s`);

console.log(`${reps} replications per case (report rows: ${reportReps.join(" / ")}), 95% intervals, seeded`);
console.log("");
console.log("| case | CI coverage before → after | relative CI coverage after | A/A p < .05 before → after (\"works\"/\"harms\") | A/A \"too few conversions\" | abs/rel/p disagreements | interval clear of 0, exact p ≥ .05 | power (p < .05, lift > 0) before → after |");
console.log("|---|---|---|---|---|---|---|---|");
let t = performance.now();
for (const c of CONVERSION_CASES) {
  const f = measureConversion(c, reps);
  const power = c.lift > 0 ? `${pc(f.powerBefore)} → ${pc(f.powerAfter)}` : "—";
  console.log(`| ${c.name} | ${pc(f.coverageBefore)} → ${pc(f.coverageAfter)} | ${pc(f.relCoverageAfter)} | ${pc(f.aaBefore)} → ${pc(f.aaAfter)} | ${pc(f.tooFew)} | ${f.disagree} | ${pc(f.exactOverrides)} | ${power} |`);
}
lap("conversion", t);
console.log("");
console.log("| case | A/A CI coverage: raw Welch → capped P99 → the report (capped, SE floored) | false \"effect\" (p < .05) before → now | trusted by the skewness rule |");
console.log("|---|---|---|---|");
t = performance.now();
for (const c of REVENUE_CASES) {
  const f = measureRevenue(c, reps);
  console.log(`| ${c.name} | ${pc(f.coverageRaw)} → ${pc(f.coverageCapped)} → ${pc(f.coverageAfter)} | ${pc(1 - f.coverageRaw)} → ${pc(1 - f.coverageAfter)} | ${pc(f.trusted)} |`);
}
lap("revenue", t);
console.log("");
console.log("| case | reports with a BH discovery before → after | reports with a rule \"works\" | rules \"works\" before → after | rules with conversion / revenue p < .05 |");
console.log("|---|---|---|---|---|");
t = performance.now();
REPORT_CASES.forEach((c, i) => {
  const f = measureReport(c, reportReps[i]!);
  console.log(`| ${c.name} (${reportReps[i]} reports) | ${pc(f.discoveryBefore)} → ${pc(f.discoveryAfter)} | ${pc(f.worksAfter)} | ${pc(f.rulesWorksBefore)} → ${pc(f.rulesWorks)} | ${pc(f.convP)} / ${pc(f.revP)} |`);
});
lap("reports", t);
console.log("");
console.log("| case | some look with p < .05 before → after | \"too early\" at the first / last look | every reported interval covers 0 |");
console.log("|---|---|---|---|");
t = performance.now();
for (const c of SEQUENTIAL_CASES) {
  const f = measureSequential(c, reps);
  console.log(`| ${c.name} | ${pc(f.before)} → ${pc(f.after)} | ${pc(f.earlyFirst)} / ${pc(f.earlyLast)} | ${pc(f.covered)} |`);
}
lap("sequential", t);
console.log("");
console.log(`Through the CLI (one \`playbook report --format json\` per world, ${CLI_SEEDS} seeds):`);
console.log("");
console.log("| world | rules with conversion p < .05 | with revenue p < .05 | reports with a BH discovery | rules \"works\" |");
console.log("|---|---|---|---|---|");
t = performance.now();
const cli = async (name: string, w: typeof CLI_AA, seeds: number) => {
  const s = { rules: 0, convP: 0, revP: 0, reports: 0, works: 0 };
  for (let i = 0; i < seeds; i++) {
    const f = await cliReport(tmpdir(), { ...w, seed: `calibrate-${i}` });
    s.rules += f.rules;
    s.convP += f.convP;
    s.revP += f.revP;
    s.reports += f.discoveries > 0 ? 1 : 0;
    s.works += f.works;
  }
  console.log(`| ${name} | ${s.convP} / ${s.rules} = ${pc(s.convP / s.rules)} | ${s.revP} / ${s.rules} = ${pc(s.revP / s.rules)} | ${s.reports} / ${seeds} | ${s.works} / ${s.rules} = ${pc(s.works / s.rules)} |`);
};
await cli("100 A/A rules, 2,000 / 105, 2% conversion, log-normal orders (σ 1.2)", CLI_AA, CLI_SEEDS);
await cli("20 rules, +30% relative on 5%, 20,000 / 2,222", CLI_POWER, Math.max(1, Math.ceil(CLI_SEEDS / 3)));
lap("CLI", t);
console.log("");
console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);
