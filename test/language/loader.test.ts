import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { loadWorkspace, loadWorkspaceFromFiles, printExpr } from "../../language/index.ts";
import { printTrigger } from "../../language/printer.ts";

const SHOP = fileURLToPath(new URL("../../playbooks/shop", import.meta.url));
const one = (text: string) => loadWorkspaceFromFiles("w", [{ path: "w/a.yaml", text }]);

describe("loading a workspace", () => {
  it("builds the example workspace with no diagnostics", async () => {
    const { workspace: ws, diagnostics } = await loadWorkspace(SHOP);
    expect(diagnostics).toEqual([]);
    expect([...ws.rules.keys()]).toEqual([
      "reorder_reminder", "weekend_promo", "welcome", "cart_recovery", "birthday", "review_request", "restock_alert", "app_comeback", "renewal",
      "vip_preview", "winback_at_risk", "hibernating_nudge",
    ]);
    expect([...ws.segments.keys()]).toEqual(["champions", "loyal", "big_spenders", "at_risk", "hibernating", "newcomers"]);
    expect(ws.caps).toHaveLength(9);
    expect(ws.defaults).toMatchObject({ timezone: "Europe/Moscow", sendHours: { from: 540, to: 1260 }, holdout: 0.1, attribution: 7 * 86_400_000, goal: "order_placed", expires: 86_400_000 });
    expect(ws.rfm).toMatchObject({ event: "order_placed", value: "amount", scores: 5, recency: [30, 60, 120, 240].map((d) => d * 86_400_000) });
    const cart = ws.rules.get("cart_recovery")!;
    expect(printTrigger(cart.on)).toBe("cart_abandoned where cart_value >= 1000");
    expect(cart).toMatchObject({ priority: 90, holdout: 0.2, isCadence: true, salt: "cart_recovery", queue: 0, exit: null });
    expect(cart.steps.map((s) => [s.index, s.after?.ms, s.channels.map((c) => c.name), s.template?.name, s.topic])).toEqual([
      [1, 3_600_000, ["push"], "cart_push", "cart"],
      [2, 86_400_000, ["email"], "cart_email", "cart"],
    ]);
    expect(ws.rules.get("review_request")!.exit).toEqual([]);
    expect(ws.rules.get("winback_at_risk")!.queue).toBe(3 * 86_400_000);
    expect(ws.rules.get("birthday")!.steps[0]!.offer).toMatchObject({ code: "BDAY15", cost: 390 });
    expect(ws.schema.events.get("message_bounced")!.props.has("hard")).toBe(true);
  });

  it("points an expression's span at its exact place in the YAML file", async () => {
    const { workspace: ws } = await loadWorkspace(SHOP);
    const newcomers = ws.segments.get("newcomers")!.expr;
    expect(newcomers.span).toMatchObject({ file: expect.stringContaining("retention.yaml"), line: 9, col: 17, endLine: 9, endCol: 85 });
    expect(printExpr(newcomers)).toBe("count(order_placed) == 1 and days_since(last(order_placed).ts) <= 30");
  });

  it("reports an unknown key with the key it was probably meant to be", () => {
    const { diagnostics } = one("rules:\n  r:\n    on: signed_up\n    priorty: 3\n    send: { channel: email }\n");
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: "PB002", message: 'unknown key "priorty" in rule "r"', hint: 'did you mean "priority"?', span: expect.objectContaining({ line: 4, col: 5 }) }),
    ]);
  });

  it("reports a name defined in two files citing both places", () => {
    const { diagnostics } = loadWorkspaceFromFiles("w", [
      { path: "w/a.yaml", text: "segments:\n  vip: true\n" },
      { path: "w/b.yaml", text: "\nsegments:\n  vip: false\n" },
    ]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: "PB006", span: { file: "w/b.yaml", line: 3 }, related: [{ span: { file: "w/a.yaml", line: 2 } }] });
  });

  it("points a syntax error inside an expression at the token, in file coordinates", () => {
    const { diagnostics } = one("segments:\n  a: rfm.r >= and x\n");
    expect(diagnostics[0]).toMatchObject({ code: "PB010", span: { line: 2, col: 15 } });
  });

  it("reads quoted and block scalars with exact spans", () => {
    const { workspace, diagnostics } = one('segments:\n  a: "x == 1"\n  b: |\n    y ==\n      2\n');
    expect(diagnostics).toEqual([]);
    expect(workspace.segments.get("a")!.expr.span).toMatchObject({ line: 2, col: 7 });
    expect(workspace.segments.get("b")!.expr.span).toMatchObject({ line: 4, col: 5, endLine: 5, endCol: 8 });
  });

  it("requires exactly one of send and steps, and a trigger", () => {
    expect(one("rules:\n  r:\n    on: x\n").diagnostics.map((d) => d.code)).toEqual(["PB005"]);
    expect(one("rules:\n  r:\n    send: { channel: e }\n").diagnostics.map((d) => d.code)).toEqual(["PB007"]);
    // include_current is only for enter triggers (PB018), and a boolean.
    const enter = "segments:\n  s: vip\nrules:\n  r:\n    on: enter s\n    include_current: true\n    send: { channel: e }\n";
    expect(one(enter).diagnostics.map((d) => d.code)).toEqual([]);
    expect(one(enter).workspace.rules.get("r")!.includeCurrent).toBe(true);
    const leave = one(enter.replace("enter s", "leave s")).diagnostics;
    expect(leave.map((d) => [d.code, d.message, d.span?.line])).toEqual([["PB018", '`include_current` of rule "r" is only for `on: enter SEGMENT`', 6]]);
    expect(one(enter.replace("enter s", "order_placed")).diagnostics.map((d) => d.code)).toEqual(["PB018"]);
  });

  it("rejects bad durations, percents, times and time zones with PB004", () => {
    const { diagnostics } = one("defaults:\n  timezone: Mars/Olympus\n  send_hours: 9-21\n  holdout: ten\n  attribution: 7 days\n");
    expect(diagnostics.map((d) => [d.code, d.span?.line])).toEqual([["PB004", 2], ["PB004", 3], ["PB004", 4], ["PB004", 5]]);
  });
});
