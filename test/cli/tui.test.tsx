import React from "react";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render } from "ink-testing-library";
import { App } from "../../cli/tui/App.tsx";
import type { Report } from "../../experiments/report-types.ts";

const report = JSON.parse(readFileSync(new URL("../fixtures/tui/report.json", import.meta.url), "utf8")) as Report;
const KEY = { down: "\x1b[B", up: "\x1b[A", enter: "\r", esc: "\x1b", tab: "\t", backspace: "\x7f" };
const tick = () => new Promise((r) => setTimeout(r, 30));

async function open(opts: { width?: number; height?: number; color?: boolean; rfm?: Parameters<typeof App>[0]["rfm"] } = {}) {
  const inst = render(<App report={report} width={opts.width ?? 80} height={opts.height ?? 24} color={opts.color ?? false} rfm={opts.rfm ?? null} />);
  await tick();
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      inst.stdin.write(k);
      await tick();
    }
  };
  const frame = () => inst.lastFrame() ?? "";
  const ruleRows = () => frame().split("\n").filter((l) => /^[▶ ] [a-z_]+/.test(l) && !l.startsWith("  rule ") && !l.includes("all rules vs")).map((l) => l.slice(2).split(/\s+/)[0]);
  return { inst, press, frame, ruleRows };
}

afterEach(() => cleanup());

describe("playbook tui overview", () => {
  it("lists every rule with lift, q, ROMI and a verdict, sorted by lift, first row selected", async () => {
    const t = await open();
    const f = t.frame();
    expect(t.ruleRows()).toEqual(["restock_alert", "cart_recovery", "review_request", "welcome", "vip_preview", "birthday", "hibernating_n…", "winback_at_ri…"]);
    expect(f).toContain("▶ restock_alert");
    expect(f).toMatch(/winback_at_ri…\s+4\.4k\/495\s+4\.1\/5\.2\s+-21%.*\.048\*\s+-130×\s+HARMS\s+1/);
    expect(f).toMatch(/review_request.*SRM!\s+2/);
    expect(f).toMatch(/birthday.*low pwr/);
    expect(f).toContain("all rules vs global holdout: +1.00 pp");
    expect(f).toContain("? help");
  });

  it("draws each interval around a zero line: a harmful rule's bar lies left of │, a winner's right", async () => {
    const t = await open({ width: 120 });
    const line = (rule: string) => t.frame().split("\n").find((l) => l.includes(rule))!;
    const harm = line("winback_at_risk"), win = line("restock_alert");
    expect(harm.indexOf("┤")).toBeLessThan(harm.indexOf("│"));
    expect(win.indexOf("├")).toBeGreaterThan(win.indexOf("│"));
    expect(line("birthday")).toContain("┼"); // crosses zero
  });

  it("moves the selection with the arrow keys and j/k, and shows the selected rule's detail line", async () => {
    const t = await open();
    await t.press(KEY.down, "j");
    expect(t.frame()).toContain("▶ review_request");
    expect(t.frame()).toContain("review_request: +0.90 pp [-1.40, +3.20] · q 0.590");
    await t.press(KEY.up);
    expect(t.frame()).toContain("▶ cart_recovery");
  });

  it("cycles the sort key with s and reverses it with S", async () => {
    const t = await open();
    await t.press("s");
    expect(t.frame()).toContain("sort:q");
    expect(t.ruleRows().slice(0, 3)).toEqual(["cart_recovery", "restock_alert", "winback_at_ri…"]);
    await t.press("s", "s", "s");
    expect(t.frame()).toContain("sort:name");
    expect(t.ruleRows()[0]).toBe("birthday");
    await t.press("S");
    expect(t.ruleRows()[0]).toBe("winback_at_ri…");
  });

  it("filters by typed words after /, by rule id or verdict, and Esc clears the filter", async () => {
    const t = await open();
    await t.press("/", "c", "a", "r", "t");
    expect(t.frame()).toContain("filter: /cart");
    expect(t.ruleRows()).toEqual(["cart_recovery"]);
    await t.press(KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, "h", "a", "r", "m", "s", KEY.enter);
    expect(t.ruleRows()).toEqual(["winback_at_ri…"]);
    expect(t.frame()).toContain("filter:harms");
    await t.press(KEY.esc);
    expect(t.ruleRows()).toHaveLength(8);
  });

  it("says so when no rule matches the filter", async () => {
    const t = await open();
    await t.press("/", "z", "z", "z", KEY.enter);
    expect(t.ruleRows()).toEqual([]);
    expect(t.frame()).toContain("no rule matches the filter");
  });

  it("? shows every key and any key closes the help", async () => {
    const t = await open();
    await t.press("?");
    expect(t.frame()).toContain("Keys");
    expect(t.frame()).toContain("Tab 1 2 3     metrics, funnel, lift over time");
    await t.press("x");
    expect(t.frame()).toContain("▶ restock_alert");
  });
});

describe("playbook tui rule view", () => {
  it("Enter opens the selected rule with every metric, MDE, days to target and alerts", async () => {
    const t = await open();
    await t.press(KEY.down, KEY.down, KEY.enter);
    const f = t.frame();
    expect(f).toContain("review_request · SRM! · [1 metrics]");
    expect(f).toMatch(/conversion\s+6\.1%\s+5\.2%\s+\+0\.90 pp \[-1\.40, \+3\.20\]\s+0\.590/);
    expect(f).toContain("SRM! the split is off: do not trust this lift");
    expect(f).toContain("MDE at 80% power: 3.11 pp");
    expect(f).toContain("⚠ step 1 email: CTR 1.9% is below 2.0%");
  });

  it("Tab shows the funnel by step and channel, 3 the daily cumulative lift chart", async () => {
    const t = await open();
    await t.press(KEY.down, KEY.enter, KEY.tab);
    expect(t.frame()).toContain("[2 funnel]");
    expect(t.frame()).toMatch(/ {2}1 push\s+6,120\s+91\.0%/);
    expect(t.frame()).toMatch(/ {2}2 email\s+852/);
    await t.press("3");
    const f = t.frame();
    expect(f).toContain("cumulative conversion lift per day (pp)");
    // y ticks at round values, zero among them; nothing else on the axis is labelled.
    const ticks = f.split("\n").map((l) => /^ *([+-]?\d+(?:\.\d+)?pp)┤/.exec(l)?.[1]).filter(Boolean);
    expect(ticks).toEqual(["+10pp", "+7.5pp", "+5pp", "+2.5pp", "0pp", "-2.5pp", "-5pp"]);
    expect(f).toMatch(/ {4}0pp┤ .*┄/);
    // x ticks per week: 2026-11-02 and 11-09 are the Mondays of the fortnight.
    expect(f).toMatch(/^ {7}└─+┬─+┬─+$/m);
    expect(f).toMatch(/^ {11}11-02 {9}11-09$/m);
    // The last day's value, in numbers.
    expect(f).toContain("last day 2026-11-14: +1.68 pp [+0.06, +3.30]");
    // One estimate per day (the heading's legend aside).
    expect((f.replace("estimate ●", "").match(/●/g) ?? []).length).toBe(14);
  });

  it("n and p step through rules in the overview's order, Esc goes back to the overview", async () => {
    const t = await open();
    await t.press(KEY.enter, "n");
    expect(t.frame()).toContain("cart_recovery · works");
    await t.press("p");
    expect(t.frame()).toContain("restock_alert · works");
    await t.press(KEY.esc);
    expect(t.frame()).toContain("▶ restock_alert");
  });

  it("n past the last filtered rule and p before the first say so in the status line", async () => {
    const t = await open();
    await t.press("/", "h", "a", "r", "m", "s", KEY.enter, KEY.enter, "n");
    const f = t.frame();
    expect(f).toContain("winback_at_risk · HARMS");
    expect(f.split("\n").at(-1)?.trimEnd()).toBe("this is the last rule (1 rules match /harms): p goes back");
    await t.press("p");
    expect(t.frame().split("\n").at(-1)?.trimEnd()).toBe("this is the first rule (1 rules match /harms): n goes on");
    // The next key that does something brings the key hints back.
    await t.press("2");
    expect(t.frame().split("\n").at(-1)).toMatch(/^Tab section · n\/p next\/prev rule/);
  });
});

describe("playbook tui status line", () => {
  it("an unknown key says it does nothing and how to list the keys, until the next key", async () => {
    const t = await open();
    await t.press("x");
    expect(t.frame().split("\n").at(-1)?.trimEnd()).toBe(`"x" does nothing here: ? lists the keys`);
    await t.press("j");
    expect(t.frame()).toContain("▶ cart_recovery");
    expect(t.frame().split("\n").at(-1)).toMatch(/^↑↓ move/);
    await t.press("r", KEY.tab);
    expect(t.frame().split("\n").at(-1)?.trimEnd()).toBe("Tab does nothing here: ? lists the keys");
  });
});

describe("playbook tui verdict flags on the overview row", () => {
  it("a rule with nobody held out says no holdout; an SRM flag shows on its row even when the lift is significant", async () => {
    const rules = report.rules.map((r) =>
      r.rule === "birthday" ? { ...r, entries: { treatment: 512, holdout: 0 }, holdout_share: 0, conversion: { ...r.conversion, holdout: NaN, lift_abs: null, lift_rel: null, ci_low: null, ci_high: null, q: null, mde: null } }
      : r.rule === "cart_recovery" ? { ...r, srm_flag: true, srm_p: 0.0001 } : r);
    const inst = render(<App report={{ ...report, rules }} width={80} height={24} color={false} />);
    await tick();
    const f = inst.lastFrame() ?? "";
    expect(f).toMatch(/^ {2}birthday .* no holdout *$/m);
    expect(f).not.toMatch(/birthday .*low pwr/);
    expect(f).toMatch(/^ {2}cart_recovery .* SRM! *$/m);
  });
});

describe("playbook tui RFM screen", () => {
  it("without data it says the grid needs --data", async () => {
    const t = await open();
    await t.press("r");
    expect(t.frame()).toContain("RFM grid: needs --data D");
  });

  it("with a grid it lays recency down and frequency across", async () => {
    const counts = [[10, 2, 0], [20, 15, 4], [30, 25, 40]];
    const t = await open({ rfm: { scores: 3, counts, unscored: 7 } });
    await t.press("r");
    const f = t.frame();
    expect(f).toContain("153 customers");
    expect(f).toMatch(/R=3\s+30\s+25\s+40/);
    expect(f).toMatch(/R=1\s+10\s+2\s+0/);
    expect(f).toContain("no score (no goal event in the window): 7");
  });
});

describe("playbook tui layout", () => {
  it("fits 80 columns and 24 lines", async () => {
    const t = await open();
    const lines = t.frame().split("\n");
    expect(lines.length).toBeLessThanOrEqual(24);
    for (const l of lines) expect([...l].length).toBeLessThan(80);
  });

  it("drops the least important columns on a narrow terminal but keeps rule, lift and verdict", async () => {
    const t = await open({ width: 60 });
    const f = t.frame();
    for (const l of f.split("\n")) expect([...l].length).toBeLessThan(60);
    const header = f.split("\n")[1]!;
    expect(header).toMatch(/^ {2}rule\s+conv% T\/H\s+lift/);
    expect(header).not.toContain("ROMI");
    expect(f).toMatch(/winback_at_ri…\s+4\.1\/5\.2\s+-21%/);
    expect(f).toContain("HARMS");
  });

  it("re-lays the screen when the terminal is resized", async () => {
    const inst = render(<App report={report} color={false} />);
    await tick();
    Object.defineProperty(inst.stdout, "columns", { configurable: true, get: () => 120 });
    inst.stdout.emit("resize");
    await tick();
    expect((inst.lastFrame() ?? "").split("\n")[1]).toMatch(/ROMI verdict/);
    Object.defineProperty(inst.stdout, "columns", { configurable: true, get: () => 60 });
    inst.stdout.emit("resize");
    await tick();
    const lines = (inst.lastFrame() ?? "").split("\n");
    expect(lines[1]).not.toContain("ROMI");
    for (const l of lines) expect([...l].length).toBeLessThan(60);
  });

  it("scrolls the list to keep the selection visible on a short terminal", async () => {
    const t = await open({ height: 10 });
    expect(t.ruleRows()).toHaveLength(5);
    await t.press("G");
    expect(t.frame()).toContain("▶ winback_at_ri…");
    expect(t.ruleRows()).not.toContain("restock_alert");
  });

  it("with colour off (NO_COLOR) prints no colour escape codes but still says every verdict in words", async () => {
    const t = await open({ color: false });
    await t.press(KEY.down);
    expect(t.frame()).not.toMatch(/\x1b\[3\dm/);
    expect(t.frame()).toContain("HARMS");
    expect(t.frame()).toContain("▶ cart_recovery");
  });
});
