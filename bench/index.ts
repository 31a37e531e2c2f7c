/**
 * `npm run bench [-- NAME…]`: runs every `bench/*.bench.ts` (or those whose
 * name contains one of NAMEs) one after another, each in its own process so
 * their memory figures do not mix. Benchmarks print figures and ratios against
 * a baseline measured in the same run; they never fail on time.
 */
import { readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f}`);
  // The same young-generation size as bin/playbook.js sets for the command.
  const r = spawnSync(process.execPath, ["--expose-gc", "--max-semi-space-size=64", "--import", "tsx", join(here, f)], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
