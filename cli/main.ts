import { EXIT, UsageError, processIO, type CliIO } from "./io.ts";

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
  demo: () => import("./commands/demo.ts"),
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

async function globalHelp(io: CliIO): Promise<void> {
  const lines = ["Usage: playbook <command> [options]", "", "Commands:"];
  for (const name of Object.keys(COMMANDS)) {
    const mod = await loadCommand(name);
    if (mod) lines.push(`  ${name.padEnd(10)} ${mod.summary}`);
  }
  lines.push("", "Run `playbook <command> --help` for a command's options.", "");
  io.stdout(lines.join("\n"));
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    await globalHelp(io);
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
    io.stderr(`playbook: unknown command "${name}". Run \`playbook --help\` for the list.\n`);
    return EXIT.usage;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(mod.usage.endsWith("\n") ? mod.usage : mod.usage + "\n");
    return EXIT.ok;
  }
  try {
    return await mod.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string })?.code?.startsWith?.("ERR_PARSE_ARGS")) {
      io.stderr(`playbook ${name}: ${(e as Error).message}\n\n${mod.usage}\n`);
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
  }
}
