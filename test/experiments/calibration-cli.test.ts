/**
 * Issue 17's A/A and power through the real CLI: a generated workspace
 * (bench/aa-world.ts) and one `playbook report --format json` call, in
 * process. CI-sized: one A/A world of 100 rules (2,000 / 105, 2% conversion,
 * log-normal orders) and one power world of 10 rules (+30% relative on 5%,
 * 20,000 / 2,222). `npm run calibrate` runs ten A/A seeds and more power
 * rules; the figures are in docs/statistics.md. One report is one draw, so
 * its bounds are the binomial band of the targets: at most 9 of 100 rules
 * with p < .05 per metric (≤ 5.5% expected; 9 is above its 95th percentile)
 * and no BH discovery (≤ 5% of reports expected).
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliReport, CLI_AA, CLI_POWER } from "../../bench/aa-world.ts";

describe("the report through the CLI on worlds with a known effect (issue 17)", () => {
  it("100 rules with no effect: few rules with p < .05, no BH discovery, nothing 'works'", async () => {
    const root = mkdtempSync(join(tmpdir(), "calibration-cli-"));
    try {
      const f = await cliReport(root, { ...CLI_AA, seed: "ci" });
      if (process.env.CALIBRATION_LOG) console.log("CLI A/A", f);
      expect(f.rules).toBe(100);
      expect(f.convP).toBeLessThanOrEqual(9);
      expect(f.revP).toBeLessThanOrEqual(9);
      expect(f.discoveries).toBe(0);
      expect(f.works).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);

  it("a true +30% relative lift on a 5% goal at 20,000 / 2,222 is found by most rules", async () => {
    const root = mkdtempSync(join(tmpdir(), "calibration-cli-"));
    try {
      const f = await cliReport(root, { ...CLI_POWER, rules: 10, seed: "ci" });
      if (process.env.CALIBRATION_LOG) console.log("CLI power", f);
      expect(f.rules).toBe(10);
      expect(f.works).toBeGreaterThanOrEqual(6);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
