import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { compileListing, conditionsOf, run } from "../../cli/commands/compile.ts";
import { memoryIO, UsageError } from "../../cli/io.ts";
import { B, DAY, testWorkspace } from "../support/arbitraries.ts";
import type { Workspace } from "../../language/ast.ts";

const ws = testWorkspace();
const FRONT_END = existsSync(new URL("../../language/index.ts", import.meta.url));

describe("playbook compile listing", () => {
  it("prints each segment under a header with its canonical text", () => {
    const { text, failed } = compileListing(ws, "jsonlogic", "londoner");
    expect(failed).toEqual([]);
    expect(text).toBe(`# segment londoner: city == "London"\n{"===":[{"var":"city"},"London"]}\n`);
  });

  it("js target prints the generated function, which reads features before scanning", () => {
    const { text } = compileListing(ws, "js", "big_spender");
    expect(text.startsWith("# segment big_spender: sum(order_placed.amount within 30d) > 100\n")).toBe(true);
    expect(text).toContain('env.features["sum(order_placed.amount within 30d)"]');
    expect(text).toContain("function compiled(env)");
  });

  it("lists rule conditions and channel requirements after segments", () => {
    const w: Workspace = { ...testWorkspace(), channels: new Map([["email", { name: "email", span: B.nul().span, cost: 0, requires: B.attr("consent_email") }]]) };
    expect(conditionsOf(w).map((c) => c.title)).toEqual(["segment big_spender", "segment londoner", "segment active", "channel email requires"]);
  });

  it("reports conditions JSON Logic cannot express instead of printing wrong rules", () => {
    const w = testWorkspace({ lowered: B.bin("==", B.call("lower", B.attr("city")), B.str("london")) });
    const { text, failed } = compileListing(w, "jsonlogic", "lowered");
    expect(failed).toEqual(["segment lowered: lower() has no JSON Logic equivalent"]);
    expect(text).toContain("# not expressible in JSON Logic");
  });

  it("aggregates export as precomputed vars", () => {
    const w = testWorkspace({ recent: B.exists("order_placed", { within: 7 * DAY }) });
    expect(compileListing(w, "jsonlogic", "recent").text).toContain('{"var":"order_placed within 7d"}');
  });
});

describe("playbook compile command", () => {
  it("rejects a missing or unknown --target", async () => {
    await expect(run(["dir"], memoryIO())).rejects.toThrow(UsageError);
    await expect(run(["dir", "--target", "wasm"], memoryIO())).rejects.toThrow(/js, jsonlogic or sql, not "wasm"/);
  });

  it.skipIf(!FRONT_END)("compiles the example workspace to JS", async () => {
    const io = memoryIO();
    const code = await run(["playbooks/shop", "--target", "js"], io);
    expect(io.err).toBe("");
    expect(code).toBe(0);
    expect(io.out).toContain("# segment ");
  });

  it.skipIf(!FRONT_END)("compiles the example workspace to JSON Logic, one argument per line when long", async () => {
    const io = memoryIO();
    expect(await run(["playbooks/shop", "--target", "jsonlogic", "--segment", "hibernating"], io)).toBe(0);
    expect(io.out).toBe(
      [
        "# segment hibernating: rfm.r <= 2 and rfm.f <= 2",
        '{ "and": [',
        '  {"!=":[{"var":"rfm.r"},null]},',
        '  {"<=":[{"var":"rfm.r"},2]},',
        '  {"!=":[{"var":"rfm.f"},null]},',
        '  {"<=":[{"var":"rfm.f"},2]}',
        "] }",
        "",
      ].join("\n"),
    );
  });

  it.skipIf(!FRONT_END)("names the segments when --segment matches none", async () => {
    await expect(run(["playbooks/shop", "--target", "js", "--segment", "zzzz"], memoryIO())).rejects.toThrow(/segments: champions, loyal/);
  });
});

describe("playbook compile --target sql", () => {
  const AT = Date.UTC(2026, 10, 20);
  it("prints the feature scan, which DuckDB runs over plain tables and which agrees with the in-memory features", async () => {
    const { loadProgram } = await import("../../engine/runtime/inputs.ts");
    const { compileSql, featurePlan, memoryFeatures } = await import("../../engine/features/index.ts");
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const { program } = await loadProgram(new URL("../../playbooks/shop", import.meta.url).pathname);
    const ws = program.ws;
    const sql = compileSql(ws, { now: AT });
    expect(sql).toContain("-- Feature scan (duckdb)");
    expect(sql).toContain("per decision: count(product_viewed where product_id == back_in_stock.product_id within 30d) (reads the trigger event)");
    // Segments read only `last(order_placed).ts`: the scan carries no prop of that record (first/last props by ARRAY_AGG: features.test.ts).
    expect(sql).not.toContain('"last(order_placed).amount"');
    const events = [
      ["a", "order_placed", AT - 40 * DAY, 100], ["a", "order_placed", AT - 1800_000, 50], ["a", "cart_abandoned", AT - 3600_000, null],
      ["b", "order_placed", AT - 10 * DAY, 70], ["b", "order_placed", AT + 1000, 10],
    ] as const;
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    try {
      await con.run("SET TimeZone = 'UTC'");
      await con.run(`CREATE TABLE events (customer_id VARCHAR, event VARCHAR, ts TIMESTAMPTZ, amount DOUBLE, order_id VARCHAR, product_id VARCHAR, category VARCHAR, cart_value DOUBLE)`);
      for (const [c, e, t, a] of events) await con.run(`INSERT INTO events VALUES ('${c}', '${e}', make_timestamp(${t * 1000}), ${a ?? "NULL"}, NULL, NULL, NULL, NULL)`);
      const got = (await con.runAndReadAll(sql.replace(/;\n$/, "") + " ORDER BY 1")).getRowObjectsJS() as Record<string, unknown>[];
      const mem = memoryFeatures(featurePlan(ws), ws);
      for (const row of got) {
        const id = String(row.customer_id);
        const evs = events.filter((e) => e[0] === id).map(([, name, ts, amount]) => ({ name, ts, props: (amount === null ? {} : { amount }) as Record<string, number> }));
        const m = mem({ customer_id: id }, evs, AT);
        expect(Number(row["count(order_placed)"]), id).toBe(m["count(order_placed)"]);
        expect(row["order_placed within 1h"], id).toBe(m["order_placed within 1h"]);
        expect(row["cart_abandoned within 1d"], id).toBe(m["cart_abandoned within 1d"]);
        expect(Number(row["last(order_placed).ts"]), id).toBe((m["last(order_placed)"] as { ts: number }).ts);
      }
      expect(got.map((r) => [r.customer_id, Number(r["count(order_placed)"]), r["order_placed within 1h"]])).toEqual([["a", 2, true], ["b", 1, false]]);
    } finally {
      con.closeSync();
      db.closeSync();
    }
  });

  it("refuses --dialect and --at without --target sql, and unknown dialects", async () => {
    await expect(run(["dir", "--target", "js", "--at", "2026-11-20T00:00:00Z"], memoryIO())).rejects.toThrow(UsageError);
    await expect(run(["dir", "--target", "sql", "--dialect", "oracle"], memoryIO())).rejects.toThrow(/duckdb or postgres/);
  });
});
