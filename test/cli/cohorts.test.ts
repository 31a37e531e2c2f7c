/**
 * `playbook cohorts` on a hand-made history where every cell can be counted:
 * a (Jan: Jan, Feb), b (Jan: Jan, Mar), c (Feb: Feb; an app_open is not an order), d (Feb: Feb, Mar).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { memoryIO } from "../../cli/io.ts";
import { main } from "../../cli/main.ts";

const tmp = mkdtempSync(join(tmpdir(), "pb-cohorts-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const EVENTS = readFileSync("test/experiments/fixtures/cohorts/data/events.csv", "utf8");

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

  it("ends with the rows line, reads Parquet as CSV, and stops on bad rows unless --rejects", async () => {
    const ok = memoryIO();
    expect(await main([...args, "--format", "json"], ok)).toBe(0);
    expect(ok.err).toBe("rows: events 9 read, 9 used, 0 rejected\n");
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const pq = join(tmp, "pq");
    (await import("node:fs")).mkdirSync(pq);
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    await con.run(`COPY (SELECT * FROM read_csv('test/experiments/fixtures/cohorts/data/events.csv', header = true)) TO '${join(pq, "events.parquet")}' (FORMAT parquet)`);
    con.closeSync();
    db.closeSync();
    const fromPq = memoryIO();
    expect(await main([args[0]!, args[1]!, "--data", pq, "--format", "json"], fromPq)).toBe(0);
    expect(fromPq.out).toBe(ok.out);
    const bad = join(tmp, "bad.csv");
    writeFileSync(bad, EVENTS + ",order_placed,2026-02-01T00:00:00Z,o9,1\ne,order_placed,soon,o10,1\ne,,2026-02-01T00:00:00Z,o11,1\n");
    const stop = memoryIO();
    expect(await main([args[0]!, args[1]!, "--events", bad], stop)).toBe(1);
    expect(stop.out).toBe("");
    expect(stop.err).toBe(`${bad}:11: missing customer_id\n${bad}:12: ts: cannot read "soon" as a time\n${bad}:13: missing event\nrows: events 12 read, 9 used, 3 rejected\n`);
    const go = memoryIO();
    expect(await main([args[0]!, args[1]!, "--events", bad, "--format", "json", "--rejects", join(tmp, "rejects.txt")], go)).toBe(0);
    expect(go.out).toBe(ok.out);
    expect(readFileSync(join(tmp, "rejects.txt"), "utf8").split("\n")[1]).toBe(`${bad}:12: ts: cannot read "soon" as a time\te,order_placed,soon,o10,1`);
  });
});

describe("cohorts counted in DuckDB == cohorts built event by event (fast-check)", () => {
  it("agree on random goal events over months, other events, times with offsets", async () => {
    const fc = (await import("fast-check")).default;
    const { goalCohorts } = await import("../../engine/runtime/read.ts");
    const { CohortBuilder, cohortTable } = await import("../../experiments/cohorts.ts");
    const ev = fc.record({
      c: fc.constantFrom("a", "b", "c", "d", "e"),
      event: fc.constantFrom("order_placed", "order_placed", "app_open"),
      // Around month ends, written with offsets that move the instant across a UTC month boundary.
      t: fc.integer({ min: Date.UTC(2025, 10, 1), max: Date.UTC(2026, 5, 1) }),
      off: fc.constantFrom(0, 180, -300),
    });
    let k = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(ev, { maxLength: 40 }), async (evs) => {
        const iso = (ms: number, off: number) => {
          if (off === 0) return new Date(ms).toISOString();
          const local = new Date(ms + off * 60_000).toISOString().slice(0, 19);
          const a = Math.abs(off);
          return `${local}${off < 0 ? "-" : "+"}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
        };
        const file = join(tmp, `p${k++}.csv`);
        writeFileSync(file, ["customer_id,event,ts", ...evs.map((e) => `${e.c},${e.event},${iso(e.t, e.off)}`)].join("\n") + "\n");
        const got = await goalCohorts(file, "order_placed");
        const b = new CohortBuilder("order_placed");
        for (const e of evs) if (e.event === "order_placed") b.add(e.c, e.t);
        expect(got.bad).toEqual([]);
        expect(got.read).toBe(evs.length);
        expect(cohortTable("order_placed", got.cells, got.last)).toEqual(b.build());
      }),
      { numRuns: 60, seed: 20261203 },
    );
  }, 60_000);
});
