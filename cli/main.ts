import { EXIT, UsageError, processIO, type CliIO } from "./io.ts";
import { synopsis, unknownCommand, usageMessage } from "./usage-errors.ts";

/**
 * A command module: `cli/commands/<name>.ts` exports `summary` (one line),
 * `usage` (the full --help text) and `run`.
 */
export interface CommandModule {
  summary: string;
  usage: string;
  run(args: string[], io: CliIO): Promise<number>;
}

/** Every command, in the order `playbook --help` lists them. Loaded lazily so start-up stays fast. */
export const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  check: () => import("./commands/check.ts"),
  fmt: () => import("./commands/fmt.ts"),
  compile: () => import("./commands/compile.ts"),
  segments: () => import("./commands/segments.ts"),
  run: () => import("./commands/run.ts"),
  simulate: () => import("./commands/simulate.ts"),
  explain: () => import("./commands/explain.ts"),
  report: () => import("./commands/report.ts"),
  cohorts: () => import("./commands/cohorts.ts"),
  tui: () => import("./commands/tui.ts"),
  diff: () => import("./commands/diff.ts"),
  test: () => import("./commands/test.ts"),
  demo: () => import("./commands/demo.ts"),
  logs: () => import("./commands/logs.ts"),
  lsp: () => import("./commands/lsp.ts"),
  schema: () => import("./commands/schema.ts"),
};

async function loadCommand(name: string): Promise<CommandModule | null> {
  const load = COMMANDS[name];
  if (!load) return null;
  try {
    return await load();
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code === "ERR_MODULE_NOT_FOUND" && String(e).includes(`commands/${name}.ts`)) return null;
    throw e;
  }
}

/**
 * Each command's `summary`, for `playbook --help`: written here as well as in
 * the command module so that --help loads no command (loading them all took
 * 0.4 s, DuckDB and React included). A test holds the two equal.
 */
export const SUMMARIES: Record<keyof typeof COMMANDS, string> = {
  check: "parse, type-check and lint workspaces",
  fmt: "rewrite playbooks in canonical layout, comments kept (--check: list what would change)",
  compile: "print segments and conditions compiled to JS, JSON Logic or SQL",
  segments: "segment sizes, the R×F grid and membership at TIME",
  run: "the decisions due at TIME (contact history and cadences kept in --state)",
  simulate: "replay history and decide as the engine would have, from an empty state",
  explain: "why each rule did or did not reach a customer, step by step",
  report: "incrementality per rule: lift, CI, p, q, SRM, ROMI, funnel",
  cohorts: "retention by month of first goal event × months since",
  tui: "the report, interactive: overview, rule drill-down, RFM grid",
  diff: "what changed between two git revisions of a workspace, and for whom",
  test: "run the workspace's test cases (*.test.yaml): pass/fail, coverage, JUnit",
  demo: "a synthetic shop with known true effects: simulate, report, compare",
  logs: "merge the N decision logs of a --shard i/N run into the unsharded log",
  lsp: "the language server for editors: diagnostics, completion, hover, definition, formatting (stdio)",
  schema: "print the JSON Schema of playbook files, for editors' YAML extensions",
};

function globalHelp(io: CliIO): void {
  const lines = ["Usage: playbook <command> [options]", "", "Commands:"];
  for (const name of Object.keys(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${SUMMARIES[name] ?? ""}`);
  lines.push("", "Run `playbook <command> --help` for a command's options.", "");
  io.stdout(lines.join("\n"));
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    globalHelp(io);
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === "--version") {
    io.stdout("playbook 0.1.0\n");
    return EXIT.ok;
  }
  let mod: CommandModule | null;
  try {
    mod = await loadCommand(name);
  } catch (e) {
    io.stderr(`playbook: internal error loading "${name}": ${(e as Error).message}\n`);
    return 70;
  }
  if (!mod) {
    io.stderr(`playbook: ${unknownCommand(name, Object.keys(COMMANDS))}\n`);
    return EXIT.usage;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(mod.usage.endsWith("\n") ? mod.usage : mod.usage + "\n");
    return EXIT.ok;
  }
  let source: { close(): Promise<void> } | null = null;
  try {
    const { withDataSource } = await import("./data-source.ts");
    const opened = await withDataSource(name, rest, io);
    source = opened;
    return await mod.run(opened.args, opened.io);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string })?.code?.startsWith?.("ERR_PARSE_ARGS")) {
      // One line in our words, the synopsis, and where the rest is: not the whole --help text.
      io.stderr(`playbook ${name}: ${usageMessage((e as Error).message, mod.usage)}\n\n${synopsis(mod.usage)}\nRun \`playbook ${name} --help\` for all options.\n`);
      return EXIT.usage;
    }
    const err = e as NodeJS.ErrnoException;
    if (err?.code === "ENOENT" || err?.code === "EACCES" || err?.code === "EISDIR") {
      io.stderr(`playbook ${name}: ${err.message}\n`);
      return EXIT.usage;
    }
    io.stderr(
      `playbook ${name}: internal error: ${err?.message ?? String(e)}\n` +
        `This is a bug in Playbook, not in your playbook. Please report it with the command you ran.\n` +
        (io.env.PLAYBOOK_DEBUG ? `${err?.stack}\n` : ""),
    );
    return 70;
  } finally {
    await source?.close();
  }
}
