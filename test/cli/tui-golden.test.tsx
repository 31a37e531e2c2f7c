/**
 * The TUI's screens at 80×24 against golden text files — the same captures
 * docs/tui.md shows. Regenerate with `UPDATE_GOLDEN=1 npx vitest run test/cli/tui-golden.test.tsx`
 * and review the change like code.
 */
import React from "react";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render } from "ink-testing-library";
import { App } from "../../cli/tui/App.tsx";
import type { Report } from "../../experiments/report-types.ts";

const FIX = new URL("../fixtures/tui/", import.meta.url);
const report = JSON.parse(readFileSync(new URL("report.json", FIX), "utf8")) as Report;
const tick = () => new Promise((r) => setTimeout(r, 30));

/** Screens: name → keys pressed from the start (and the width when not 80). */
const SCREENS: Record<string, { keys: string[]; width?: number }> = {
  "overview": { keys: [] },
  "rule-metrics": { keys: ["\x1b[B", "\r"] },
  "rule-funnel": { keys: ["\x1b[B", "\r", "\t"] },
  "rule-lift": { keys: ["\r", "3"] },
  "help": { keys: ["?"] },
  "narrow-60-filter": { keys: ["/", "l", "o", "w"], width: 60 },
};

afterEach(() => cleanup());

describe("tui screens at 80×24 and one at 60×24 (golden)", () => {
  for (const [name, { keys, width }] of Object.entries(SCREENS)) {
    it(`${name} matches its golden capture`, async () => {
      const inst = render(<App report={report} width={width ?? 80} height={24} color={false} />);
      await tick();
      for (const k of keys) {
        inst.stdin.write(k);
        await tick();
      }
      const frame = (inst.lastFrame() ?? "") + "\n";
      const file = new URL(`screen-${name}.txt`, FIX);
      if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, frame);
      expect(frame).toBe(readFileSync(file, "utf8"));
      expect(frame.split("\n").length - 1).toBeLessThanOrEqual(24);
    });
  }
});

describe("docs/tui.md", () => {
  it("shows the current golden screens", () => {
    const doc = readFileSync(new URL("../../docs/tui.md", import.meta.url), "utf8");
    const shown = [...doc.matchAll(/<!-- screen: ([\w-]+) -->\n```text\n([\s\S]*?)\n```/g)];
    expect(shown.map((m) => m[1])).toEqual(Object.keys(SCREENS));
    for (const [, name, text] of shown) expect(text + "\n").toBe(readFileSync(new URL(`screen-${name}.txt`, FIX), "utf8"));
  });
});
