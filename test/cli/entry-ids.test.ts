/**
 * Entry ids and times keep milliseconds (issue 14, item 8): two entries of
 * one rule 500 ms apart get two ids, `entered_at`/`send_at` say the same
 * instant as the id, and an entry at a whole second keeps the id it always
 * had (no `.000`). The paths through every evaluator and the state file are
 * in test/engine/scenarios/12-subsecond.yaml.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import { HAS_FRONT_END, ROOT } from "./run-support.ts";

const root = mkdtempSync(join(tmpdir(), "pb-entry-ids-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!HAS_FRONT_END)("entry ids keep milliseconds", () => {
  it("two entries 500 ms apart: two ids, times as in the id, whole seconds unchanged", async () => {
    const ws = join(root, "ws");
    const data = join(root, "data");
    mkdirSync(ws);
    mkdirSync(data);
    writeFileSync(join(ws, "a.yaml"), "schema:\n  events:\n    ping: {}\ndefaults:\n  timezone: UTC\n  holdout: 0%\nchannels:\n  email: {}\nrules:\n  hello:\n    on: ping\n    send: { channel: email }\n");
    writeFileSync(join(data, "customers.csv"), "customer_id\nc1\n");
    writeFileSync(join(data, "events.csv"), "customer_id,event,ts\nc1,ping,2026-11-20T10:00:00Z\nc1,ping,2026-11-20T10:00:00.500Z\n");
    const io = memoryIO(ROOT);
    expect(await main(["run", ws, "--data", data, "--at", "2026-11-21T00:00:00Z"], io), io.err).toBe(0);
    const lines = io.out.trim().split("\n").map((l) => JSON.parse(l) as { entry_id: string; entered_at: string; send_at: string; status: string });
    expect(lines.map((l) => [l.entry_id, l.entered_at, l.send_at, l.status])).toEqual([
      ["hello:c1:2026-11-20T10:00:00Z", "2026-11-20T10:00:00Z", "2026-11-20T10:00:00Z", "send"],
      ["hello:c1:2026-11-20T10:00:00.500Z", "2026-11-20T10:00:00.500Z", "2026-11-20T10:00:00.500Z", "send"],
    ]);
  });
});
