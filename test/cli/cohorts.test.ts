/**
 * `playbook cohorts` on a hand-made history where every cell can be counted:
 * a (Jan: Jan, Feb), b (Jan: Jan, Mar), c (Feb: Feb; an app_open is not an order), d (Feb: Feb, Mar).
 */
import { describe, expect, it } from "vitest";
import { memoryIO } from "../../cli/io.ts";
import { main } from "../../cli/main.ts";

const args = ["cohorts", "test/experiments/fixtures/small/playbooks", "--data", "test/experiments/fixtures/cohorts/data"];

describe("playbook cohorts", () => {
  it("gives retention by month of first order × months since, in JSON", async () => {
    const io = memoryIO();
    expect(await main([...args, "--format", "json"], io)).toBe(0);
    expect(JSON.parse(io.out)).toEqual({
      goal: "order_placed",
      cohorts: [
        { cohort: "2026-01", customers: 2, retention: [1, 0.5, 0.5] },
        { cohort: "2026-02", customers: 2, retention: [1, 0.5] },
      ],
    });
  });

  it("prints a table with one column per month since", async () => {
    const io = memoryIO();
    expect(await main(args, io)).toBe(0);
    expect(io.out).toBe(
      "Retention by month of first order_placed (share of the cohort with any order_placed in month k after)\n\n" +
        "cohort   customers      m0     m1     m2\n" +
        "2026-01          2  100.0%  50.0%  50.0%\n" +
        "2026-02          2  100.0%  50.0%\n",
    );
  });
});
