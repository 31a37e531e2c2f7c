/**
 * `npm run calibrate [-- REPS]`: issue 17's conversion rows measured with
 * 3,000 seeded replications each (default), printed as the markdown table
 * docs/statistics.md quotes. Targets: coverage 93–97%, A/A ≤ 5.5%.
 */
import { CONVERSION_CASES, measureConversion, measureRevenue, REVENUE_CASES } from "./calibration.ts";

const reps = Number(process.argv[2] ?? 3000);
const pc = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(`${reps} replications per case, 95% intervals, seeded`);
console.log("");
console.log("| case | CI coverage before → after | relative CI coverage after | A/A p < .05 before → after (\"works\"/\"harms\") | A/A \"too few conversions\" | abs/rel/p disagreements |");
console.log("|---|---|---|---|---|---|");
const t0 = performance.now();
for (const c of CONVERSION_CASES) {
  const f = measureConversion(c, reps);
  console.log(`| ${c.name} | ${pc(f.coverageBefore)} → ${pc(f.coverageAfter)} | ${pc(f.relCoverageAfter)} | ${pc(f.aaBefore)} → ${pc(f.aaAfter)} | ${pc(f.tooFew)} | ${f.disagree} |`);
}
console.log("");
console.log("| case | A/A CI coverage raw → capped at P99 | trusted by the skewness rule | A/A false \"effect\" (trusted, p < .05) |");
console.log("|---|---|---|---|");
for (const c of REVENUE_CASES) {
  const f = measureRevenue(c, reps);
  console.log(`| ${c.name} | ${pc(f.coverageRaw)} → ${pc(f.coverageCapped)} | ${pc(f.trusted)} | ${pc(f.aaJudged)} |`);
}
console.log("");
console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);
