/**
 * The RFM scorer the demo uses (engine/rfm.ts) against language.md's definition, on hand-made histories.
 */
import { describe, expect, it } from "vitest";
import { rfmScorer } from "../../engine/rfm.ts";
import type { RfmConfig } from "../../language/ast.ts";
import type { EventRecord } from "../../language/values.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-09-01T00:00:00Z");
const span = { file: "x", start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
const order = (daysAgo: number, amount: number): EventRecord => ({ name: "order_placed", ts: NOW - daysAgo * DAY, props: { amount } });

describe("demo RFM scorer", () => {
  const cfg: RfmConfig = { span, event: "order_placed", value: "amount", window: 365 * DAY, scores: 5, recency: [30 * DAY, 60 * DAY, 120 * DAY, 240 * DAY] };
  // Five customers with 1..5 orders of 100 each: quintile bounds of counts are 2,3,4,5 and of sums 200,300,400,500.
  const histories = [1, 2, 3, 4, 5].map((n) => Array.from({ length: n }, (_, k) => order(10 + k, 100)));
  const score = rfmScorer(cfg, histories, NOW);

  it("scores frequency and monetary by the bounds reached (>=) and recency by the bounds exceeded (>)", () => {
    expect(score("a", histories[2]!, NOW)).toEqual({ r: 5, f: 3, m: 3, cell: "533" });
    expect(score("b", [order(45, 1000)], NOW)).toEqual({ r: 4, f: 1, m: 5, cell: "415" });
    expect(score("c", [order(300, 100)], NOW)).toEqual({ r: 1, f: 1, m: 1, cell: "111" });
  });

  it("gives null without a goal event inside the window", () => {
    expect(score("d", [order(400, 100)], NOW)).toBeNull();
    expect(score("e", [], NOW)).toBeNull();
  });
});
