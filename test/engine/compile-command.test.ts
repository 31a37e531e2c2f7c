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
