/**
 * The run commands show the workspace path as the user typed it (issue 19,
 * item 5), and the log's `playbook` hash covers the files' paths inside the
 * workspace, so the same workspace hashes alike from whichever folder it is run.
 */
import { describe, expect, it } from "vitest";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import { HAS_FRONT_END, ROOT, SHOP, shopData } from "./run-support.ts";

const at = "2026-11-20T10:00:00Z";

describe.skipIf(!HAS_FRONT_END)("paths as typed", () => {
  it("gives the same playbook hash run from the repository root and from inside playbooks/", async () => {
    const d = shopData();
    const out = mkdtempSync(join(tmpdir(), "pb-hash-"));
    const a = join(out, "a.jsonl");
    const b = join(out, "b.jsonl");
    expect(await main(["run", "playbooks/shop", "--data", d, "--at", at, "--out", a], memoryIO(ROOT))).toBe(0);
    expect(await main(["run", "shop", "--data", d, "--at", at, "--out", b], memoryIO(join(ROOT, "playbooks")))).toBe(0);
    const hashes = (f: string) => new Set(readFileSync(f, "utf8").trim().split("\n").map((l) => JSON.parse(l).playbook as string));
    const ha = hashes(a);
    expect(ha.size).toBe(1);
    expect([...ha][0]).toMatch(/^[0-9a-f]{64}$/);
    expect(hashes(b)).toEqual(ha);
  });

  it("cites a playbook error under the folder as typed, not relative to the process's folder", async () => {
    const base = mkdtempSync(join(tmpdir(), "pb-typed-"));
    const ws = join(base, "a", "ws");
    cpSync(SHOP, ws, { recursive: true });
    writeFileSync(join(ws, "broken.yaml"), "rules:\n  oops:\n    on: signed_up\n    send: { channel: emial, template: welcome_1 }\n");
    mkdirSync(join(base, "b"));
    for (const cmd of [["run", "../a/ws", "--data", shopData(), "--at", at], ["simulate", "../a/ws", "--data", shopData(), "--from", "2026-11-19T00:00:00Z", "--to", at]]) {
      const io = memoryIO(join(base, "b"));
      expect(await main(cmd, io)).toBe(1);
      expect(io.err).toContain("../a/ws/broken.yaml:4:");
      expect(io.err).not.toContain(base);
    }
  });
});
