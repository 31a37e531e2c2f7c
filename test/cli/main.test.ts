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

  it("suggests the command a typo meant", async () => {
    const io = memoryIO();
    expect(await main(["chek", "playbooks/shop"], io)).toBe(2);
    expect(io.err).toBe('playbook: unknown command "chek"; did you mean "check"? Run `playbook --help` for the list.\n');
  });

  it("lists every command with its own summary, without loading any", async () => {
    const { COMMANDS, SUMMARIES } = await import("../../cli/main.ts");
    expect(Object.keys(SUMMARIES)).toEqual(Object.keys(COMMANDS));
    for (const [name, load] of Object.entries(COMMANDS)) expect([name, SUMMARIES[name]]).toEqual([name, (await load()).summary]);
  });
});

describe("usage errors in our words", () => {
  const err = async (args: string[]) => {
    const io = memoryIO();
    const code = await main(args, io);
    return { code, first: io.err.split("\n")[0], err: io.err };
  };

  it("suggests the flag a typo meant, with the synopsis and no parser text", async () => {
    const r = await err(["check", "playbooks/shop", "--frmat", "json"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      "playbook check: unknown option --frmat; did you mean --format?\n\n" +
        "Usage: playbook check [DIR…] [--format text|json|sarif|github]\n" +
        "Run `playbook check --help` for all options.\n",
    );
    expect((await err(["run", "x", "--data", "d", "--at", "2026-01-01", "--stat=s.duckdb"])).first).toBe("playbook run: unknown option --stat; did you mean --state?");
    expect((await err(["simulate", "x", "--data", "d", "--form", "2026-01-01"])).first).toBe("playbook simulate: unknown option --form; did you mean --from?");
  });

  it("says nothing far-fetched, and rewrites the other parser errors", async () => {
    expect((await err(["check", "--zzzzzz"])).first).toBe("playbook check: unknown option --zzzzzz");
    expect((await err(["run", "x", "--data", "d", "--at"])).first).toBe("playbook run: --at needs a value");
    expect((await err(["fmt", "--check=yes"])).first).toBe("playbook fmt: --check takes no value");
  });
});

describe("usage-errors helpers", () => {
  it("reads a command's flags from its usage text", async () => {
    const { flagsOf } = await import("../../cli/usage-errors.ts");
    const { usage } = await import("../../cli/commands/run.ts");
    expect(flagsOf(usage)).toEqual(["--data", "--at", "--state", "--out", "--shard", "--customers", "--events", "--rejects"]);
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
