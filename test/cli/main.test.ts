import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";

describe("playbook dispatcher", () => {
  it("lists the commands on --help and exits 0", async () => {
    const io = memoryIO();
    expect(await main(["--help"], io)).toBe(0);
    expect(io.out).toContain("Usage: playbook <command>");
    expect(io.out).toMatch(/\bcheck\b/);
  });

  it("prints usage and exits 2 when no command is given", async () => {
    const io = memoryIO();
    expect(await main([], io)).toBe(2);
    expect(io.out).toContain("Usage: playbook");
  });

  it("rejects an unknown command with exit 2 and no stack trace", async () => {
    const io = memoryIO();
    expect(await main(["frobnicate"], io)).toBe(2);
    expect(io.err).toBe('playbook: unknown command "frobnicate". Run `playbook --help` for the list.\n');
  });

  it("prints the version", async () => {
    const io = memoryIO();
    expect(await main(["--version"], io)).toBe(0);
    expect(io.out).toBe("playbook 0.1.0\n");
  });
});

describe("docs/cli.md", () => {
  it("is the commands' own --help texts (regenerate with `npx tsx cli/help-doc.ts`)", async () => {
    const { readFileSync } = await import("node:fs");
    const { cliReference } = await import("../../cli/help-doc.ts");
    const file = readFileSync(new URL("../../docs/cli.md", import.meta.url), "utf8");
    expect(file).toBe(await cliReference());
  });
});
